import { Effect, type Fiber } from "effect";

/**
 * Starts one Effect fiber that forks `n` child fibers which never end.
 * `ready` resolves once all are forked: Effect starts fibers on its own
 * scheduler, so they do not exist yet when `runFork` returns.
 */
export function forkNeverEnding(n: number): { fiber: Fiber.Fiber<never>; ready: Promise<void> } {
  let started!: () => void;
  const ready = new Promise<void>((resolve) => {
    started = resolve;
  });
  const fiber = Effect.runFork(
    Effect.gen(function* () {
      for (let i = 0; i < n; i++) yield* Effect.forkChild(Effect.never);
      yield* Effect.sync(started);
      return yield* Effect.never;
    }),
  );
  return { fiber, ready };
}
