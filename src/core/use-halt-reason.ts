import { type Operation, useScope } from "effection";
import type { HaltReason } from "./halt-reason.ts";
import { OwnerContext } from "./owner.ts";

/**
 * Why the current task (or group body) is being torn down: `undefined`
 * while it runs normally. Useful where code still runs during a teardown: a
 * `shield()`ed operation, or an effection `ensure()` operation. (Cleanups
 * registered with `onTeardown` receive the reason as their argument, and the
 * `useCancelSignal()` signal carries it as `signal.reason`.)
 *
 * @example
 * ```ts
 * import { main, shield, useHaltReason } from "unwind";
 * import { type Operation, sleep } from "effection";
 *
 * declare function saveProgress(progress: { interrupted: string }): Operation<void>;
 *
 * await main(function* () {
 *   yield* shield(
 *     (function* () {
 *       yield* sleep(1_000); // Ctrl-C here: the shield lets this finish
 *       const reason = yield* useHaltReason();
 *       yield* saveProgress({ interrupted: reason?.kind ?? "no" }); // "signal"
 *     })(),
 *   );
 * });
 * ```
 */
export function useHaltReason(): Operation<HaltReason | undefined> {
  return {
    *[Symbol.iterator]() {
      return (yield* useScope()).get(OwnerContext)?.haltReason;
    },
  };
}
