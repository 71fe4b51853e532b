import { sleep, suspend } from "effection";
import { group, main, onTeardown } from "unwind";

await main(function* () {
  const lines = yield* group(
    function* (g) {
      // Like _send_commands(): loops until someone stops it.
      const poller = g.spawn(
        function* () {
          yield* onTeardown(() => console.log("poller: stopped, connection closed"));
          console.log("poller: waiting for commands");
          yield* suspend();
        },
        { name: "poller" },
      );

      // A task nobody waits for: the group waits for it anyway.
      g.spawn(
        function* () {
          yield* sleep(100);
          console.log("writer: flushed 3 lines");
        },
        { name: "writer" },
      );

      yield* sleep(10);
      yield* poller.halt(); // a task that runs forever is stopped by its owner
      console.log("session: body returns; the group still waits for writer");
      return 3;
    },
    { name: "session" },
  );
  console.log(`main: session returned ${lines}; no task is left pending`);
});
