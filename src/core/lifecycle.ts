import type { Channel } from "node:diagnostics_channel";
import { haltBeginChannel, settleChannel, type UnwindEvent } from "./diagnostics.ts";
import type { HaltReason } from "./halt-reason.ts";
import { observing } from "./observer.ts";
import { spawnSite } from "./spawn-site.ts";
import type { TaskState } from "./types.ts";

/**
 * The part of a task or group that the tree, the stuck report, halt reasons
 * and cancel signals read: where it is in its life, since when, and why it
 * is being torn down.
 *
 * A task (`TaskNode`) and a group (`GroupNode`) go through the same life
 * steps, named the same in both, each announced on its diagnostics channel:
 *
 * - `begin`: it runs from now on (`spawn`). A task may first `queue` for a
 *   place under its group's `limit`, or be `drop`ped without ever beginning.
 * - `beginHalt(reason)`: its teardown starts, once (`halt-begin`); the
 *   cancel signal aborts before any cleanup runs. A group that ended by
 *   itself begins its teardown without a reason (and publishes nothing).
 * - `settle`: every cleanup has run; its final state is set (`settle`).
 */
export abstract class Lifecycle {
  abstract readonly path: string;
  /** Its own name, the last segment of its path (an unnamed group has none). */
  abstract readonly name: string | undefined;
  abstract readonly kind: "task" | "group";
  state: TaskState = "running";
  readonly startedAt = Date.now();
  /** Where it was started, when spawn sites are recorded (see spawn-site.ts). */
  readonly site = spawnSite();
  haltStartedAt: number | undefined;
  haltReason: HaltReason | undefined;
  /**
   * What the teardown waits for besides children and cleanups, while it
   * waits (see `abortable()`). Declared only: set on the few nodes that
   * wait, no field on the others.
   */
  declare waitingFor: string | undefined;
  /** Made on the first `useCancelSignal()`: most tasks never pay for one. */
  private cancel: AbortController | undefined;

  get settled(): boolean {
    return this.state === "done" || this.state === "failed" || this.state === "halted";
  }

  /**
   * Life step `beginHalt`: enters `halting` (once) with `reason`, and aborts
   * the cancel signal before any cleanup runs. Returns false if it was not
   * running (or queued).
   */
  beginHalt(reason: HaltReason | undefined): boolean {
    if (this.state !== "running" && this.state !== "queued") return false;
    this.state = "halting";
    this.haltStartedAt = Date.now();
    this.haltReason = reason;
    if (reason) {
      this.cancel?.abort(reason);
      observing.current?.haltBegan(this);
      this.publish(haltBeginChannel);
    }
    return true;
  }

  /**
   * Life step `settle`, first half: the final state, once every cleanup has
   * run. Failed if it failed, else halted if its halt began with a reason,
   * else done.
   */
  protected settleState(failed: boolean): void {
    this.state = failed ? "failed" : this.haltReason ? "halted" : "done";
  }

  /** Life step `settle`, second half: announces the end. */
  protected announceSettled(): void {
    observing.current?.settled(this);
    if (!settleChannel.hasSubscribers) return;
    // Only a halt has a teardown worth timing; a group that ended by itself has none.
    const halted = this.haltStartedAt;
    this.publish(
      settleChannel,
      this.haltReason && halted !== undefined ? { teardownMs: Date.now() - halted } : {},
    );
  }

  /** Publishes an event about this node; free while nobody subscribes. */
  publish(channel: Channel, extra?: Partial<UnwindEvent>): void {
    if (!channel.hasSubscribers) return;
    const event: UnwindEvent = {
      kind: this.kind,
      path: this.path,
      state: this.state,
      time: Date.now(),
      ...(this.haltReason ? { reason: this.haltReason.toJSON() } : {}),
      ...extra,
    };
    channel.publish(event);
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

/** `{ reason }` when the node is being torn down, for a teardown failure. */
export function reasonOf(node: Lifecycle): { reason?: HaltReason } {
  return node.haltReason ? { reason: node.haltReason } : {};
}
