import { type Operation, type Scope, until } from "effection";
import { internal } from "./effection-internals.ts";
import type { HaltReason } from "./halt-reason.ts";
import { isPromiseLike } from "./promise-like.ts";
import type { Cleanup, Owner } from "./types.ts";

/**
 * Runs one cleanup to the end. Its error goes to `failed` rather than up the
 * stack, so one broken cleanup never stops the ones after it.
 */
export function* runCleanup(
  cleanup: Cleanup,
  reason: HaltReason | undefined,
  failed: (error: unknown) => void,
): Operation<void> {
  try {
    const result = cleanup(reason);
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
    runCleanup(cleanup, owner?.haltReason, (error) => {
      if (!owner) throw error;
      owner.cleanupFailed(error);
    }),
  );
}
