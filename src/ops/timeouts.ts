import type { Operation } from "effection";
import { checkTimeLimit } from "../core/arguments.ts";
import { group } from "../core/group.ts";
import { GroupError } from "../core/group-error.ts";
import { TimeoutError } from "../core/timeout-error.ts";

/**
 * Runs `op`, and if it has not finished after `ms` milliseconds, halts it
 * and throws a `TimeoutError` (with the path and the limit) once its
 * teardown has finished. Deadlines nest: an enclosing group's tighter
 * deadline still wins. (asyncio's `wait_for`, Trio's `fail_after`.)
 *
 * `op` is any operation: `call(fn)`, `sleep(ms)`, a generator's result, an
 * object with `*[Symbol.iterator]`. Its own error is thrown as it is.
 *
 * @param ms The time limit: 0 to 2^31−1 ms (Node's timer limit; more is a `RangeError`).
 * @param op The operation to limit (an operation, not a function that makes one).
 * @returns An operation with `op`'s value.
 * @throws A `TimeoutError` when the time is up, once `op`'s teardown has finished.
 *
 * @example
 * ```ts
 * import { main, useCancelSignal, withTimeout } from "unwind";
 * import { type Operation, until } from "effection";
 *
 * function* download(url: string): Operation<string> {
 *   const signal = yield* useCancelSignal(); // aborts the fetch when the time is up
 *   const response = yield* until(fetch(url, { signal }));
 *   return yield* until(response.text());
 * }
 *
 * await main(function* () {
 *   const page = yield* withTimeout(5_000, download("http://127.0.0.1:8080/"));
 *   console.log(page.length);
 * });
 * ```
 */
export function withTimeout<T>(ms: number, op: Operation<T>): Operation<T> {
  checkTimeLimit("withTimeout()", ms, op);
  return limited(ms, op, (error) => {
    throw error;
  });
}

/**
 * Runs `op`; if it has not finished after `ms` milliseconds, halts it and
 * returns `undefined` once its teardown has finished (Trio's
 * `move_on_after`).
 *
 * @param ms The time limit: 0 to 2^31−1 ms (Node's timer limit; more is a `RangeError`).
 * @param op The operation to limit.
 * @returns An operation with `op`'s value, or `undefined` if the time ran out.
 *
 * @example
 * ```ts
 * import { main, moveOnAfter } from "unwind";
 * import type { Operation } from "effection";
 *
 * declare function askTheCache(key: string): Operation<string>;
 *
 * await main(function* () {
 *   const reply = yield* moveOnAfter(1_000, askTheCache("user:42"));
 *   if (reply === undefined) console.log("cache too slow; going on without it");
 * });
 * ```
 */
export function moveOnAfter<T>(ms: number, op: Operation<T>): Operation<T | undefined> {
  checkTimeLimit("moveOnAfter()", ms, op);
  return limited<T | undefined>(ms, op, () => undefined);
}

function limited<T>(ms: number, op: Operation<T>, onTimeout: (error: TimeoutError) => T): Operation<T> {
  return {
    *[Symbol.iterator]() {
      try {
        return (yield* group(() => op, { timeout: ms })) as T;
      } catch (error) {
        // A group always throws a GroupError; this helper is transparent:
        // a single error is thrown (or the timeout handled) as it is.
        if (!(error instanceof GroupError) || error.failures.length !== 1) throw error;
        const only = error.failures[0]?.error;
        if (only instanceof TimeoutError) return onTimeout(only);
        throw only;
      }
    },
  };
}
