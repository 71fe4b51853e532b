import { type Operation, until } from "effection";
import type { HaltReason } from "./halt-reason.ts";
import { isPromiseLike } from "./promise-like.ts";
import type { Cleanup } from "./types.ts";

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
