import type { Coroutine, Effect, Operation, Result, Scope } from "effection";
import { exitAtOnce, OK } from "./effection-internals.ts";
import { type ObservedNode, observing } from "./observer.ts";

/** What a `TaskRun` tells its task: the task's side of the protocol. */
export interface TaskBody<T> {
  /** The task's own effection scope, before the body's first step. */
  enterScope(scope: Scope): void;
  /** The body returned `value` by itself. */
  bodyReturned(value: T): void;
  /** The body threw `error`; `halted`: while its halt was unwinding it. */
  bodyFailed(error: unknown, halted: boolean): void;
  /** The body went on after its halt and ended by itself (see `TaskRun`). */
  bodySwallowedHalt(): void;
  /** After any of the above, or a halt that ended the body (or came before its first step). */
  bodyEnded?(): void;
}

/** What a body that went on after its halt is reported with. */
export function swallowedHaltError(path: string): Error {
  return new Error(
    `the body of ${path} went on after its halt: a yield* inside a finally swallowed it; use onTeardown() for asynchronous cleanup`,
  );
}

/** Passed to the body's `return()` on a halt: a body that ends by that halt gives it back. */
const HALTED: unique symbol = Symbol("unwind.halted");
const DONE: IteratorReturnResult<void> = { done: true, value: undefined };

/**
 * The operation effection runs as one task: it enters the task's scope,
 * runs the user's body, and tells the task how the body ended.
 *
 * Written out as an iterator rather than a generator for one reason: it
 * sees the halt reach the body. effection halts a task by calling
 * `return()` down its chain of `yield*`s; this passes a sentinel to the
 * body's `return()`. A body that ends by its halt gives the sentinel back,
 * even when its own `finally` waits (`yield*`) on the way. A body that
 * comes back with anything else went on after its halt: a `yield*` inside
 * the `finally` of a generator it delegated to turned the halt into a
 * normal return of that generator (effection #1190, #1154), and the body
 * carried on from there. JavaScript cannot be stopped from doing that, but
 * it can be seen, at completion, and reported. (A check of the task's state
 * after `yield* body()` in a generator could not tell the two apart: the
 * halt reaches a delegating generator as a normal return in both cases.)
 *
 * One object per task, as the generator it replaces was.
 */
export class TaskRun<T> implements Operation<void>, Iterator<Effect<unknown>, void, unknown>, Effect<void> {
  readonly description = "unwind task";
  private body: Iterator<Effect<unknown>, T, unknown> | undefined;
  private entered = false;
  private halted = false;

  constructor(
    private readonly task: TaskBody<T> & ObservedNode,
    private readonly op: () => Operation<T>,
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  /** The first step: this object as an effect, to learn the task's scope. */
  enter(
    resolve: (result: Result<void>) => void,
    routine: Coroutine,
  ): (exited: (result: Result<void>) => void) => void {
    this.task.enterScope(routine.scope);
    resolve(OK);
    return exitAtOnce;
  }

  // Each step goes through the observer when one is installed (observer.ts):
  // a tracer runs it inside the task's own context. Otherwise one property read.

  next(value?: unknown): IteratorResult<Effect<unknown>, void> {
    const observer = observing.current;
    return observer ? observer.step(this.task, () => this.nextStep(value)) : this.nextStep(value);
  }

  throw(error: unknown): IteratorResult<Effect<unknown>, void> {
    const observer = observing.current;
    return observer ? observer.step(this.task, () => this.throwStep(error)) : this.throwStep(error);
  }

  /** The halt. */
  return(): IteratorResult<Effect<unknown>, void> {
    const observer = observing.current;
    return observer ? observer.step(this.task, () => this.returnStep()) : this.returnStep();
  }

  private nextStep(value: unknown): IteratorResult<Effect<unknown>, void> {
    if (!this.entered) {
      this.entered = true;
      return { done: false, value: this };
    }
    try {
      this.body ??= this.op()[Symbol.iterator]();
      return this.ended(this.body.next(value));
    } catch (error) {
      return this.failed(error);
    }
  }

  private throwStep(error: unknown): IteratorResult<Effect<unknown>, void> {
    try {
      if (!this.body?.throw) throw error;
      return this.ended(this.body.throw(error));
    } catch (thrown) {
      return this.failed(thrown);
    }
  }

  /** A body that has not started, or cannot be returned, has nothing to unwind. */
  private returnStep(): IteratorResult<Effect<unknown>, void> {
    this.halted = true;
    if (!this.body?.return) return this.done();
    try {
      return this.ended(this.body.return(HALTED as T));
    } catch (error) {
      return this.failed(error);
    }
  }

  private ended(step: IteratorResult<Effect<unknown>, T>): IteratorResult<Effect<unknown>, void> {
    if (!step.done) return step;
    if (!this.halted) this.task.bodyReturned(step.value);
    else if (step.value !== HALTED) this.task.bodySwallowedHalt();
    return this.done();
  }

  private failed(error: unknown): IteratorResult<Effect<unknown>, void> {
    this.task.bodyFailed(error, this.halted);
    return this.done();
  }

  private done(): IteratorResult<Effect<unknown>, void> {
    this.task.bodyEnded?.();
    return DONE;
  }
}
