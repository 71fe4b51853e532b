// unwind: N tasks, each with a 1 ms asynchronous onTeardown cleanup, under
// unwind's main(), with the root's teardown serial or concurrent.
// Usage: shutdown-unwind.ts <N> <serial|concurrent>
import { sleep, suspend } from "effection";
import { main, onTeardown } from "unwind";
import { shutdownProgram } from "../lib/program-args.ts";

const { n, cleaned } = shutdownProgram("shutdown-unwind");
const mode = process.argv[3];
if (mode !== "serial" && mode !== "concurrent") {
  throw new Error(`shutdown-unwind: mode must be serial or concurrent, got ${mode}`);
}

await main(
  function* (root) {
    let registered = 0;
    for (let i = 0; i < n; i++) {
      root.spawn(
        function* () {
          yield* onTeardown(() => new Promise<void>((resolve) => setTimeout(resolve, 1)).then(cleaned));
          registered++;
          yield* suspend();
        },
        { name: `task${i}` },
      );
    }
    // A task spawned with root.spawn takes its first step only once the body
    // yields: wait until every task has registered its cleanup.
    while (registered < n) yield* sleep(10);
    process.stdout.write("ready\n");
    yield* suspend();
  },
  { teardown: mode },
);
