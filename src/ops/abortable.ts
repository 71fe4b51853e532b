import { type Coroutine, type Effect, Err, Ok, type Operation, type Result } from "effection";
import { exitAtOnce, OK } from "../core/effection-internals.ts";
import { OwnerContext } from "../core/owner.ts";
import { promiseWorkSettled, promiseWorkStarted } from "../core/promise-work.ts";
import type { Owner } from "../core/types.ts";

/**
 * Awaits promise work that can be cancelled, and on a halt cancels it and
 * waits for it. `fn` is called with the current task's cancel signal (see
 * `useCancelSignal()`); pass it on to `fetch`, a database driver, a child
 * process. When the task is halted the signal aborts, and the task's
 * teardown stays open until the promise has settled: a parent's cleanup
 * (closing the pool the query runs on) never runs while the work is still
 * in flight. Post-order teardown holds for promise work too.
 *
 * While halting, a rejection with the abort reason (the `AbortError` that
 * `fetch` and Node's APIs give) is the expected end, not a failure; any
 * other rejection is reported as a teardown failure of the task. The wait
 * is bounded by `main()`'s `teardownTimeout`, whose stuck report then says
 * that the task is waiting for aborted work.
 *
 * effection's `until(promise)` abandons the promise on a halt instead: keep
 * it for promises that hold nothing (a value that is already on its way).
 * Only a halt of the unwind task (or group body) aborts the signal: the
 * loser of effection's own `race()` inside a task is not, so its work is
 * abandoned as with `until`; use `withTimeout()` / `moveOnAfter()`, which
 * do abort it.
 *
 * @example
 * ```ts
 * import { abortable, main } from "unwind";
 *
 * await main(function* () {
 *   const response = yield* abortable((signal) => fetch("https://example.com/", { signal }));
 *   const text = yield* abortable(() => response.text());
 *   console.log(text.length);
 * });
 * ```
 */
export function abortable<T>(fn: (signal: AbortSignal) => PromiseLike<T>): Operation<T> {
  return {
    [Symbol.iterator]: () => new Abortable(fn),
  };
}

/** One effect: starts the work when the task enters it; its exit is the halt's wait. */
class Abortable<T> implements Iterator<Effect<T>, T, unknown>, Effect<T> {
  readonly description = "abortable()";
  private entered = false;

  constructor(private readonly fn: (signal: AbortSignal) => PromiseLike<T>) {}

  next(value?: unknown): IteratorResult<Effect<T>, T> {
    if (this.entered) return { done: true, value: value as T };
    return { done: false, value: this };
  }

  throw(error: unknown): IteratorResult<Effect<T>, T> {
    throw error;
  }

  enter(
    resolve: (result: Result<T>) => void,
    routine: Coroutine,
  ): (exited: (result: Result<void>) => void) => void {
    this.entered = true;
    const owner = routine.scope.get(OwnerContext);
    if (!owner?.cancelSignal) {
      resolve(Err(new Error("abortable() must run inside main(), run() or group()")));
      return exitAtOnce;
    }
    const signal = owner.cancelSignal();
    let work: PromiseLike<T>;
    try {
      work = this.fn(signal);
    } catch (error) {
      resolve(Err(error));
      return exitAtOnce;
    }
    let settled = false;
    // The virtual clock of unwind/testing does not jump while this is pending.
    promiseWorkStarted();
    Promise.resolve(work).then(
      (value) => {
        settled = true;
        promiseWorkSettled();
        resolve(Ok(value));
      },
      (error: unknown) => {
        settled = true;
        promiseWorkSettled();
        resolve(Err(error));
      },
    );
    return (exited) => {
      // Left before the work settled: the task is being halted. Only a halt
      // of the task aborts the signal; without one the work cannot be
      // stopped, and it is abandoned (see the JSDoc).
      if (settled || !signal.aborted) return exited(OK);
      waitForAbortedWork(owner, signal, work, this.fn.name, () => exited(OK));
    };
  }
}

/** Holds the task's teardown open until `work` settles; reports a rejection that is not the abort. */
function waitForAbortedWork(
  owner: Owner,
  signal: AbortSignal,
  work: PromiseLike<unknown>,
  name: string,
  done: () => void,
): void {
  const what = `aborted work (abortable(${name || "fn"}))`;
  owner.waitingFor = what;
  const finished = () => {
    if (owner.waitingFor === what) owner.waitingFor = undefined;
    done();
  };
  Promise.resolve(work).then(finished, (error: unknown) => {
    if (!isAbortOf(error, signal)) owner.cleanupFailed(error);
    finished();
  });
}

/** Did the work end because `signal` aborted it? The reason itself, or an `AbortError`. */
function isAbortOf(error: unknown, signal: AbortSignal): boolean {
  if (error === signal.reason) return true;
  if (typeof error !== "object" || error === null) return false;
  const { name, cause } = error as { name?: unknown; cause?: unknown };
  return name === "AbortError" || cause === signal.reason;
}
