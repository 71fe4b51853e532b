import { sleep, suspend } from "effection";
import { GroupError, group, main } from "unwind";

// The trap: a yield* inside the finally of a generator that a task calls.
function* connection() {
  try {
    yield* suspend();
  } finally {
    yield* sleep(10);
    console.log("connection: closed");
  }
}

await main(function* () {
  try {
    yield* group(
      function* (g) {
        g.spawn(
          function* () {
            yield* connection();
            console.log("worker: went on after its halt");
            return "a value nobody may see";
          },
          { name: "worker" },
        );
        yield* sleep(10);
        console.log("session: halting");
        yield* g.halt();
      },
      { name: "session" },
    );
  } catch (error) {
    if (!(error instanceof GroupError)) throw error;
    for (const f of error.failures) {
      console.log(`${f.path} (${f.phase}): ${(f.error as Error).message}`);
    }
  }
});
