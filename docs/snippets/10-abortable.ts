import { setTimeout as delay } from "node:timers/promises";
import { sleep, until } from "effection";
import { abortable, group, main, onTeardown, useCancelSignal } from "unwind";

// A query on a pooled connection: it stops when its signal aborts, and
// takes a moment to do so (the driver cancels it on the server).
async function query(sql: string, signal: AbortSignal): Promise<string> {
  try {
    await delay(60_000, "rows", { signal });
    return "rows";
  } catch (error) {
    await delay(20);
    console.log(`  query "${sql}": cancelled on the server`);
    throw error;
  }
}

function* report(wait: "until" | "abortable") {
  yield* group(
    function* (pool) {
      yield* onTeardown(() => console.log("  pool: closed"));
      pool.spawn(
        function* () {
          if (wait === "abortable") {
            yield* abortable((signal) => query("select ...", signal));
          } else {
            const signal = yield* useCancelSignal();
            yield* until(query("select ...", signal));
          }
        },
        { name: "query" },
      );
      yield* sleep(10);
      console.log("  halting the pool");
      yield* pool.halt();
    },
    { name: "pool" },
  );
}

await main(function* () {
  console.log("with until():");
  yield* report("until");
  yield* sleep(50); // the abandoned query is still going: let it finish
  console.log("with abortable():");
  yield* report("abortable");
});
