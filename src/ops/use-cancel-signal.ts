import { type Operation, useScope } from "effection";
import { OwnerContext } from "../core/owner.ts";

/**
 * An `AbortSignal` that aborts the moment the current task's halt *starts*
 * (before any of its cleanups runs), with the `HaltReason` as
 * `signal.reason`. Pass it to whatever cannot be halted by itself: `fetch`,
 * database drivers, `child_process`, timers. Made only when asked for, so
 * tasks that do not use one pay nothing.
 *
 * (effection's own `useAbortSignal()` aborts only after the task's `finally`
 * blocks have run, which is too late to cancel the work those blocks wait for.)
 *
 * @example
 * ```ts
 * import { main, useCancelSignal } from "unwind";
 * import { type Operation, until } from "effection";
 *
 * function* download(url: string): Operation<string> {
 *   const signal = yield* useCancelSignal(); // aborts when this task's halt starts
 *   const response = yield* until(fetch(url, { signal }));
 *   return yield* until(response.text());
 * }
 *
 * await main(function* () {
 *   console.log(yield* download("https://example.com/")); // Ctrl-C cancels the request
 * });
 * ```
 */
export function useCancelSignal(): Operation<AbortSignal> {
  return {
    *[Symbol.iterator]() {
      const owner = (yield* useScope()).get(OwnerContext);
      if (owner?.cancelSignal) return owner.cancelSignal();
      throw new Error("useCancelSignal() must run inside main(), run() or group()");
    },
  };
}
