import { type Effect, type Operation, scoped, until, useScope } from "effection";
import { checkShield } from "../core/arguments.ts";
import { internal } from "../core/effection-internals.ts";
import { ObservedSteps, observing } from "../core/observer.ts";
import { OwnerContext } from "../core/owner.ts";

/**
 * Options of `shield()`.
 *
 * @example
 * ```ts
 * import { main, type ShieldOptions, shield } from "unwind";
 * import type { Operation } from "effection";
 *
 * declare function flushLog(): Operation<void>;
 *
 * const atMostOneSecond: ShieldOptions = { timeout: 1_000 };
 *
 * await main(function* () {
 *   yield* shield(flushLog(), atMostOneSecond);
 * });
 * ```
 */
export interface ShieldOptions {
  /**
   * After this many ms of an ancestor's halt, the shielded operation is
   * halted after all. At most 2^31−1 (a larger value is a `RangeError`);
   * leave it out for no limit.
   */
  timeout?: number;
}

/**
 * Runs `op` so that an ancestor's halt does not interrupt it: the halt
 * waits until `op` has finished (or until `timeout` ms have passed, then
 * halts it), and then goes on. For work that must finish: flushing a file,
 * saying goodbye to a server, committing a transaction. (Trio's shielded
 * cancel scope, asyncio's `shield`.) Keep shielded work short; `main()`'s
 * `teardownTimeout` still bounds the whole shutdown.
 *
 * @param op The operation that must finish (an operation, not a function that makes one).
 * @param options `timeout`: how long an ancestor's halt waits for it at most.
 * @returns An operation with `op`'s value.
 *
 * @example
 * ```ts
 * import { main, shield } from "unwind";
 * import { type Operation, sleep } from "effection";
 *
 * declare function sendGoodbye(): Operation<void>;
 *
 * await main(function* () {
 *   yield* sleep(60_000);
 *   // Runs to its end even if Ctrl-C arrives in the middle (at most 2 s):
 *   yield* shield(sendGoodbye(), { timeout: 2_000 });
 * });
 * ```
 */
export function shield<T>(op: Operation<T>, options: ShieldOptions = {}): Operation<T> {
  checkShield(op, options);
  const { timeout } = options;
  return scoped(function* () {
    const scope = internal(yield* useScope());
    // `op` runs as a task of this scope: when the caller is halted, its
    // generator unwinds to here and destroys the scope. Destructors run
    // LIFO, so the one registered after the task runs before the task's
    // own halt: it waits for the task to finish first.
    //
    // The task itself never fails: its outcome is kept here. Thrown to the
    // caller when the caller is still there to catch it; when the caller
    // was halted, it is reported as a teardown failure of the task (or
    // group body) that called shield(), with that one's path.
    let outcome: Outcome<T> | undefined;
    function* protect(): Generator<Effect<unknown>, void, unknown> {
      try {
        outcome = { ok: true, value: yield* op };
      } catch (error) {
        outcome = { ok: false, error };
      }
    }
    // Traced (unwind/otel): the operation runs as code of the caller's task.
    const observer = observing.current;
    const owner = scope.get(OwnerContext);
    const task = scope.run(() =>
      observer && owner
        ? { [Symbol.iterator]: () => new ObservedSteps(observer, owner, protect()) }
        : protect(),
    );
    let delivered = false;
    scope.ensure(function* () {
      yield* until(finishedOrTimedOut(task, timeout));
      yield* task.halt(); // after its own timeout; at once if it has finished
      if (!delivered && outcome && !outcome.ok) {
        const owner = scope.get(OwnerContext);
        if (!owner) throw outcome.error;
        owner.cleanupFailed(outcome.error);
      }
    });
    yield* task;
    delivered = true;
    const result = outcome as Outcome<T>; // set: the task has finished
    if (!result.ok) throw result.error;
    return result.value;
  });
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

function finishedOrTimedOut(task: PromiseLike<unknown>, timeout: number | undefined): Promise<void> {
  const finished = Promise.resolve(task).then(
    () => {},
    () => {},
  );
  if (timeout === undefined) return finished;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeout);
  });
  return Promise.race([finished, timedOut]).finally(() => clearTimeout(timer));
}
