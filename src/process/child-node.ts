import type { ChildProcess } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import { type Operation, until } from "effection";
import type { HeldProcess, ProcessInfo } from "../core/types.ts";
import { ProcessError } from "./process-error.ts";
import { groupAlive, signalGroup } from "./process-group.ts";
import type { ExitStatus, Process } from "./process-handle.ts";

/** How much of stderr is kept for `ProcessError`: the last lines of the last 8 KB. */
const TAIL_BYTES = 8192;
const TAIL_LINES = 10;
/** How often a stop looks whether the rest of the group has gone, once the child has exited. */
const GROUP_POLL_MS = 20;

export interface StopSettings {
  readonly gracePeriod: number;
  readonly killSignal: NodeJS.Signals;
}

/**
 * One process started by `exec()`: its handle, its place in the task tree
 * and the way it is stopped. The process leads its own process group, and
 * "gone" means the child has exited *and* no process of its group is
 * running any more.
 *
 * Stopping (the owner's teardown): `killSignal` to the group, up to
 * `gracePeriod` ms for the group to be gone, then SIGKILL to the group and
 * wait until it is gone. Then its pipes are closed, so that nothing of it
 * stays open, even if a process that left the group still holds them.
 */
export class ChildNode implements Process, HeldProcess {
  readonly pid: number;
  exitStatus: ExitStatus | undefined;
  private readonly startedAt = Date.now();
  private haltStartedAt: number | undefined;
  private readonly exited: Promise<void>;
  private readonly closed: Promise<ExitStatus>;
  private stopping: Promise<void> | undefined;
  private finished = false;
  private tail = "";
  private readonly finishers: Array<() => void> = [];

  constructor(
    private readonly child: ChildProcess,
    readonly command: string,
    readonly name: string,
    readonly path: string,
    private readonly settings: StopSettings,
  ) {
    this.pid = child.pid as number;
    // Errors after the start come only from child.kill() / send(), which are not used.
    child.on("error", () => {});
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitStatus = { code, signal };
        resolve();
      });
    });
    this.closed = new Promise((resolve) => {
      child.once("close", (code: number | null, signal: NodeJS.Signals | null) => {
        resolve(this.exitStatus ?? { code, signal });
        // Ended by itself while the owner goes on: nothing left to stop.
        if (!this.stopping && !groupAlive(this.pid)) this.finish();
      });
    });
    if (child.stderr) {
      const decoder = new StringDecoder("utf8");
      child.stderr.on("data", (chunk: Buffer) => {
        this.tail = (this.tail + decoder.write(chunk)).slice(-TAIL_BYTES);
      });
    }
  }

  get stdin() {
    return this.child.stdin;
  }

  get stdout() {
    return this.child.stdout;
  }

  get stderr() {
    return this.child.stderr;
  }

  join(): Operation<ExitStatus> {
    return until(this.closed);
  }

  *expect(): Operation<ExitStatus> {
    const status = yield* this.join();
    if (status.code === 0) return status;
    const stderr = this.tail.trimEnd().split("\n").slice(-TAIL_LINES).join("\n");
    throw new ProcessError({ command: this.command, path: this.path, pid: this.pid, status, stderr });
  }

  describe(): ProcessInfo {
    return {
      kind: "process",
      name: this.name,
      path: this.path,
      pid: this.pid,
      command: this.command,
      state: this.haltStartedAt !== undefined ? "stopping" : "running",
      startedAt: this.startedAt,
      ...(this.haltStartedAt !== undefined ? { haltStartedAt: this.haltStartedAt } : {}),
    };
  }

  /** Calls `callback` once, when the process and its group are gone and nothing of it is held any more. */
  onFinish(callback: () => void): void {
    this.finishers.push(callback);
  }

  /** Stops the process and its group (see the class comment); the same promise for every call. */
  stop(): Promise<void> {
    this.stopping ??= this.runStop();
    return this.stopping;
  }

  private async runStop(): Promise<void> {
    if (!this.finished) {
      this.haltStartedAt = Date.now();
      signalGroup(this.pid, this.settings.killSignal);
      if (!(await this.gone(this.settings.gracePeriod))) {
        signalGroup(this.pid, "SIGKILL");
        await this.gone(Number.POSITIVE_INFINITY);
      }
    }
    this.child.stdin?.destroy();
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    this.finish();
  }

  /** Resolves true once the child has exited and its group is empty; false after `ms`. */
  private async gone(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    let timer: NodeJS.Timeout | undefined;
    try {
      if (!this.exitStatus && Number.isFinite(ms)) {
        const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
        await Promise.race([this.exited, late]);
        if (!this.exitStatus) return false;
      }
      await this.exited;
      while (groupAlive(this.pid)) {
        const left = deadline - Date.now();
        if (left <= 0) return false;
        await new Promise((resolve) => (timer = setTimeout(resolve, Math.min(GROUP_POLL_MS, left))));
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const callback of this.finishers.splice(0)) callback();
  }
}
