// Effect: N child fibers (forkChild), each with a 1 ms asynchronous
// finalizer, under @effect/platform-node's runMain, which interrupts the
// main fiber on SIGTERM; interrupting a fiber interrupts its children and
// waits for their finalizers. runMain exits 130 after any interruption.
// Usage: shutdown-effect.ts <N>
import { runMain } from "@effect/platform-node/NodeRuntime";
import { Effect } from "effect";
import { shutdownProgram } from "../lib/program-args.ts";

const { n, cleaned } = shutdownProgram("shutdown-effect");
let registered = 0;
const task = Effect.ensuring(
  Effect.andThen(
    Effect.sync(() => {
      registered++;
    }),
    Effect.never,
  ),
  Effect.andThen(Effect.sleep(1), Effect.sync(cleaned)),
);

runMain(
  Effect.gen(function* () {
    for (let i = 0; i < n; i++) yield* Effect.forkChild(task);
    // Fibers start on Effect's scheduler: wait until every one has begun.
    while (registered < n) yield* Effect.sleep(1);
    process.stdout.write("ready\n");
    return yield* Effect.never;
  }),
);
