import type { HaltReason } from "./halt-reason.ts";
import type { TaskState } from "./task-state.ts";

/**
 * The part of a task or group that the tree, the stuck report, halt reasons
 * and cancel signals read: where it is in its life, since when, and why it
 * is being torn down.
 */
export abstract class Lifecycle {
  state: TaskState = "running";
  readonly startedAt = Date.now();
  haltStartedAt = 0;
  haltReason: HaltReason | undefined;
  /** Made on the first `useCancelSignal()`: most tasks never pay for one. */
  private cancel: AbortController | undefined;

  get settled(): boolean {
    return this.state === "done" || this.state === "failed" || this.state === "halted";
  }

  /**
   * Enters `halting` (once) with `reason`, and aborts the cancel signal
   * before any cleanup runs. Returns false if it was not running.
   */
  protected enterHalting(reason: HaltReason | undefined): boolean {
    if (this.state !== "running" && this.state !== "queued") return false;
    this.state = "halting";
    this.haltStartedAt = Date.now();
    this.haltReason = reason;
    if (reason) this.cancel?.abort(reason);
    return true;
  }

  /** An `AbortSignal` that aborts, with the halt reason, when the halt starts. */
  cancelSignal(): AbortSignal {
    if (!this.cancel) {
      this.cancel = new AbortController();
      if (this.haltReason) this.cancel.abort(this.haltReason);
    }
    return this.cancel.signal;
  }
}
