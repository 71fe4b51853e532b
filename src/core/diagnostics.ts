import { channel } from "node:diagnostics_channel";
import type { HaltReasonJSON } from "./halt-reason.ts";
import type { TaskState } from "./types.ts";

/**
 * The names of the `node:diagnostics_channel` channels unwind publishes a
 * task's life on. Publishing costs one property check per event while nobody
 * subscribes; subscribe to trace, log or measure teardowns.
 *
 * - `spawn`: a task started, or a group was opened (`UnwindEvent`);
 * - `halt-begin`: a task's or group's teardown started (with its reason);
 * - `settle`: it ended and every cleanup has run (with its final state);
 * - `cleanup-error`: a cleanup threw (with the error);
 * - `restart`: a supervisor restarts a child (`supervisor()`), with the
 *   attempt, the error that led to it and the backoff delay.
 *
 * @example
 * ```ts
 * import { subscribe } from "node:diagnostics_channel";
 * import { Channels, type UnwindEvent } from "unwind";
 *
 * subscribe(Channels.haltBegin, (message) => {
 *   const event = message as UnwindEvent;
 *   console.log(`halting ${event.path}: ${event.reason?.message}`);
 * });
 * ```
 */
export const Channels = {
  spawn: "unwind:spawn",
  haltBegin: "unwind:halt-begin",
  settle: "unwind:settle",
  cleanupError: "unwind:cleanup-error",
  restart: "unwind:restart",
} as const;

/**
 * What each channel carries.
 *
 * @example
 * ```ts
 * import { subscribe } from "node:diagnostics_channel";
 * import { Channels, type UnwindEvent } from "unwind";
 *
 * subscribe(Channels.settle, (message) => {
 *   const event = message as UnwindEvent;
 *   console.log(`${event.kind} ${event.path} ${event.state} after ${event.teardownMs ?? 0} ms of teardown`);
 * });
 * ```
 */
export interface UnwindEvent {
  readonly kind: "task" | "group";
  readonly path: string;
  readonly state: TaskState;
  /** Milliseconds since the epoch. */
  readonly time: number;
  /** `halt-begin` (and `settle` after a halt): why. */
  readonly reason?: HaltReasonJSON;
  /** `settle` after a halt: how long the teardown took, in ms. */
  readonly teardownMs?: number;
  /** `cleanup-error`: what the cleanup threw; `restart`: the failure that led to the restart. */
  readonly error?: unknown;
  /** `restart`: which restart of this child it is (1 for the first). */
  readonly attempt?: number;
  /** `restart`: milliseconds the supervisor waits (its backoff) before it starts the child again. */
  readonly delayMs?: number;
}

export const spawnChannel = channel(Channels.spawn);
export const haltBeginChannel = channel(Channels.haltBegin);
export const settleChannel = channel(Channels.settle);
export const cleanupErrorChannel = channel(Channels.cleanupError);
export const restartChannel = channel(Channels.restart);
