import { type Operation, until } from "effection";
import type { HaltReason } from "./halt-reason.ts";
import { isPromiseLike } from "./promise-like.ts";

/**
 * A cleanup as users write it: synchronous, or returning a promise that the
 * teardown waits for. It receives why the scope is being torn down
 * (`undefined` when it simply ended).
 *
 * @example
 * ```ts
 * import { type Cleanup, main, onTeardown } from "unwind";
 * import { until } from "effection";
 * import { open } from "node:fs/promises";
 *
 * await main(function* () {
 *   const log = yield* until(open("app.log", "a"));
 *   const closeLog: Cleanup = async (reason) => {
 *     await log.write(`closing (${reason?.kind ?? "done"})\n`);
 *     await log.close();
 *   };
 *   yield* onTeardown(closeLog);
 *   yield* until(log.write("started\n"));
 * });
 * ```
 */
export type Cleanup = (reason: HaltReason | undefined) => void | Promise<void>;

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
