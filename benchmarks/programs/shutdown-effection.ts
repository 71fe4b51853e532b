// Plain effection: N tasks, each with a 1 ms asynchronous cleanup (ensure +
// sleep), under effection's own main(), which handles SIGTERM itself (its
// scope tears the tasks down one after another, newest first).
// Usage: shutdown-effection.ts <N>
import { ensure, main, sleep, spawn, suspend } from "effection";
import { shutdownProgram } from "../lib/program-args.ts";

const { n, cleaned } = shutdownProgram("shutdown-effection");

await main(function* () {
  let registered = 0;
  for (let i = 0; i < n; i++) {
    yield* spawn(function* () {
      yield* ensure(function* () {
        yield* sleep(1);
        cleaned();
      });
      registered++;
      yield* suspend();
    });
  }
  // Let every task take its first steps (register its cleanup) before "ready".
  while (registered < n) yield* sleep(1);
  process.stdout.write("ready\n");
  yield* suspend();
});
