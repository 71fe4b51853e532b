import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { Channels, type UnwindEvent } from "../core/diagnostics.ts";

/**
 * One lifecycle event of a task or group, as `testMain()` recorded it from
 * unwind's diagnostics channels: which event, and what the channel carried
 * (path, kind, state, time, and the halt reason, teardown time or error
 * when there is one). Times are `Date.now()` values, virtual ones under the
 * virtual clock.
 *
 * - `spawn`: a task started, or a group was opened;
 * - `halt-begin`: its teardown started;
 * - `settle`: it ended, every cleanup has run;
 * - `cleanup-error`: one of its cleanups threw.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { onTeardown } from "unwind";
 * import { type RecordedEvent, testMain } from "unwind/testing";
 * import { suspend } from "effection";
 *
 * const program = testMain(function* (root) {
 *   root.spawn(function* () {
 *     yield* onTeardown(() => {
 *       throw new Error("disk full");
 *     });
 *     yield* suspend();
 *   }, { name: "writer" });
 *   yield* suspend();
 * });
 * program.signal("SIGTERM");
 * await program;
 * const failed: RecordedEvent[] = program.events.filter((e) => e.event === "cleanup-error");
 * assert.deepEqual(failed.map((e) => e.path), ["main/writer"]);
 * ```
 */
export interface RecordedEvent extends UnwindEvent {
  readonly event: "spawn" | "halt-begin" | "settle" | "cleanup-error";
}

const channels = [
  [Channels.spawn, "spawn"],
  [Channels.haltBegin, "halt-begin"],
  [Channels.settle, "settle"],
  [Channels.cleanupError, "cleanup-error"],
] as const;

/**
 * Records the events of one program's tree (its root path, and every path
 * under it), in the order they were published, until `dispose()`.
 */
export class EventRecorder {
  readonly events: RecordedEvent[] = [];
  private readonly listeners = channels.map(([name, event]) => {
    const listener = (message: unknown) => {
      const published = message as UnwindEvent;
      if (this.owns(published.path)) this.events.push({ event, ...published });
    };
    subscribe(name, listener);
    return () => unsubscribe(name, listener);
  });

  constructor(private readonly root: string) {}

  private owns(path: string): boolean {
    return path === this.root || path.startsWith(`${this.root}/`);
  }

  dispose(): void {
    for (const remove of this.listeners) remove();
  }
}
