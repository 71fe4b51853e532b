import { RealWork } from "./real-work.ts";
import { nodeTimers, type VirtualClock } from "./virtual-clock.ts";

/** Real ms between two looks while real work is in flight, or while nothing at all is pending. */
const POLL_MS = 10;

/**
 * Drives a virtual clock the way Trio's `MockClock(autojump_threshold=0)`
 * does: whenever every task is waiting, time jumps to the next timer.
 *
 * "Every task is waiting" is seen from the event loop: the driver looks in
 * a `setImmediate` callback, after every microtask (every effection step:
 * effection's reducer runs them synchronously, promises through
 * microtasks) has run. Then:
 *
 * - callbacks still queued (other immediates): look again at the next turn;
 * - real work in flight (see `RealWork`): no jump. Time runs at real
 *   speed instead, so a timeout around a socket that never answers still
 *   fires (in real time), and the answer is never overtaken by a jump;
 * - otherwise, with a timer pending: jump to it and fire it (one timer a
 *   turn, so the microtasks it starts run before the next one, as with
 *   Node's own timers);
 * - with nothing pending at all, the program waits for something outside
 *   the clock (a signal from the test, a halt): look again in a while.
 *
 * Jumps land exactly on the timers' times, so a program that only waits
 * on timers sees the same times on every run. While a virtual timer is
 * pending, the driver keeps Node alive, as that timer would; a program
 * that waits on nothing at all ends as it would without the clock.
 */
export class Autojump {
  private readonly work = new RealWork();
  private immediate: NodeJS.Immediate | undefined;
  private poll: NodeJS.Timeout | undefined;
  /** Real time (`performance.now()`) since which time flows with real work in flight. */
  private flowingSince: number | undefined;
  private stopped = false;

  constructor(
    private readonly clock: VirtualClock,
    /** Called once, when someone replaced the clock's functions (the driver then stops). */
    private readonly onOverridden: (error: Error) => void,
  ) {}

  start(): void {
    this.soon();
  }

  stop(): void {
    this.stopped = true;
    nodeTimers.clearImmediate(this.immediate);
    nodeTimers.clearTimeout(this.poll);
  }

  private readonly look = (): void => {
    this.immediate = undefined;
    this.poll = undefined;
    if (this.stopped) return;
    const overridden = this.clock.overridden();
    if (overridden) {
      this.stop();
      this.onOverridden(new Error(overridden));
      return;
    }
    switch (this.work.look()) {
      case "step":
        this.soon();
        return;
      case "real":
        // Rescheduled first: a timer callback that throws is an uncaught
        // exception, as with Node's timers, and the clock goes on.
        this.later();
        this.flow();
        return;
    }
    this.flowingSince = undefined;
    if (this.clock.pendingTimers === 0) {
      this.later();
      return;
    }
    this.soon();
    this.clock.next();
  };

  /** Moves the clock on by the real time since the last look with real work in flight. */
  private flow(): void {
    const now = performance.now();
    if (this.flowingSince !== undefined) this.clock.advance(now - this.flowingSince);
    this.flowingSince = now;
  }

  private soon(): void {
    this.immediate = nodeTimers.setImmediate(this.look);
  }

  /**
   * The next look in a while. Referenced while a virtual timer is pending,
   * as that timer would keep Node alive without the clock; otherwise not,
   * so that a program waiting on nothing ends as it would without it.
   */
  private later(): void {
    this.poll = nodeTimers.setTimeout(this.look, POLL_MS);
    if (this.clock.pendingTimers === 0) this.poll.unref();
  }
}
