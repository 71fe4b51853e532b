import { setTimeout as delay } from "node:timers/promises";
import { suspend } from "effection";
import { main, onTeardown } from "unwind";

// No process.on("SIGINT") and no loop.stop(): main() owns the signals.
await main(function* (root) {
  yield* onTeardown(() => console.log("main: every task has finished; exiting"));

  root.spawn(
    function* () {
      yield* onTeardown(async (reason) => {
        console.log(`protocol: closing (${reason?.message})`);
        await delay(50); // async work during shutdown: the event loop is still running
        console.log("protocol: closed");
      });
      console.log("ready"); // press Ctrl-C now (the test sends SIGINT)
      yield* suspend();
    },
    { name: "protocol" },
  );

  yield* suspend();
});
