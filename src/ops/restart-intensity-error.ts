/**
 * A `supervisor()` gave up: its children failed (or, for permanent ones,
 * ended) more than `maxRestarts` times within `withinMs`. The supervisor
 * then tears everything down and throws a `GroupError` whose failures are
 * this error and each failure that made up the intensity, every one with
 * its task path.
 *
 * @example
 * ```ts
 * import { GroupError, main, RestartIntensityError, supervisor } from "unwind";
 *
 * await main(function* () {
 *   try {
 *     yield* supervisor(function* (s) {
 *       s.spawn(function* () { throw new Error("no such table"); }, { name: "migrate" });
 *     }, { maxRestarts: 3, withinMs: 5_000 });
 *   } catch (error) {
 *     const gaveUp = error instanceof GroupError
 *       ? error.failures.find((f) => f.error instanceof RestartIntensityError)?.error
 *       : undefined;
 *     if (gaveUp instanceof RestartIntensityError) console.error(`gave up after ${gaveUp.restarts} restarts`);
 *     throw error;
 *   }
 * });
 * ```
 */
export class RestartIntensityError extends Error {
  override name = "RestartIntensityError";

  constructor(
    /** The supervisor's path. */
    readonly path: string,
    /** The restarts allowed within `withinMs`. */
    readonly maxRestarts: number,
    /** The window of the restart intensity, in ms. */
    readonly withinMs: number,
    /** How many restarts the supervisor made in all before it gave up. */
    readonly restarts: number,
  ) {
    super(
      `${path || "supervisor"}: more than ${maxRestarts} ${maxRestarts === 1 ? "restart" : "restarts"} within ${withinMs} ms ` +
        `(${restarts} in all); gave up and tore its children down. ` +
        "Fix the failing child, or allow more restarts (maxRestarts, withinMs, backoff).",
    );
  }
}
