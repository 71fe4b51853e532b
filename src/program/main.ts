import type { Operation } from "effection";
import { addFailure, GroupError, type TaskFailure } from "../core/group-error.ts";
import type { Group, GroupOptions } from "../core/group-node.ts";
import { HaltReason } from "../core/halt-reason.ts";
import { recordSpawnSites } from "../core/spawn-site.ts";
import type { TaskTree } from "../observe/inspect.ts";
import { abandonedTeardown, failuresOf, formatFailures } from "../observe/report.ts";
import { ExitCode, signalExitCode } from "./exit-codes.ts";
import { keepAlive } from "./keep-alive.ts";
import { refuseNestedRoot } from "./nested-root.ts";
import { RootHandle } from "./run.ts";

/**
 * Options of `main()`: those of the root group, plus the process's life.
 *
 * @example
 * ```ts
 * await main(body, { signals: ["SIGTERM"], drainTimeout: 20_000, teardownTimeout: 25_000 });
 * ```
 */
export interface MainOptions extends GroupOptions {
  /** Signals that shut the program down. Default SIGINT, SIGTERM, SIGHUP (and SIGBREAK on Windows). */
  signals?: readonly NodeJS.Signals[];
  /**
   * Milliseconds of a drain phase at the first signal, before anything is
   * halted: servers (`serve()`, `mount()`) drain one after the other, newest
   * first, while every other task still runs. Default 0: no drain phase;
   * each server still drains, within its own `drainTimeout`, when the
   * teardown reaches its group. A second signal skips what is left of any
   * drain (in-flight requests are halted); a third one gives up on the
   * teardown (stuck report, exit 124).
   */
  drainTimeout?: number;
  /** How long teardown may take before the stuck report and exit 124. Default 10 000 ms. */
  teardownTimeout?: number;
  /**
   * Record where each task and group is started (from now on, for the
   * whole process), and show it in the stuck report and the task tree.
   * Costs a stack trace per spawn; off by default (also on with
   * `UNWIND_SPAWN_SITES=1` in the environment).
   */
  spawnSites?: boolean;
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
      /** Errors raised before main gave up (already printed with the stuck report). */
      readonly error?: GroupError;
    };

/**
 * The entry point of a program. Runs `body` as the root group and owns the
 * process's life:
 *
 * - the first signal halts the root, which tears the tree down in tree
 *   order; once teardown has finished the process exits with 128 + n
 *   (130 SIGINT, 143 SIGTERM, 129 SIGHUP). Servers (`serve()`, `mount()`)
 *   drain as their group tears down; with `drainTimeout`, main first drains
 *   them (newest first) for up to that long, then halts the root. A second
 *   signal while a server drains halts its in-flight requests;
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
  refuseNestedRoot("main", main);
  const {
    signals = defaultSignals(),
    teardownTimeout = 10_000,
    drainTimeout = 0,
    spawnSites,
    exit = true,
    ...groupOptions
  } = options;
  for (const [name, ms] of [
    ["teardownTimeout", teardownTimeout],
    ["drainTimeout", drainTimeout],
  ] as const) {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`main(): ${name} must be a number of milliseconds >= 0, got ${ms}`);
    }
  }
  if (spawnSites !== undefined) recordSpawnSites(spawnSites);
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
    const { text, error } = abandonedTeardown(owner, stuck, why);
    process.stderr.write(`${text}\n`);
    giveUp({
      status: "teardown-incomplete",
      exitCode: ExitCode.TeardownIncomplete,
      reason,
      stuck,
      ...(error ? { error } : {}),
    });
  };
  owner.onTeardownStarted = () => {
    deadline = setTimeout(abandon, teardownTimeout, "teardown-timeout");
  };
  // The drain phase (only with a drainTimeout): between the first signal and the halt of the root.
  let draining = false;
  let drainSkipped = false;
  let drainTimer: NodeJS.Timeout | undefined;
  const endDrain = () => {
    if (!draining || !signal) return;
    draining = false;
    clearTimeout(drainTimer);
    owner.halt(HaltReason.signal(signal));
  };
  // Newest first, one after the other, like a serial teardown: a server
  // started later may call one started earlier, which must still serve it.
  const drainInOrder = async () => {
    for (const drain of [...owner.drains].reverse()) {
      if (!draining) return;
      await drain.beginDrain();
    }
    endDrain();
  };
  const onSignal = (received: NodeJS.Signals) => {
    const drainLeft = draining || [...owner.drains].some((drain) => drain.drainInProgress);
    if (signal !== undefined && drainLeft && !drainSkipped) {
      // A second signal skips what is left of the drain: requests still in
      // flight are halted; the teardown goes on. A third one gives up on it.
      drainSkipped = true;
      for (const drain of owner.drains) drain.skipDrain(HaltReason.signal(received));
      return endDrain();
    }
    const tearingDown =
      signal !== undefined || (owner.group !== undefined && owner.group.state !== "running");
    if (tearingDown) return abandon("second-signal");
    signal = received;
    if (drainTimeout === 0 || owner.drains.size === 0) return owner.halt(HaltReason.signal(received));
    draining = true;
    drainTimer = setTimeout(endDrain, drainTimeout);
    void drainInOrder();
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
  clearTimeout(drainTimer);
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
