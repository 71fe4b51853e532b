import { setTimeout as delay } from "node:timers/promises";
import { sleep, suspend } from "effection";
import { group, main, onTeardown } from "unwind";

await main(function* () {
  yield* group(
    function* (g) {
      g.spawn(
        function* () {
          // Asynchronous cleanup goes in onTeardown, and the teardown waits for it.
          yield* onTeardown(async () => {
            await delay(20);
            console.log("3. conn: buffer flushed, socket closed (async, onTeardown)");
          });
          try {
            yield* group(
              function* (io) {
                io.spawn(
                  function* () {
                    yield* onTeardown(async () => {
                      await delay(20);
                      console.log("1. reader: stopped (async, onTeardown)");
                    });
                    yield* suspend();
                  },
                  { name: "reader" },
                );
                yield* suspend();
              },
              { name: "io" },
            );
          } finally {
            console.log("2. conn: finally (synchronous bookkeeping only)");
          }
        },
        { name: "conn" },
      );
      yield* sleep(10); // let the tasks start
      console.log("0. session: halting");
      yield* g.halt();
    },
    { name: "session" },
  );
  console.log("4. main: the session and everything in it is closed");
});
