import nodeCluster from "node:cluster";
import { resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";
import { type Operation, resource, until } from "effection";
import { DrainContext } from "../core/drain-registry.ts";
import { onTeardown } from "../core/on-teardown.ts";
import type { Drainable } from "../core/types.ts";
import { WakeList } from "../core/wake-list.ts";
import type { Backoff } from "../ops/backoff.ts";
import type { Supervisor } from "../ops/supervision.ts";
import { supervisionSettings, supervisor } from "../ops/supervisor.ts";
import { CLUSTER_WORKER_ENV, isClusterWorker } from "../program/cluster-membership.ts";
import { ProcessListeners } from "../program/process-listeners.ts";
import { checkCluster } from "./arguments.ts";
import { ClusterSlot, type SlotHost } from "./cluster-slot.ts";

/**
 * Options of `cluster()`.
 *
 * @example
 * ```ts
 * import { cluster, type ClusterOptions } from "unwind/process";
 *
 * const options: ClusterOptions = {
 *   workers: 4,
 *   module: new URL("./worker.ts", import.meta.url),
 *   reloadSignal: "SIGURG",
 *   restart: { maxRestarts: 5, withinMs: 30_000, backoff: { initialMs: 500 } },
 * };
 * ```
 */
export interface ClusterOptions {
  /** How many worker processes to run (an integer >= 1), e.g. `availableParallelism()`. */
  workers: number;
  /**
   * The file each worker runs. Default: the program itself (`process.argv[1]`,
   * with the same arguments and Node options), which then tells the
   * primary from a worker with `node:cluster`'s `isPrimary`. A worker runs
   * its work under `main()`: that is how it hears the primary's shutdown
   * requests (one that never does is killed `gracePeriod` ms after it is
   * asked to stop).
   */
  module?: URL | string;
  /**
   * The signal that makes the primary replace its workers one at a time.
   * Default `SIGURG`: its default action is to do nothing (a stray one,
   * or one that arrives before the handler is installed, harms no one), and
   * nothing sends it to a Node program: SIGHUP shuts down (a `main()`
   * default), SIGUSR1 opens Node's inspector, SIGUSR2 is nodemon's
   * restart signal, SIGWINCH comes with every terminal resize, SIGTTIN,
   * SIGTTOU and SIGCONT with job control, SIGCHLD with every exiting child.
   * `false`: no signal (call `reload()`).
   */
  reloadSignal?: NodeJS.Signals | false;
  /**
   * Ms a worker gets to exit after a shutdown request (its drain and its
   * teardown) before it is killed with SIGKILL. Default 30 000. Keep the
   * primary's `teardownTimeout` above it.
   */
  gracePeriod?: number;
  /** The restart intensity and backoff of crashed workers, as for `supervisor()`. */
  restart?: { maxRestarts?: number; withinMs?: number; backoff?: Backoff | false };
  /** The cluster's path segment. Default `cluster`: the workers are `main/cluster/worker-1`, ... */
  name?: string;
}

/**
 * A running `cluster()`, as its caller sees it.
 *
 * @example
 * ```ts
 * import nodeCluster from "node:cluster";
 * import { sleep, suspend } from "effection";
 * import { main } from "unwind";
 * import { serve } from "unwind/http";
 * import { cluster } from "unwind/process";
 *
 * await main(function* () {
 *   if (!nodeCluster.isPrimary) {
 *     yield* serve(function* (_req, res) { res.end("hi\n"); }, { port: 8080 });
 *     yield* suspend();
 *   }
 *   const workers = yield* cluster({ workers: 2, reloadSignal: false });
 *   console.log(workers.workers.map((w) => `${w.name}: pid ${w.pid}`).join(", "));
 *   yield* sleep(60_000);
 *   yield* workers.reload(); // a minute later: new processes, no request lost
 *   yield* suspend();
 * });
 * ```
 */
export interface Cluster {
  /** The cluster's path, such as `main/cluster`. */
  readonly path: string;
  /** The worker serving in each slot now (a slot that is being restarted has none). */
  readonly workers: readonly { readonly name: string; readonly pid: number }[];
  /**
   * Replaces the workers one at a time: starts a new one, waits until it
   * listens, then drains and stops the old one (what `reloadSignal` does).
   * If a new worker exits before it listens, its slot keeps the old one and
   * the error is thrown. Reloads run one after another.
   */
  reload(): Operation<void>;
}

/**
 * Runs the program (or `module`) in `workers` processes with
 * `node:cluster`, each with its own `main()` (and `serve()`: the workers
 * share the listening port), supervised from the primary's `main()`.
 * Returns once every worker listens; the cluster lives as long as the
 * scope that called it.
 *
 * - Shutdown: every shutdown request the primary's `main()` gets (SIGTERM,
 *   SIGINT, ...) is forwarded to every worker, whose `main()` takes the
 *   same step of its shutdown ladder as if the signal were its own (its
 *   servers drain as they do in one process). A worker that got the
 *   signal itself as well (Ctrl-C reaches the whole process group) takes
 *   one step, not two. The primary exits with 128 + n (143, 130) once
 *   every worker has exited. A worker still running `gracePeriod` ms
 *   after the request is killed.
 * - Crashes: a worker that exits while nobody asked it to is started again
 *   after a backoff (`supervisor()` semantics, one-for-one; more than
 *   `restart.maxRestarts` within `restart.withinMs` and the cluster fails).
 * - Reload (`reloadSignal`, default SIGURG, or `reload()`): one slot at a
 *   time, a new worker is started and, once it listens, the old one hands
 *   over and stops: it stops accepting but serves what still reaches it on
 *   its open connections (each answer with `Connection: close`) until they
 *   have closed. The port is never without a listening worker: no
 *   connection is refused, no request fails. (A worker's `main()` drains
 *   while everything runs: its `drainTimeout` defaults to 10 000 ms in a
 *   cluster worker.)
 * - The task tree shows one task per slot (`main/cluster/worker-1`) with
 *   its restart count; each worker finds its slot's name in the
 *   environment variable `UNWIND_CLUSTER_WORKER`.
 *
 * In the workers, `main()` knows it runs in a cluster from the
 * environment (`NODE_UNIQUE_ID`), without loading `node:cluster`.
 *
 * @example
 * ```ts
 * import nodeCluster from "node:cluster";
 * import { suspend } from "effection";
 * import { main } from "unwind";
 * import { serve } from "unwind/http";
 * import { cluster } from "unwind/process";
 *
 * await main(function* () {
 *   if (nodeCluster.isPrimary) {
 *     yield* cluster({ workers: 2 }); // kill -URG <primary pid> reloads them
 *   } else {
 *     yield* serve(function* (_req, res) {
 *       res.end(`hello from ${process.pid}\n`);
 *     }, { port: 8080, host: "0.0.0.0" });
 *   }
 *   yield* suspend(); // SIGTERM: the workers drain, then everything exits 143
 * }, { teardownTimeout: 40_000 });
 * ```
 */
export function cluster(options: ClusterOptions): Operation<Cluster> {
  const settings = clusterSettings(options);
  return resource(function* (provide) {
    yield* supervisor(
      function* (s) {
        const state = new ClusterState(s, settings);
        const drains = yield* DrainContext.get();
        drains?.add(state);
        yield* onTeardown(() => void drains?.delete(state));
        if (settings.reloadSignal) {
          const listeners = new ProcessListeners().on(settings.reloadSignal, () => state.reloadRequested());
          yield* onTeardown(() => listeners.dispose());
        }
        for (const slot of state.slots) s.spawn(() => slot.run(), { name: slot.name });
        yield* until(Promise.all(state.slots.map((slot) => slot.firstReady)));
        yield* provide(state.handle());
      },
      {
        name: settings.name,
        strategy: "one-for-one",
        // Every worker drains at the same time, not one after the other.
        teardown: "concurrent",
        ...options.restart,
      },
    );
  });
}

interface ClusterSettings {
  readonly workers: number;
  readonly exec: string;
  readonly reloadSignal: NodeJS.Signals | false;
  readonly gracePeriod: number;
  readonly name: string;
}

/**
 * The primary's side of a cluster: its slots, the shutdown requests it
 * forwards (it is a `Drainable`, so `main()` tells it of each one), and
 * its reloads.
 */
class ClusterState implements Drainable, SlotHost {
  readonly slots: readonly ClusterSlot[];
  shuttingDown = false;
  signal: NodeJS.Signals | undefined;
  private readonly exits = new WakeList();
  private readonly reloadDone = new WakeList();
  private reloading = false;
  /** A reload asked for by the signal that has not started yet. */
  private reloadWaiting = false;
  private reloads = 0;

  constructor(
    private readonly supervisor: Supervisor,
    private readonly settings: ClusterSettings,
  ) {
    this.slots = Array.from(
      { length: settings.workers },
      (_, i) => new ClusterSlot(`worker-${i + 1}`, `${supervisor.path}/worker-${i + 1}`, this),
    );
  }

  get exec(): string {
    return this.settings.exec;
  }

  get gracePeriod(): number {
    return this.settings.gracePeriod;
  }

  // The primary serves nothing itself: the shutdown delay is each worker's,
  // whose main() gets the request forwarded (see shutdownRequested).
  readonly shutdownDelay = 0;
  beginShutdownDelay(): void {}

  /** Every request `main()` gets goes to every worker: their ladders take the same step. */
  shutdownRequested(signal: NodeJS.Signals): void {
    this.shuttingDown = true;
    this.signal ??= signal;
    for (const slot of this.slots) for (const worker of slot.live) worker.requestShutdown(signal);
  }

  get drainInProgress(): boolean {
    return this.shuttingDown && this.slots.some((slot) => slot.live.size > 0);
  }

  /** The primary's drain phase: resolves once every worker has exited. */
  beginDrain(): Promise<void> {
    if (!this.shuttingDown) this.shutdownRequested("SIGTERM");
    return new Promise((resolve) => {
      const check = () => {
        if (this.slots.every((slot) => slot.live.size === 0)) resolve();
        else this.exits.add(check);
      };
      check();
    });
  }

  /** Nothing to skip here: each further request was forwarded already. */
  skipDrain(): void {}

  workerExited(): void {
    this.exits.wakeAll();
  }

  handle(): Cluster {
    const state = this;
    return {
      path: this.supervisor.path,
      get workers() {
        return state.slots.flatMap((slot) =>
          slot.current?.alive ? [{ name: slot.name, pid: slot.current.pid }] : [],
        );
      },
      reload: () => this.reload(),
    };
  }

  /** Replaces the workers one slot at a time, after any reload in progress. */
  *reload(): Operation<void> {
    while (this.reloading) yield* this.reloadDone.wait();
    this.reloading = true;
    try {
      for (const slot of this.slots) {
        if (this.shuttingDown) return;
        yield* slot.replace();
      }
    } finally {
      this.reloading = false;
      this.reloadDone.wakeAll();
    }
  }

  /** The reload signal: one reload after the one in progress, however many signals came meanwhile. */
  reloadRequested(): void {
    if (this.reloadWaiting || this.shuttingDown) return;
    this.reloadWaiting = true;
    const state = this;
    this.supervisor.spawn(
      function* () {
        while (state.reloading) yield* state.reloadDone.wait();
        state.reloadWaiting = false;
        try {
          yield* state.reload();
        } catch (error) {
          // Nobody to throw to: a signal asked for it.
          const detail = error instanceof Error ? error.message : String(error);
          process.stderr.write(`${state.supervisor.path}: reload failed: ${detail}\n`);
        }
      },
      { name: `reload-${++this.reloads}`, restart: "temporary" },
    );
  }
}

function clusterSettings(options: ClusterOptions): ClusterSettings {
  checkCluster(options);
  const { workers, module, reloadSignal = "SIGURG", gracePeriod = 30_000, name = "cluster" } = options;
  // Only to see the one mistake the rules cannot (a backoff's maxMs below its initialMs).
  supervisionSettings("cluster()", "options.restart", options.restart ?? {});
  if (isClusterWorker() || !nodeCluster.isPrimary) {
    const which = process.env[CLUSTER_WORKER_ENV] ?? "a node:cluster worker";
    throw new Error(
      `cluster(): this process is a worker of a cluster (${which}); only the primary starts workers. Run the worker's part here instead (check isPrimary from node:cluster), or give cluster() a separate module.`,
    );
  }
  return { workers, exec: modulePath(module), reloadSignal, gracePeriod, name };
}

function modulePath(module: URL | string | undefined): string {
  if (module === undefined) {
    const program = process.argv[1];
    if (!program)
      throw new Error("cluster(): no program file to run in the workers (process.argv[1]); pass module");
    return program;
  }
  if (module instanceof URL || module.startsWith("file:")) return fileURLToPath(module);
  return resolvePath(module);
}
