import type { GroupOptions, Limited } from "./types.ts";

/** The time (ms since the epoch) by which a group must end by its own `timeout` and `deadline`; Infinity for none. */
export function ownDeadline(options: GroupOptions, startedAt: number): number {
  return Math.min(
    options.timeout === undefined ? Number.POSITIVE_INFINITY : startedAt + options.timeout,
    options.deadline ?? Number.POSITIVE_INFINITY,
  );
}

/**
 * What ends a group from outside its code: its own time limit and its
 * abort signal. Made only for a group that has one of them. The timer is
 * armed only when the group's own deadline is tighter than the one it
 * inherits (otherwise an enclosing group's timer ends it first, with that
 * group's `TimeoutError`).
 */
export class GroupLimits {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly group: Limited,
    /** The group's own deadline (see `ownDeadline`). */
    private readonly deadline: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Arms the timer and listens to the signal (which may have aborted already). */
  arm(startedAt: number, inherited: number): void {
    if (this.deadline < inherited && this.deadline !== Number.POSITIVE_INFINITY) {
      const ms = this.deadline - startedAt;
      this.timer = setTimeout(() => this.group.timedOut(ms), this.deadline - Date.now());
    }
    const signal = this.signal;
    if (signal?.aborted) this.group.aborted(signal.reason);
    else signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  /** Leaves nothing armed: no timer, no listener on the signal. Idempotent. */
  disarm(): void {
    clearTimeout(this.timer);
    this.signal?.removeEventListener("abort", this.onAbort);
  }

  private readonly onAbort = () => {
    this.group.aborted(this.signal?.reason);
  };
}
