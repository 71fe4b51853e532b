import { type Operation, type Scope, until } from "effection";
import { internal } from "./effection-internals.ts";
import { observing } from "./observer.ts";
import { isPromiseLike } from "./promise-like.ts";
import type { Cleanup, Owner } from "./types.ts";

/**
 * Runs one cleanup of `owner` to the end, with the owner's halt reason as it
 * is now, as code of the owner (for an observer, see observer.ts). Its error
 * goes to `failed` rather than up the stack, so one broken cleanup never
 * stops the ones after it.
 */
export function* runCleanup(
  cleanup: Cleanup,
  owner: Owner | undefined,
  failed: (error: unknown) => void,
): Operation<void> {
  try {
    const reason = owner?.haltReason;
    const observer = observing.current;
    const result = observer && owner ? observer.within(owner, () => cleanup(reason)) : cleanup(reason);
    if (isPromiseLike(result)) yield* until(result);
  } catch (error) {
    failed(error);
  }
}

/**
 * Puts `cleanup` on `scope`'s own destructor stack: it runs when the scope
 * ends, after everything started in the scope, and gets `owner`'s halt
 * reason as it is then. Its error goes to `owner` (thrown without one).
 * Returns a function that takes the cleanup back.
 */
export function addScopeCleanup(scope: Scope, cleanup: Cleanup, owner: Owner | undefined): () => void {
  return internal(scope).ensure(() =>
    runCleanup(cleanup, owner, (error) => {
      if (!owner) throw error;
      owner.cleanupFailed(error);
    }),
  );
}
