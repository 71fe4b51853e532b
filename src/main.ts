import type { Operation } from "effection";
import { ExitCode, signalExitCode } from "./exit-codes.ts";
import { addFailure, GroupError, type TaskFailure } from "./group-error.ts";
import type { Group, GroupOptions } from "./group-node.ts";
import { HaltReason } from "./halt-reason.ts";
import type { TaskTree } from "./inspect.ts";
import { keepAlive } from "./keep-alive.ts";
import { failuresOf, formatFailures, formatStuckReport } from "./report.ts";
import { RootHandle } from "./run.ts";

/**
 * Options of `main()`: those of the root group, plus the process's life.
 *
 * @example
 * ```ts
 * await main(body, { signals: ["SIGTERM"], teardownTimeout: 25_000, teardown: "concurrent" });
 * ```
 */
export interface MainOptions extends GroupOptions {
  /** Signals that shut the program down. Default SIGINT, SIGTERM, SIGHUP (and SIGBREAK on Windows). */
  signals?: readonly NodeJS.Signals[];
  /** How long teardown may take before the stuck report and exit 124. Default 10 000 ms. */
  teardownTimeout?: number;
  /** Call `process.exit` at the end (default). With `false`, resolve with the outcome instead. */
  exit?: boolean;
}

/**
 * How a `main()` ended: what `exit: false` resolves with.
 *
 * @example
 * ```ts
 * import { main } from "unwind";
 *
 * const outcome = await main(body, { exit: false });
 * if (outcome.status === "teardown-incomplete") console.error(outcome.stuck);
 * process.exitCode = outcome.exitCode;
 * ```
 */
export type MainOutcome<T> =
  | { readonly status: "ok"; readonly exitCode: 0; readonly value: T }
  | { readonly status: "error"; readonly exitCode: 1; readonly error: GroupError }
  | {
      readonly status: "signal";
      readonly exitCode: number;
      readonly signal: NodeJS.Signals;
      /** Errors raised during the shutdown (already printed). */
      readonly error?: GroupError;
    }
  | {
      readonly status: "teardown-incomplete";
      readonly exitCode: 124;
      readonly reason: "teardown-timeout" | "second-signal";
      /** The tasks still open when main gave up on them. */
      readonly stuck: TaskTree | undefined;
    };

/**
 * The entry point of a program. Runs `body` as the root group and owns the
 * process's life:
 *
 * - the first signal halts the root, which tears the tree down in tree
 *   order; once teardown has finished the process exits with 128 + n
 *   (130 SIGINT, 143 SIGTERM, 129 SIGHUP);
 * - a second signal while tearing down prints the stuck report (which tasks
 *   are still open, in which state, for how long) and exits 124 at once;
 * - teardown that outlasts `teardownTimeout` does the same;
 * - an error (in the body, a task, a cleanup, or an `uncaughtException` /
 *   `unhandledRejection` anywhere in the process) tears the tree down, is
 *   printed once with every aggregated cause, and exits 1;
 * - the body returning exits 0.
 *
 * Every listener and timer main installs is gone when it settles.
 *
 * @example
 * ```ts
 * import { main, onTeardown } from "unwind";
 * import { suspend } from "effection";
 *
 * await main(function* (root) {
 *   root.spawn(function* () {
 *     yield* onTeardown(async () => console.log("flushed"));
 *     yield* suspend();
 *   }, { name: "writer" });
 *   yield* suspend(); // until Ctrl-C: prints "flushed", exits 130
 * }, { teardownTimeout: 5_000 });
 * ```
 */
export async function main<T>(
  body: (root: Group) => Operation<T>,
  options: MainOptions = {},
): Promise<MainOutcome<T>> {
  const { signals = defaultSignals(), teardownTimeout = 10_000, exit = true, ...groupOptions } = options;
  if (!Number.isFinite(teardownTimeout) || teardownTimeout < 0) {
    throw new RangeError(
      `main(): teardownTimeout must be a number of milliseconds >= 0, got ${teardownTimeout}`,
    );
  }
  const release = keepAlive();
  const root = new RootHandle<T>(groupOptions.name ?? "main");
  const { owner } = root;

  let signal: NodeJS.Signals | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let giveUp!: (outcome: MainOutcome<T>) => void;
  const gaveUp = new Promise<MainOutcome<T>>((resolve) => {
    giveUp = resolve;
  });
  let abandoned = false;
  const abandon = (reason: "teardown-timeout" | "second-signal") => {
    if (abandoned) return;
    abandoned = true;
    const stuck = root.inspect();
    const why =
      reason === "teardown-timeout"
        ? `teardown did not finish within ${teardownTimeout} ms`
        : "a signal arrived while tearing down";
    process.stderr.write(`${formatStuckReport(stuck, why)}\n`);
    giveUp({ status: "teardown-incomplete", exitCode: ExitCode.TeardownIncomplete, reason, stuck });
  };
  owner.onTeardownStarted = () => {
    deadline = setTimeout(abandon, teardownTimeout, "teardown-timeout");
  };
  const onSignal = (received: NodeJS.Signals) => {
    const tearingDown =
      signal !== undefined || (owner.group !== undefined && owner.group.state !== "running");
    if (tearingDown) return abandon("second-signal");
    signal = received;
    owner.halt(HaltReason.signal(received));
  };
  const onUncaught = (error: unknown, origin: "uncaughtException" | "unhandledRejection") => {
    owner.fail({ path: root.path, phase: "run", error, origin });
  };
  const onRejection = (reason: unknown) => onUncaught(reason, "unhandledRejection");
  for (const name of signals) process.on(name, onSignal);
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onRejection);
  // Only now: the body may run synchronously up to its first pause.
  root.start(body, groupOptions);

  const finished = root.then(
    (value) => ({ value, failures: owner.failures }),
    (error: unknown) => {
      const failures: TaskFailure[] = [...failuresOf(error, root.path)];
      for (const failure of owner.failures) addFailure(failures, failure);
      return { value: undefined, failures };
    },
  );
  const ended = await Promise.race([finished, gaveUp]);

  clearTimeout(deadline);
  release();
  for (const name of signals) process.off(name, onSignal);
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onRejection);

  const outcome = "status" in ended ? ended : outcomeOf<T>(ended.value, ended.failures, root.path, signal);
  if ("error" in outcome && outcome.error) {
    const title =
      outcome.status === "signal" ? `errors during the ${outcome.signal} shutdown` : `${root.path} failed`;
    process.stderr.write(`${formatFailures(outcome.error.failures, title)}\n`);
  }
  if (exit) process.exit(outcome.exitCode);
  return outcome;
}

function outcomeOf<T>(
  value: T | undefined,
  failures: readonly TaskFailure[],
  path: string,
  signal: NodeJS.Signals | undefined,
): MainOutcome<T> {
  const error = failures.length > 0 ? new GroupError(path, failures) : undefined;
  if (signal) {
    const exitCode = signalExitCode(signal);
    return error ? { status: "signal", exitCode, signal, error } : { status: "signal", exitCode, signal };
  }
  if (error) return { status: "error", exitCode: ExitCode.Failure, error };
  return { status: "ok", exitCode: ExitCode.Ok, value: value as T };
}

function defaultSignals(): NodeJS.Signals[] {
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  if (process.platform === "win32") signals.push("SIGBREAK");
  return signals;
}
