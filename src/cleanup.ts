import { type Operation, until } from "effection";
import { isPromiseLike } from "./promise-like.ts";

/**
 * A cleanup as users write it: synchronous, or returning a promise that the
 * teardown waits for.
 *
 * @example
 * ```ts
 * import type { Cleanup } from "unwind";
 *
 * const closeFile: Cleanup = async () => { await handle.close(); };
 * ```
 */
export type Cleanup = () => void | Promise<void>;

/**
 * Runs one cleanup to the end. Its error goes to `failed` rather than up the
 * stack, so one broken cleanup never stops the ones after it.
 */
export function* runCleanup(cleanup: Cleanup, failed: (error: unknown) => void): Operation<void> {
  try {
    const result = cleanup();
    if (isPromiseLike(result)) yield* until(result);
  } catch (error) {
    failed(error);
  }
}
