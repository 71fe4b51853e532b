import type { Coroutine, Effect, Operation, Result, Scope } from "effection";
import { checkOnTeardown } from "./arguments.ts";
import { addScopeCleanup } from "./cleanup.ts";
import { exitAtOnce, OK } from "./effection-internals.ts";
import { OwnerContext } from "./owner.ts";
import type { Cleanup } from "./types.ts";

/**
 * Registers a cleanup in the current task (or group body). It runs exactly
 * once when that scope ends, whether by return, error, halt, signal or a
 * sibling's failure, and only after everything started inside the scope has
 * finished its own teardown. Cleanups of one scope run newest first.
 *
 * This is the safe place for asynchronous cleanup: return a promise and the
 * teardown waits for it. (An `await`/`yield*` inside `finally` can lose the
 * halt in effection 4.1; keep `finally` blocks synchronous.) A cleanup that
 * throws does not stop the other cleanups: its error is reported with the
 * task's path and phase `teardown` in the group's `GroupError`.
 *
 * The cleanup receives the `HaltReason` when the scope is being halted
 * (`undefined` when it simply ended).
 *
 * @param cleanup A plain or async function (not a generator function: its body
 *   would never run). It receives the `HaltReason`, or `undefined`.
 * @returns An operation that registers the cleanup: run it with `yield*`
 *   (without it nothing is registered).
 *
 * The cleanup is registered in the step that reaches `yield*
 * onTeardown(fn)`: registering is not a halt point, so a cleanup registered
 * right after an acquisition always runs. Without `yield*` nothing is
 * registered (an operation does nothing until it is run).
 *
 * @example
 * ```ts
 * import { main, onTeardown } from "unwind";
 * import { suspend } from "effection";
 * import { createConnection } from "node:net";
 *
 * await main(function* () {
 *   const socket = createConnection(6600, "127.0.0.1");
 *   yield* onTeardown(async () => {
 *     socket.end("close\n");
 *     await new Promise((resolve) => socket.once("close", resolve));
 *   });
 *   yield* suspend();
 * });
 * ```
 */
export function onTeardown(cleanup: Cleanup): Operation<void> {
  checkOnTeardown(cleanup);
  return {
    [Symbol.iterator]: () => new Registration(cleanup),
  };
}

/**
 * `onTeardown()` as one effect that registers the cleanup when the task
 * enters it, in the same synchronous step as the code before it. Registering
 * is therefore not a halt point: a halt that arrives right after (say, the
 * parent halting a `g.start()` child as soon as `ready()` let it go on) finds
 * the cleanup registered. (A `yield* useScope()` first, then the
 * registration, would give the halt a step in between, and lose the cleanup.)
 */
class Registration implements Iterator<Effect<void>, void, unknown>, Effect<void> {
  readonly description = "onTeardown()";
  private entered = false;

  constructor(private readonly cleanup: Cleanup) {}

  next(): IteratorResult<Effect<void>, void> {
    if (this.entered) return { done: true, value: undefined };
    return { done: false, value: this };
  }

  throw(error: unknown): IteratorResult<Effect<void>, void> {
    throw error;
  }

  enter(
    resolve: (result: Result<void>) => void,
    routine: Coroutine,
  ): (exited: (result: Result<void>) => void) => void {
    this.entered = true;
    addTeardown(routine.scope, this.cleanup);
    resolve(OK);
    return exitAtOnce;
  }
}

/**
 * Registers `cleanup` in `scope` exactly as `onTeardown()` does, without a
 * step of its own: a caller that has just started something (a process, a
 * thread) registers its teardown in the same synchronous stretch of code,
 * so no halt can come between the start and the registration. Returns a
 * function that takes the cleanup back, for a resource that ended by itself
 * while its owner goes on (so a long-lived owner does not pile them up).
 */
export function addTeardown(scope: Scope, cleanup: Cleanup): () => void {
  const owner = scope.get(OwnerContext);
  return owner ? owner.addTeardown(scope, cleanup) : addScopeCleanup(scope, cleanup, undefined);
}
