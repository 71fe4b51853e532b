import { sleep } from "effection";
import { GroupError, main, onTeardown, supervisor } from "unwind";

await main(function* () {
  let attempt = 0;
  yield* supervisor(
    function* (s) {
      s.spawn(
        function* () {
          const n = ++attempt;
          console.log(`upload: attempt ${n}`);
          yield* onTeardown(() => console.log(`upload: attempt ${n} cleaned up`));
          yield* sleep(10);
          if (n < 3) throw new Error("connection reset");
          console.log("upload: done");
        },
        { name: "upload", restart: "transient" },
      );
    },
    { name: "uploads", backoff: { initialMs: 100, factor: 2 } },
  );
  console.log("main: nothing left to restart, the supervisor returned");

  try {
    yield* supervisor(
      function* (s) {
        s.spawn(
          function* () {
            yield* sleep(10);
            throw new Error("disk full");
          },
          { name: "writer" },
        );
      },
      { name: "writers", maxRestarts: 2, withinMs: 5_000 },
    );
  } catch (error) {
    if (!(error instanceof GroupError)) throw error;
    console.log(`main: GroupError with ${error.failures.length} failures:`);
    for (const f of error.failures) console.log(`  ${f.path}: ${(f.error as Error).message.split(";")[0]}`);
  }
});
