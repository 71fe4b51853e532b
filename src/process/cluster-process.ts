import cluster, { type Worker } from "node:cluster";
import { constants } from "node:os";
import { type ExitingMessage, isExitingMessage } from "../program/cluster-exit.ts";
import { CLUSTER_WORKER_ENV } from "../program/cluster-membership.ts";
import { isListeningMessage, type ShutdownMessage } from "../program/cluster-worker.ts";
import { ClusterWorkerError } from "./cluster-error.ts";

/** How a worker process ended: an exit code, or the signal that killed it. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * One worker process forked by node:cluster, as the primary follows it:
 * when it listens, when it exits, and whether that exit was asked for.
 * Shutting it down is a request (the message its `main()` listens for),
 * then SIGKILL once the grace period has passed.
 */
export class ClusterProcess {
  readonly worker: Worker;
  readonly pid: number;
  /** Resolves when it has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;
  /** Resolves when it listens (its first server's `listen()`); rejects if it exits first. */
  readonly listening: Promise<void>;
  status: ExitStatus | undefined;
  /** Its exit is expected: it was asked to shut down, or the whole cluster is. */
  stopping = false;
  private requests = 0;
  private killed = false;
  /** Its `main()` listens for shutdown messages; until then requests are held. */
  private hears = false;
  private readonly held: ShutdownMessage[] = [];

  /** Forks `exec` (the program, or the cluster's `module`) as the worker of slot `path`. */
  constructor(
    readonly path: string,
    exec: string,
    slotName: string,
  ) {
    // Settings are global to node:cluster and read at each fork: set them
    // right before it, so that clusters with different modules do not mix.
    cluster.setupPrimary({ exec });
    this.worker = cluster.fork({ [CLUSTER_WORKER_ENV]: slotName });
    this.pid = this.worker.process.pid ?? -1;
    // An 'error' event without a listener would crash the primary (a send
    // to a worker that is going away, say); its exit tells the rest.
    this.worker.on("error", () => {});
    this.worker.on("message", (message: unknown) => {
      if (isExitingMessage(message, "exiting")) return this.answerExiting();
      if (!isListeningMessage(message)) return;
      this.hears = true;
      for (const request of this.held.splice(0)) this.send(request);
    });
    this.exited = new Promise((resolve) => {
      this.worker.once("exit", (code: number | null, signal: string | null) => {
        this.status = { code, signal: signal as NodeJS.Signals | null };
        resolve(this.status);
      });
    });
    this.listening = new Promise((resolve, reject) => {
      this.worker.once("listening", () => resolve());
      void this.exited.then(({ code, signal }) => {
        reject(new ClusterWorkerError(path, this.pid, "start", code, signal));
      });
    });
    // Nobody may be waiting for it (a worker stopped before it listened).
    this.listening.catch(() => {});
  }

  get alive(): boolean {
    return this.status === undefined;
  }

  /**
   * Sends it the next shutdown request (one step down its `main()`'s
   * shutdown ladder); `handOver` when another worker has taken its place.
   */
  requestShutdown(signal: NodeJS.Signals, handOver = false): void {
    this.stopping = true;
    const message: ShutdownMessage = { unwind: "shutdown", signal, request: ++this.requests, handOver };
    if (this.hears) this.send(message);
    else this.held.push(message);
  }

  /** See `ExitingMessage`: by now node:cluster sends it no more connections, and every one it sent came before this answer. */
  private answerExiting(): void {
    const answer: ExitingMessage = { unwind: "exit-ok" };
    if (this.alive && this.worker.isConnected()) this.worker.send(answer, () => {});
  }

  private send(message: ShutdownMessage): void {
    if (!this.alive || !this.worker.isConnected()) return;
    // The callback takes a send error (the channel closing as it exits).
    this.worker.send(message, () => {});
  }

  /**
   * Asks it to shut down unless it was asked already, and waits for its
   * exit; SIGKILL after `gracePeriod` ms. Throws a `ClusterWorkerError`
   * unless it exited cleanly.
   */
  async stop(signal: NodeJS.Signals, gracePeriod: number, handOver = false): Promise<void> {
    if (this.requests === 0) this.requestShutdown(signal, handOver);
    this.stopping = true;
    const timer = setTimeout(() => {
      this.killed = true;
      this.worker.process.kill("SIGKILL");
    }, gracePeriod);
    const { code, signal: killedBy } = await this.exited;
    clearTimeout(timer);
    if (this.killed || !cleanExit(code, killedBy)) {
      throw new ClusterWorkerError(this.path, this.pid, "stop", code, killedBy, this.killed);
    }
  }
}

const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"];

/** 0, or what a `main()` (or Node's default handler) exits with after a shutdown signal. */
function cleanExit(code: number | null, signal: NodeJS.Signals | null): boolean {
  if (signal) return SHUTDOWN_SIGNALS.includes(signal);
  return (
    code === 0 ||
    SHUTDOWN_SIGNALS.some((name) => {
      const number = constants.signals[name as keyof typeof constants.signals];
      return number !== undefined && code === 128 + number;
    })
  );
}
