/**
 * A group (or `withTimeout`) ran out of time. Thrown only after the
 * operation that timed out has finished its teardown.
 *
 * @example
 * ```ts
 * import { main, TimeoutError, withTimeout } from "unwind";
 * import { suspend } from "effection";
 *
 * await main(function* () {
 *   try {
 *     yield* withTimeout(100, suspend());
 *   } catch (error) {
 *     if (error instanceof TimeoutError) console.log(error.path, error.ms); // main 100
 *   }
 * });
 * ```
 */
export class TimeoutError extends Error {
  override name = "TimeoutError";

  constructor(
    /** Path of the group that timed out. */
    readonly path: string,
    /** Its time limit in milliseconds. */
    readonly ms: number,
  ) {
    super(`${path || "operation"} timed out after ${ms} ms`);
  }
}
