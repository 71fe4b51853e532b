import { type ProgramHost, processHost } from "./host.ts";

/**
 * Process-wide listeners of one `main()` or `run()`, each installed next to
 * its removal: `dispose()` removes every one of them, so nothing stays
 * registered after the program ends, whatever path it ended by. (A listener
 * added in one place and removed far away is how they leak.) They go to the
 * program's host: the process itself, or the stand-in of "unwind/testing".
 */
export class ProcessListeners {
  private readonly removals: Array<() => void> = [];

  constructor(private readonly host: Pick<ProgramHost, "events" | "keepAlive"> = processHost) {}

  /** `process.on(event, listener)` until `dispose()`. */
  on(event: string | symbol, listener: (...args: never[]) => void): this {
    const { events } = this.host;
    const added = listener as (...args: unknown[]) => void;
    events.on(event, added);
    this.removals.push(() => events.off(event, added));
    return this;
  }

  /** Holds the host (Node's event loop) open until `dispose()`: see `ProgramHost.keepAlive`. */
  keepAlive(): this {
    this.removals.push(this.host.keepAlive());
    return this;
  }

  /** Something else to undo at `dispose()`, such as an uninstall function. */
  add(removal: () => void): this {
    this.removals.push(removal);
    return this;
  }

  /** Removes everything, newest first. Idempotent. */
  dispose(): void {
    for (let removal = this.removals.pop(); removal; removal = this.removals.pop()) removal();
  }
}
