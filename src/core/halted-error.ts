import type { HaltReason } from "./halt-reason.ts";

/**
 * Thrown by `yield* handle` when the task was halted: it ended without a
 * value. Only the waiter sees it; the waiter is not halted by it. Test for
 * it with `instanceof` where a halt is an expected ending.
 *
 * @example
 * ```ts
 * import { HaltedError, main } from "unwind";
 * import { sleep, suspend } from "effection";
 *
 * await main(function* (root) {
 *   const idle = root.spawn(function* () { yield* suspend(); }, { name: "idle" });
 *   root.spawn(function* () {
 *     yield* sleep(10);
 *     yield* idle.halt();
 *   }, { name: "stopper" });
 *   try {
 *     yield* idle;
 *   } catch (error) {
 *     if (!(error instanceof HaltedError)) throw error;
 *     console.log(error.path, error.reason?.kind); // main/idle halted
 *   }
 * });
 * ```
 */
export class HaltedError extends Error {
  override name = "HaltedError";

  constructor(
    /** Path of the halted task. */
    readonly path: string,
    /** Why it was halted. */
    readonly reason: HaltReason | undefined,
  ) {
    const why = reason && reason.kind !== "halted" ? ` (${reason.message})` : "";
    super(`task ${path} was halted${why}`);
  }
}
