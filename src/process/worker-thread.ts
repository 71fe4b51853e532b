import { basename, extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { HeldProcess, ProcessInfo, TaskFailure } from "../core/types.ts";
import { ExitCode } from "../program/exit-codes.ts";
import { HALT, PARENT_PORT_MARK } from "../program/parent-port.ts";
import {
  type EndedMessage,
  isProtocolMessage,
  PROTOCOL,
  receiveFailure,
} from "../program/worker-protocol.ts";
import { WorkerError } from "./worker-error.ts";

export interface ThreadSettings {
  /** Its name under its owner (`resize`, `pool/worker-2`), also the thread's name. */
  readonly name: string;
  readonly path: string;
  readonly data: unknown;
}

/**
 * One worker thread: its messages, how it ended and how it is stopped.
 * Shared by `worker()` and `workerPool()`.
 *
 * Stopping: the halt message (which the worker's `main()` takes as
 * SIGTERM), up to `gracePeriod` ms for the thread to exit, then
 * `terminate()`. A terminated worker has not failed: that is the promised
 * end of a worker that does not stop when asked, as SIGKILL is for a
 * process.
 *
 * Failed: the worker reported failures (its `main()` sends them, with
 * their paths, before it exits), threw an uncaught error, exited with a
 * code other than 0 without being asked to stop, or did not finish its
 * teardown (exit 124).
 */
export class WorkerThread implements HeldProcess {
  readonly worker: Worker;
  readonly threadId: number;
  readonly module: string;
  readonly startedAt = Date.now();
  haltStartedAt: number | undefined;
  exitCode: number | undefined;
  /** Why it failed, once it ended that way. */
  failure: WorkerError | undefined;
  readonly exited: Promise<void>;
  /** The pool's job messages. */
  onProtocolMessage: ((message: { readonly [PROTOCOL]: string }) => void) | undefined;
  private report: EndedMessage | undefined;
  private readonly uncaught: unknown[] = [];
  private terminated = false;
  private stopping: Promise<void> | undefined;
  private readonly exitCallbacks: Array<() => void> = [];
  private listeners: Set<(value: unknown) => void> | undefined;
  /** The worker's own messages that arrived before anyone listened (a port keeps them too). */
  private unread: unknown[] = [];

  constructor(
    module: URL | string,
    readonly settings: ThreadSettings,
  ) {
    this.module = String(module);
    const where = typeof module === "string" && module.startsWith("file:") ? new URL(module) : module;
    this.worker = new Worker(where, {
      workerData: settings.data,
      name: settings.path,
      // Its main() or run() then listens for this thread's halt message.
      env: { ...process.env, [PARENT_PORT_MARK]: "1" },
    });
    this.threadId = this.worker.threadId;
    this.worker.on("message", (message: unknown) => this.received(message));
    this.worker.on("error", (error) => this.uncaught.push(error));
    this.exited = new Promise((resolve) => {
      this.worker.once("exit", (code) => {
        this.exitCode = code;
        this.failure = this.failureOf(code);
        resolve();
        for (const callback of this.exitCallbacks.splice(0)) callback();
      });
    });
  }

  get name(): string {
    return this.settings.name;
  }

  get path(): string {
    return this.settings.path;
  }

  get stopped(): boolean {
    return this.stopping !== undefined;
  }

  describe(): ProcessInfo {
    return {
      kind: "worker",
      name: this.name,
      path: this.path,
      threadId: this.threadId,
      module: this.module,
      state: this.haltStartedAt !== undefined ? "stopping" : "running",
      startedAt: this.startedAt,
      ...(this.haltStartedAt !== undefined ? { haltStartedAt: this.haltStartedAt } : {}),
    };
  }

  /** Calls `callback` once the thread has exited (`failure` is then set if it failed). */
  onExit(callback: () => void): void {
    if (this.exitCode !== undefined) callback();
    else this.exitCallbacks.push(callback);
  }

  /** Listens to the worker's own messages (`parentPort.postMessage` in the worker). */
  onMessage(listener: (value: unknown) => void): () => void {
    (this.listeners ??= new Set()).add(listener);
    for (const value of this.unread.splice(0)) listener(value);
    return () => {
      this.listeners?.delete(listener);
    };
  }

  private received(message: unknown): void {
    if (!isProtocolMessage(message)) {
      if (this.listeners && this.listeners.size > 0) for (const listener of this.listeners) listener(message);
      else this.unread.push(message);
    } else if (message[PROTOCOL] === "ended") {
      this.report = message as EndedMessage;
    } else {
      this.onProtocolMessage?.(message);
    }
  }

  /** Asks the worker to stop, then terminates it after `gracePeriod` ms; the same promise for every call. */
  stop(gracePeriod: number): Promise<void> {
    this.stopping ??= this.runStop(gracePeriod);
    return this.stopping;
  }

  /** Ends the thread at once (a job that ignores its cancellation). Not a failure. */
  terminate(): Promise<void> {
    this.terminated = true;
    this.stopping ??= this.worker.terminate().then(() => this.exited);
    return this.stopping;
  }

  private async runStop(gracePeriod: number): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.haltStartedAt = Date.now();
    this.worker.postMessage(HALT);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(resolve, gracePeriod, "late")));
    const outcome = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (outcome === "late") {
      this.terminated = true;
      await this.worker.terminate();
    }
    await this.exited;
  }

  private failureOf(code: number): WorkerError | undefined {
    const phase = this.haltStartedAt !== undefined ? "teardown" : "run";
    const failures: TaskFailure[] = [];
    const report = this.report;
    for (const sent of report?.failures ?? [])
      failures.push(receiveFailure(sent, report?.root ?? "", this.path));
    for (const error of this.uncaught) failures.push({ path: this.path, phase, error });
    if (failures.length === 0 && !this.terminated) {
      if (code === ExitCode.TeardownIncomplete && report) {
        const error = new Error(
          `${this.path}: the worker's teardown did not finish (its stuck report is on stderr)`,
        );
        failures.push({ path: this.path, phase: "teardown", error });
      } else if (code !== 0 && this.haltStartedAt === undefined) {
        const error = new Error(`${this.path}: the worker thread exited with code ${code}`);
        failures.push({ path: this.path, phase, error });
      }
    }
    return failures.length > 0 ? new WorkerError(this.path, failures, code) : undefined;
  }
}

/** A worker's default name: its module's file name without the extension (`resize` for resize.ts). */
export function defaultWorkerName(module: URL | string): string {
  try {
    const url = typeof module === "string" && !module.startsWith("file:") ? undefined : new URL(module);
    if (url && url.protocol !== "file:") return "worker";
    const file = url ? fileURLToPath(url) : (module as string);
    return basename(file, extname(file)) || "worker";
  } catch {
    return "worker";
  }
}
