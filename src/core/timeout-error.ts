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
    /**
     * Its time limit in milliseconds, from its start. Negative when its
     * `deadline` had passed before it started: by that many ms.
     */
    readonly ms: number,
  ) {
    super(timedOutMessage(path || "operation", ms));
  }
}

/**
 * `<who> timed out after <ms> ms`, or, when the limit had passed before
 * `who` started (a `deadline` in the past), by how much: a negative
 * duration would say nothing true.
 */
export function timedOutMessage(who: string, ms: number): string {
  if (ms >= 0) return `${who} timed out after ${ms} ms`;
  // Passed by more than ten years: a duration given as a deadline, surely.
  const hint =
    -ms > TEN_YEARS_MS
      ? " (a deadline is a time in ms since the epoch, such as Date.now() + 5_000; for a duration, use timeout)"
      : "";
  return `${who} timed out: its deadline had passed ${-ms} ms before it started${hint}`;
}

const TEN_YEARS_MS = 10 * 365 * 86_400_000;
