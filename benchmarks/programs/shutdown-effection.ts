// Plain effection: N tasks, each with a 1 ms asynchronous cleanup (ensure +
// sleep), under effection's own main(), which handles SIGTERM itself.
// Usage: shutdown-effection.ts <N>
import { ensure, main, sleep, spawn, suspend } from "effection";

await main(function* (args) {
  const n = Number(args[0]);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`shutdown-effection: N must be a positive integer, got ${args[0]}`);
  let registered = 0;
  for (let i = 0; i < n; i++) {
    yield* spawn(function* () {
      yield* ensure(function* () {
        yield* sleep(1);
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
