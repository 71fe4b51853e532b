import type { Operation } from "effection";
import { checkMain, returnsOperation } from "../core/arguments.ts";
import { addFailure, GroupError } from "../core/group-error.ts";
import { HaltReason } from "../core/halt-reason.ts";
import { recordSpawnSites } from "../core/spawn-site.ts";
import type { Group, GroupOptions, TaskFailure } from "../core/types.ts";
import { colorsFor } from "../observe/colors.ts";
import type { TaskTree } from "../observe/inspect.ts";
import { abandonedTeardown, failuresOf, formatFailures } from "../observe/report.ts";
import type { TeardownProgress } from "../observe/teardown-progress.ts";
import { isClusterWorker } from "./cluster-membership.ts";
import { CLUSTER_WORKER_DRAIN_TIMEOUT, listenForShutdown } from "./cluster-worker.ts";
import { ExitCode, signalExitCode } from "./exit-codes.ts";
import { type ProgramHost, processHost } from "./host.ts";
import { refuseNestedRoot } from "./nested-root.ts";
import { ProcessListeners } from "./process-listeners.ts";
import { RootHandle } from "./run.ts";
import { ShutdownLadder } from "./shutdown-ladder.ts";

/**
 * Options of `main()`: those of the root group, plus the process's life.
 *
 * @example
 * ```ts
 * import { type MainOptions, main } from "unwind";
 * import { suspend } from "effection";
 *
 * // For Kubernetes: the drain and the teardown fit in terminationGracePeriodSeconds (30 s).
 * const options: MainOptions = { signals: ["SIGTERM", "SIGINT"], drainTimeout: 15_000, teardownTimeout: 10_000 };
 *
 * await main(function* () {
 *   yield* suspend();
 * }, options);
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
   * teardown (stuck report, exit 124). In a worker of `cluster()` the
   * default is 10 000: its servers drain while everything runs, which is
   * what lets them serve, during a reload, the requests that still reach
   * them (a group that is tearing down starts no request scope). At most
   * 2^31−1 (a larger value is a `RangeError`).
   */
  drainTimeout?: number;
  /**
   * Milliseconds to keep serving after the first signal while readiness
   * answers 503, before the drain: load balancers (Kubernetes' endpoints,
   * ingress controllers) go on sending new connections for a few seconds
   * after SIGTERM. The largest of this and every server's own
   * `shutdownDelay` is used. Default 0. A second signal skips the delay.
   */
  shutdownDelay?: number;
  /**
   * How long teardown may take before the stuck report and exit 124,
   * counted from the start of the teardown. Default 10 000 ms; at most
   * 2^31−1 (about 24.8 days, Node's timer limit: a larger value is a
   * `RangeError`, not a deadline that passes after 1 ms).
   */
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
  /**
   * Let `npx unwind tree <pid>` print this program's live task tree (default
   * `true`): main() listens on a Unix socket in a directory only its user
   * can enter, answers only when asked, and removes the socket when it
   * settles. `false`: no socket.
   */
  inspect?: boolean;
}

/**
 * How a `main()` ended: what `exit: false` resolves with.
 *
 * @example
 * ```ts
 * import { main } from "unwind";
 *
 * const outcome = await main(function* () {
 *   return 42;
 * }, { exit: false });
 * if (outcome.status === "ok") console.log(outcome.value + 1); // 43: value is a number here
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
      /**
       * How far each group still tearing children down had got: serial
       * groups with children waiting their turn (with an estimate of the
       * time they still needed), concurrent groups with children still in
       * their teardown. Deepest first; printed with the stuck report.
       */
      readonly progress: readonly TeardownProgress[];
      /**
       * When the deadline cut the teardown short and `progress` has an
       * estimate: the `teardownTimeout` that would likely have let it
       * finish (time spent plus the largest estimate, and a tenth to spare).
       */
      readonly suggestedTeardownTimeout?: number;
      /** Errors raised before main gave up (already printed with the stuck report). */
      readonly error?: GroupError;
    };

/**
 * The entry point of a program. Runs `body` as the root group and owns the
 * process's life:
 *
 * - the first signal walks down the shutdown ladder: with a
 *   `shutdownDelay`, servers (`serve()`, `mount()`) keep serving while their
 *   readiness answers 503; with a `drainTimeout`, they drain (newest first)
 *   for up to that long while every other task still runs; then the root is
 *   halted and the tree tears down in tree order (servers without a drain
 *   phase drain as their group tears down). Once teardown has finished the
 *   process exits with 128 + n (130 SIGINT, 143 SIGTERM, 129 SIGHUP);
 * - each further signal skips what is left of the current phase: the delay,
 *   the drain (in-flight requests are halted), and during the teardown the
 *   drains still in progress; after that it gives up on the teardown: the
 *   stuck report (which tasks are still open, in which state, for how long)
 *   and exit 124 at once;
 * - teardown that outlasts `teardownTimeout` does the same;
 * - an error (in the body, a task, a cleanup, or an `uncaughtException` /
 *   `unhandledRejection` anywhere in the process) tears the tree down, is
 *   printed once with every aggregated cause, and exits 1;
 * - the body returning exits 0.
 *
 * Every listener, timer and socket main installs is gone when it settles;
 * while it runs, `npx unwind tree <pid>` prints its live task tree (see
 * the `inspect` option).
 *
 * @param body The root group's body: gets the root's handle.
 * @param options The root group's options, plus `signals`, `drainTimeout`,
 *   `teardownTimeout`, `spawnSites` and `exit` (see `MainOptions`). A bad value
 *   rejects before anything is installed or run.
 * @returns With `exit: false`, how the program ended (`MainOutcome`); by default
 *   it never returns: it calls `process.exit` with the exit code.
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
  checkMain(body, options);
  return runMain(returnsOperation("main()", "body", body), options, processHost);
}

/**
 * `main()` on a host: the real process, or the stand-in of
 * "unwind/testing". The arguments have been checked. Not exported from the
 * package.
 */
export async function runMain<T>(
  body: (root: Group) => Operation<T>,
  options: MainOptions,
  host: ProgramHost,
): Promise<MainOutcome<T>> {
  const {
    signals = defaultSignals(),
    teardownTimeout = 10_000,
    drainTimeout = isClusterWorker() ? CLUSTER_WORKER_DRAIN_TIMEOUT : 0,
    shutdownDelay = 0,
    spawnSites,
    exit = true,
    inspect = true,
    ...groupOptions
  } = options;
  if (spawnSites !== undefined) recordSpawnSites(spawnSites);
  const root = new RootHandle<T>(groupOptions.name ?? "main", () => ladder.teardownStarted());
  const { owner } = root;

  let giveUp!: (outcome: MainOutcome<T>) => void;
  const gaveUp = new Promise<MainOutcome<T>>((resolve) => {
    giveUp = resolve;
  });
  const ladder: ShutdownLadder = new ShutdownLadder(
    { drainTimeout, teardownTimeout },
    {
      delay: () => Math.max(shutdownDelay, ...[...owner.drains].map((drain) => drain.shutdownDelay)),
      beginDelay: () => {
        for (const drain of owner.drains) drain.beginShutdownDelay();
      },
      canDrain: () => owner.drains.size > 0,
      // Newest first, one after the other, like a serial teardown: a server
      // started later may call one started earlier, which must still serve it.
      drain: async () => {
        for (const drain of [...owner.drains].reverse()) {
          if (ladder.phase !== "draining") return;
          await drain.beginDrain();
        }
      },
      skipDrains: (signal) => {
        for (const drain of owner.drains) drain.skipDrain(HaltReason.signal(signal));
      },
      drainsInProgress: () => [...owner.drains].some((drain) => drain.drainInProgress),
      halt: (signal) => owner.halt(HaltReason.signal(signal)),
      abandon: (reason) => {
        const stuck = root.inspect();
        const why =
          reason === "teardown-timeout"
            ? `teardown did not finish within ${teardownTimeout} ms`
            : "a signal arrived while tearing down";
        // Errors raised so far are printed with the report, not lost with the teardown.
        const deadlineHit = reason === "teardown-timeout";
        const { text, error, progress, suggestedTeardownTimeout } = abandonedTeardown(
          owner,
          stuck,
          why,
          Date.now(),
          colorsFor(host.stderr),
          deadlineHit,
        );
        host.stderr.write(`${text}\n`);
        giveUp({
          status: "teardown-incomplete",
          exitCode: ExitCode.TeardownIncomplete,
          reason,
          stuck,
          progress,
          ...(suggestedTeardownTimeout !== undefined ? { suggestedTeardownTimeout } : {}),
          ...(error ? { error } : {}),
        });
      },
    },
  );

  const onUncaught = (error: unknown, origin: "uncaughtException" | "unhandledRejection") => {
    owner.fail({ path: root.path, phase: "run", error, origin });
  };
  const shutdownRequested = (signal: NodeJS.Signals, handOver: boolean) => {
    for (const drain of owner.drains) drain.shutdownRequested?.(signal, handOver);
    ladder.received(signal);
  };
  const listeners = new ProcessListeners(host).keepAlive();
  if (inspect) listeners.add(host.serveInspection(() => ({ tree: root.inspect(), phase: ladder.phase })));
  // Signals, and in a cluster worker the primary's shutdown messages: one
  // step down the ladder per request, whichever of the two brings it first.
  listeners.add(listenForShutdown(signals, shutdownRequested, host));
  listeners.on("uncaughtException", onUncaught);
  listeners.on("unhandledRejection", (reason: unknown) => onUncaught(reason, "unhandledRejection"));
  // A worker thread gets no signals: the halt message of the thread that
  // started it is its SIGTERM. leaveParent() at the end tells that thread how
  // the root ended.
  const leaveParent = host.onParentHalt(() => shutdownRequested("SIGTERM", false));
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
  ladder.dispose();
  listeners.dispose();

  const outcome =
    "status" in ended ? ended : outcomeOf<T>(ended.value, ended.failures, root.path, ladder.signal);
  leaveParent(outcome);
  // A teardown-incomplete outcome printed its errors with the stuck report.
  if ((outcome.status === "signal" || outcome.status === "error") && outcome.error) {
    const title =
      outcome.status === "signal" ? `errors during the ${outcome.signal} shutdown` : `${root.path} failed`;
    host.stderr.write(`${formatFailures(outcome.error.failures, title)}\n`);
  }
  if (exit) host.exit(outcome.exitCode);
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
