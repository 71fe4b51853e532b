import type { Effect, Operation } from "effection";

type Steps<T> = Iterator<Effect<unknown>, T, unknown>;

/**
 * An operation that goes on with `steps`, an operation's iterator whose
 * first step already ran (and gave `first`): `yield*` it in a new task to
 * run the rest there. This works because an effection effect does nothing
 * until the task that meets it enters it.
 */
export function resume<T>(steps: Steps<T>, first: IteratorResult<Effect<unknown>, T>): Operation<T> {
  return new Resumed(steps, first);
}

/**
 * Its first `next()` hands over `first`; everything after, and `throw()` /
 * `return()` (errors and halts), goes to `steps`. A class rather than an
 * object of closures: one allocation per request scope.
 */
class Resumed<T> implements Operation<T>, Iterator<Effect<unknown>, T, unknown> {
  constructor(
    private readonly steps: Steps<T>,
    private pending: IteratorResult<Effect<unknown>, T> | undefined,
  ) {}

  [Symbol.iterator](): Iterator<Effect<unknown>, T, unknown> {
    return this;
  }

  next(value?: unknown): IteratorResult<Effect<unknown>, T> {
    const step = this.pending;
    if (!step) return this.steps.next(value);
    this.pending = undefined;
    return step;
  }

  throw(error: unknown): IteratorResult<Effect<unknown>, T> {
    this.pending = undefined;
    if (this.steps.throw) return this.steps.throw(error);
    throw error;
  }

  return(value: T): IteratorResult<Effect<unknown>, T> {
    this.pending = undefined;
    return this.steps.return ? this.steps.return(value) : { done: true, value };
  }
}
