import { sleep, suspend } from "effection";
import { GroupError, group, main, onTeardown } from "unwind";

await main(function* () {
  try {
    yield* group(
      function* (g) {
        const index = g.spawn(
          function* () {
            yield* sleep(10);
            return 42;
          },
          { name: "index" },
        );
        g.spawn(
          function* () {
            yield* onTeardown((reason) => console.log(`cache: halted because ${reason?.message}`));
            yield* suspend();
          },
          { name: "cache" },
        );
        g.spawn(
          function* () {
            yield* onTeardown(() => {
              throw new Error("socket already closed");
            });
            yield* suspend();
          },
          { name: "socket" },
        );
        g.spawn(
          function* () {
            yield* sleep(30);
            throw new Error("disk full");
          },
          { name: "upload" },
        );

        console.log(`batch: index has ${yield* index} entries`);
        console.log("batch: body returns; the group waits for the other tasks");
      },
      { name: "batch" },
    );
  } catch (error) {
    if (!(error instanceof GroupError)) throw error;
    console.log(`main: GroupError from ${error.path}, ${error.failures.length} failures:`);
    for (const f of error.failures) {
      const why = f.reason ? `, while halting: ${f.reason.message}` : "";
      console.log(`  ${f.path} (${f.phase}${why}): ${(f.error as Error).message}`);
    }
    console.log(`main: error.cause is the first failure: ${(error.cause as Error).message}`);
  }
});
