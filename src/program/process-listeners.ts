/**
 * Process-wide listeners of one `main()` or `run()`, each installed next to
 * its removal: `dispose()` removes every one of them, so nothing stays
 * registered after the program ends, whatever path it ended by. (A listener
 * added in one place and removed far away is how they leak.)
 */
export class ProcessListeners {
  private readonly removals: Array<() => void> = [];

  /** `process.on(event, listener)` until `dispose()`. */
  on(event: string | symbol, listener: (...args: never[]) => void): this {
    process.on(event, listener as (...args: unknown[]) => void);
    this.removals.push(() => process.off(event, listener as (...args: unknown[]) => void));
    return this;
  }

  /**
   * Holds Node's event loop open until `dispose()`. An effection task waiting
   * on `suspend()` holds no handle of its own: with nothing else pending, Node
   * would exit (code 13, an unsettled top-level await) under a root that is
   * still running, e.g. one waiting for a signal.
   */
  keepAlive(): this {
    const timer = setInterval(() => {}, 2 ** 31 - 1);
    this.removals.push(() => clearInterval(timer));
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
