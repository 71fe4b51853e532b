import type { Effect, Operation } from "effection";

type Steps<T> = Iterator<Effect<unknown>, T, unknown>;

/**
 * An operation that goes on with `steps`, an operation's iterator whose
 * first step already ran (and gave `first`): `yield*` it in a new task to
 * run the rest there. Its first `next()` hands over `first`; everything
 * after, and `throw()` / `return()` (errors and halts), goes to `steps`.
 * This works because an effection effect does nothing until the task that
 * meets it enters it.
 */
export function resume<T>(steps: Steps<T>, first: IteratorResult<Effect<unknown>, T>): Operation<T> {
  return {
    [Symbol.iterator]() {
      let pending: IteratorResult<Effect<unknown>, T> | undefined = first;
      return {
        next(value: unknown) {
          if (!pending) return steps.next(value);
          const step = pending;
          pending = undefined;
          return step;
        },
        throw(error: unknown) {
          pending = undefined;
          if (steps.throw) return steps.throw(error);
          throw error;
        },
        return(value: T) {
          pending = undefined;
          return steps.return ? steps.return(value) : { done: true, value };
        },
      };
    },
  };
}
