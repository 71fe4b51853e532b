import { type Operation, suspend, until } from "effection";
import type { HaltReason } from "../core/halt-reason.ts";
import { onTeardown } from "../core/on-teardown.ts";
import { ClusterWorkerError } from "./cluster-error.ts";
import { ClusterProcess } from "./cluster-process.ts";

/** What a slot needs from its cluster. */
export interface SlotHost {
  /** The file each worker runs. */
  readonly exec: string;
  /** Ms a worker gets to exit after a shutdown request, before SIGKILL. */
  readonly gracePeriod: number;
  /** The cluster is shutting down: no worker's exit is a crash any more. */
  readonly shuttingDown: boolean;
  /** The signal the primary's shutdown began with, if a signal began it. */
  readonly signal: NodeJS.Signals | undefined;
  /** A worker of this slot has exited. */
  workerExited(): void;
}

/**
 * One place in the cluster (`worker-1`, `worker-2`, ...): a supervised
 * child that keeps one worker process running. Its task starts a worker,
 * waits until it listens, then watches it: an exit nobody asked for fails
 * the task, and the supervisor starts the slot again (after its backoff).
 * A reload replaces the slot's worker in place. The slot's cleanup shuts
 * down every worker it still has (two, in the middle of a reload).
 */
export class ClusterSlot {
  /** Workers not exited yet: the current one, and a new or an old one during a reload. */
  readonly live = new Set<ClusterProcess>();
  /** The worker that serves for this slot (from its fork on, listening or not yet). */
  current: ClusterProcess | undefined;
  /** Resolves the first time a worker of this slot listens. */
  readonly firstReady: Promise<void>;
  private markReady!: () => void;

  constructor(
    readonly name: string,
    readonly path: string,
    private readonly host: SlotHost,
  ) {
    this.firstReady = new Promise((resolve) => {
      this.markReady = resolve;
    });
  }

  /** The supervised child: one incarnation of the slot. */
  *run(): Operation<void> {
    yield* onTeardown((reason) => this.stopAll(reason));
    const worker = this.fork();
    this.current = worker;
    const listened = yield* until(
      Promise.race([worker.listening.then(() => true), worker.exited.then(() => false)]),
    );
    if (!listened) yield* this.exitedBy(worker, "start");
    this.markReady();
    // Watch whichever worker is current: a reload swaps it for a new one.
    for (;;) {
      const watched: ClusterProcess = this.current ?? worker;
      yield* until(watched.exited);
      if (this.current !== watched) continue;
      yield* this.exitedBy(watched, "run");
    }
  }

  /**
   * `worker` exited: a crash (the task fails and the supervisor restarts
   * the slot), unless it was asked to stop or the cluster is shutting down
   * (then the slot waits for its own teardown; nothing restarts it).
   */
  private *exitedBy(worker: ClusterProcess, phase: "start" | "run"): Operation<never> {
    if (worker.stopping || this.host.shuttingDown) yield* suspend();
    const { code, signal } = worker.status ?? { code: null, signal: null };
    throw new ClusterWorkerError(this.path, worker.pid, phase, code, signal);
  }

  /**
   * Replaces the current worker: starts a new one, waits until it listens,
   * then shuts the old one down. If the new one exits before it listens,
   * the old one stays and the error is thrown. Runs in the reload's task,
   * which owns the new worker until it becomes current.
   */
  *replace(): Operation<void> {
    const old = this.current;
    if (!old?.alive || old.stopping) return; // restarting, or going away anyway
    const fresh = this.fork();
    yield* onTeardown(() => {
      // Halted (or failed) before the new worker took over: it goes.
      if (this.current !== fresh && fresh.alive) return fresh.stop("SIGTERM", this.host.gracePeriod);
    });
    const listened = yield* until(
      Promise.race([fresh.listening.then(() => true), fresh.exited.then(() => false)]),
    );
    if (!listened) {
      const { code, signal } = fresh.status ?? { code: null, signal: null };
      throw new ClusterWorkerError(this.path, fresh.pid, "start", code, signal);
    }
    if (this.current !== old) return; // the slot was restarted meanwhile; its new worker stays
    this.current = fresh;
    yield* until(old.stop("SIGTERM", this.host.gracePeriod, true));
  }

  private fork(): ClusterProcess {
    const worker = new ClusterProcess(this.path, this.host.exec, this.name);
    this.live.add(worker);
    void worker.exited.then(() => {
      this.live.delete(worker);
      this.host.workerExited();
    });
    if (this.host.shuttingDown) worker.requestShutdown(this.host.signal ?? "SIGTERM");
    return worker;
  }

  /** Shuts every live worker of the slot down at once; throws if one did not exit cleanly. */
  private async stopAll(reason: HaltReason | undefined): Promise<void> {
    const signal = this.host.signal ?? reason?.signal ?? "SIGTERM";
    const results = await Promise.allSettled(
      [...this.live].map((worker) => worker.stop(signal, this.host.gracePeriod)),
    );
    const errors = results.flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1)
      throw new AggregateError(errors, `${this.path}: ${errors.length} workers did not stop cleanly`);
  }
}
