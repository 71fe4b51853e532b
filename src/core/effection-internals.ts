import { Ok, type Operation, type Result, type Scope } from "effection";

/**
 * The one effection 4 runtime hook unwind relies on beyond the public API.
 *
 * Every effection scope keeps a LIFO stack of destructors (`scope.ensure`),
 * run when the scope is destroyed, *after* the tasks spawned in it have been
 * halted. That is exactly the place for a task's own cleanups (post-order),
 * and it costs one `Set.add`. The public `ensure()` would do the same job
 * through a resource, i.e. a whole extra task per cleanup, so it was
 * rejected for the hot path (benchmarks/RESULTS.md has both costs). The
 * method exists on every scope of effection 4.0 and 4.1; `internal()` turns
 * a future change into a clear error instead of silent misbehaviour.
 */
export interface ScopeInternal extends Scope {
  ensure(destructor: () => Operation<void>): () => void;
}

let checked = false;

/** The scope with its destructor stack; checks once that the runtime has one. */
export function internal(scope: Scope): ScopeInternal {
  if (!checked) {
    if (typeof (scope as Partial<ScopeInternal>).ensure !== "function") {
      throw new Error(
        "unwind: this version of effection has no scope.ensure(); unwind supports effection ^4.1",
      );
    }
    checked = true;
  }
  return scope as ScopeInternal;
}

/** An operation that does nothing: what a synchronous destructor returns. */
export const NOTHING: Operation<void> = {
  *[Symbol.iterator]() {},
};

/** A successful, empty result (effection's `Ok()`), made once. */
export const OK: Result<void> = Ok();

/** The exit of an effect that holds nothing: done at once. */
export const exitAtOnce = (exited: (result: Result<void>) => void): void => exited(OK);
