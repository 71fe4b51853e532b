import { action, type Operation } from "effection";

/**
 * Operations (or callbacks) waiting for one event (a task or group settling). Lazily made:
 * most tasks are never awaited, so most never allocate one.
 */
export class WakeList {
  private waiters: Array<() => void> = [];

  /** Waits until `wakeAll()`; leaving early (a halt) removes the waiter. */
  wait(): Operation<void> {
    return action<void>((resolve) => {
      const wake = () => resolve();
      this.waiters.push(wake);
      return () => {
        const at = this.waiters.indexOf(wake);
        if (at >= 0) this.waiters.splice(at, 1);
      };
    });
  }

  /** Calls `wake` at `wakeAll()` (for code outside operations). */
  add(wake: () => void): void {
    this.waiters.push(wake);
  }

  wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
