// A supervisor keeps a flaky worker running. The feed loses its connection
// twice; each time its cleanup runs, then the supervisor starts it again
// after a backoff (100 ms, then 200 ms). Its sibling, the writer, is not
// disturbed (one-for-one). Had it failed a fourth time within 5 s, the
// supervisor would have given up and main() would exit 1 with every failure.
// Ctrl-C stops everything in tree order and exits 130.
import { subscribe } from "node:diagnostics_channel";
import { type Operation, sleep, suspend } from "effection";
import { Channels, formatTree, inspect, main, onTeardown, supervisor, type UnwindEvent } from "unwind";

// Restarts are announced on node:diagnostics_channel: log them.
subscribe(Channels.restart, (message) => {
  const { path, attempt, delayMs, error } = message as UnwindEvent;
  console.log(
    `supervisor: restarting ${path} (restart ${attempt}) in ${delayMs} ms: ${(error as Error).message}`,
  );
});

let connections = 0;

function* feed(): Operation<void> {
  const n = ++connections;
  console.log(`feed: connection ${n} open`);
  yield* onTeardown(() => console.log(`feed: connection ${n} closed`));
  yield* sleep(50);
  if (n < 3) throw new Error(`connection ${n} reset by peer`);
  console.log("feed: streaming");
  yield* suspend();
}

function* writer(): Operation<void> {
  yield* onTeardown(() => console.log("writer: flushed"));
  yield* suspend();
}

await main(function* () {
  yield* supervisor(
    function* (s) {
      s.spawn(writer, { name: "writer" });
      s.spawn(feed, { name: "feed" });
      while (connections < 3) yield* sleep(10);
      yield* sleep(100);
      // The task tree shows the restart counts.
      console.log(formatTree(yield* inspect()));
      console.log("ready (press Ctrl-C)");
      yield* suspend();
    },
    { name: "ingest", maxRestarts: 3, withinMs: 5_000, backoff: { initialMs: 100, factor: 2 } },
  );
});
