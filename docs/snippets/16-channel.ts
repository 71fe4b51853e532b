import { createChannel, sleep } from "effection";
import { group, main, onTeardown } from "unwind";

await main(function* () {
  // A broadcast: every subscriber gets every message (not a work queue).
  const status = createChannel<string, string>();
  yield* status.send("connecting"); // nobody has subscribed yet: dropped

  yield* group(function* (g) {
    for (const name of ["log", "ui"]) {
      // start(), not spawn(): subscribe first, then say ready, so that no message is missed.
      yield* g.start<void>(
        function* (ready) {
          yield* onTeardown((reason) => console.log(`${name}: ended (${reason?.message ?? "returned"})`));
          const messages = yield* status;
          ready();
          for (let next = yield* messages.next(); ; next = yield* messages.next()) {
            if (next.done) return console.log(`${name}: the channel closed: ${next.value}`);
            console.log(`${name}: ${next.value}`);
            if (name === "ui") yield* sleep(10); // a slow subscriber: its messages wait for it
          }
        },
        { name },
      );
    }
    yield* status.send("playing"); // send() never waits for the subscribers
    yield* status.send("volume 40");
    yield* status.close("disconnected"); // ends every subscriber, after what was sent before
  });
});
