import { constants } from "node:os";

/**
 * The exit codes of `main()`.
 *
 * - `0` the body returned;
 * - `1` something failed (the errors were printed);
 * - `128 + n` a signal shut the program down and teardown finished
 *   (130 SIGINT, 143 SIGTERM, 129 SIGHUP), even if a cleanup failed (its
 *   error was printed);
 * - `124` teardown did not finish: the `teardownTimeout` passed, or a second
 *   signal asked to stop at once. The stuck report names the tasks.
 *
 * @example
 * ```ts
 * import { ExitCode, main } from "unwind";
 * import { sleep } from "effection";
 *
 * const outcome = await main(function* () {
 *   yield* sleep(100);
 * }, { exit: false });
 * if (outcome.exitCode === ExitCode.TeardownIncomplete) console.error("some cleanups did not finish");
 * process.exit(outcome.exitCode);
 * ```
 */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  TeardownIncomplete: 124,
} as const;

/** 128 + the signal's number, as shells report a death by signal. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}
