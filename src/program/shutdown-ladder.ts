/**
 * The phases of a program's shutdown, in the order a first signal walks
 * through them:
 *
 * - `running`: nothing asked the program to stop;
 * - `delaying`: readiness answers 503 while everything is still served, for
 *   `shutdownDelay` ms (load balancers take a while to stop sending);
 * - `draining`: servers stop accepting and let in-flight requests finish,
 *   for up to `drainTimeout` ms, while every other task still runs;
 * - `tearing-down`: the root is halted; the tree unwinds in tree order,
 *   for up to `teardownTimeout` ms;
 * - `abandoned`: the teardown was given up on (stuck report, exit 124).
 *
 * @example
 * ```ts
 * import type { ShutdownPhase } from "./shutdown-ladder.ts";
 *
 * const stillServing = (phase: ShutdownPhase) => phase === "running" || phase === "delaying";
 * ```
 */
export type ShutdownPhase = "running" | "delaying" | "draining" | "tearing-down" | "abandoned";

/** What the ladder does at each step; `main()` gives it the real ones, tests give recorders. */
export interface ShutdownSteps {
  /** How long to keep serving with readiness at 503; asked at the first signal (servers register late). */
  delay(): number;
  /** Readiness answers 503 from now on; everything else is served as before. */
  beginDelay(): void;
  /** Is there anything to drain? */
  canDrain(): boolean;
  /** Starts the drain; resolves when nothing is in flight any more. */
  drain(): Promise<void>;
  /** Halts the requests still in flight in every drain. */
  skipDrains(signal: NodeJS.Signals): void;
  /** Is a drain still going on (e.g. one started by the teardown of a server's group)? */
  drainsInProgress(): boolean;
  /** Halts the root: the teardown begins. */
  halt(signal: NodeJS.Signals): void;
  /** Gives up on the teardown. */
  abandon(reason: "teardown-timeout" | "second-signal"): void;
}

/** The time limits of the ladder's phases, in ms. */
export interface ShutdownLimits {
  readonly drainTimeout: number;
  readonly teardownTimeout: number;
}

/**
 * The shutdown ladder of `main()` as an explicit state machine.
 *
 * The first signal starts at the top: delay (if any), drain (if there is
 * something to drain and a `drainTimeout`), teardown. Every further signal
 * skips what is left of the current phase; a signal during the teardown
 * first halts the requests of drains still in progress (a server's group
 * drains when the teardown reaches it), and otherwise abandons the teardown.
 * The teardown deadline counts from the moment the root's teardown starts,
 * whatever started it (a signal, an error, the body returning).
 *
 * It holds at most one timer at a time and owns nothing else: `dispose()`
 * clears it.
 */
export class ShutdownLadder {
  private current: ShutdownPhase = "running";
  private timer: NodeJS.Timeout | undefined;
  private drainsSkipped = false;
  /** The signal that started the shutdown, if a signal did. */
  signal: NodeJS.Signals | undefined;

  constructor(
    private readonly limits: ShutdownLimits,
    private readonly steps: ShutdownSteps,
  ) {}

  get phase(): ShutdownPhase {
    return this.current;
  }

  /** A shutdown signal arrived. */
  received(signal: NodeJS.Signals): void {
    switch (this.current) {
      case "running":
        this.signal = signal;
        this.startDelay();
        break;
      case "delaying":
        this.startDrain();
        break;
      case "draining":
        this.skipDrains(signal);
        this.startTeardown();
        break;
      case "tearing-down":
        if (!this.drainsSkipped && this.steps.drainsInProgress()) this.skipDrains(signal);
        else this.abandon("second-signal");
        break;
      case "abandoned":
        break;
    }
  }

  /** The root's teardown began (after `halt()`, or because the root failed or returned). */
  teardownStarted(): void {
    if (this.current === "abandoned") return;
    this.current = "tearing-down";
    this.arm(this.limits.teardownTimeout, () => this.abandon("teardown-timeout"));
  }

  /** Clears the timer: the program has ended. */
  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private startDelay(): void {
    const delay = this.steps.delay();
    if (delay <= 0) {
      this.startDrain();
      return;
    }
    this.current = "delaying";
    this.steps.beginDelay();
    this.arm(delay, () => this.startDrain());
  }

  private startDrain(): void {
    if (this.limits.drainTimeout <= 0 || !this.steps.canDrain()) {
      this.startTeardown();
      return;
    }
    this.current = "draining";
    this.arm(this.limits.drainTimeout, () => this.startTeardown());
    this.steps.drain().then(() => {
      if (this.current === "draining") this.startTeardown();
    });
  }

  private startTeardown(): void {
    this.dispose();
    this.current = "tearing-down";
    // Only a signal leads here. halt() reports back through
    // teardownStarted(), which arms the deadline.
    this.steps.halt(this.signal as NodeJS.Signals);
  }

  private skipDrains(signal: NodeJS.Signals): void {
    this.drainsSkipped = true;
    this.steps.skipDrains(signal);
  }

  private abandon(reason: "teardown-timeout" | "second-signal"): void {
    this.dispose();
    this.current = "abandoned";
    this.steps.abandon(reason);
  }

  private arm(ms: number, then: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(then, ms);
  }
}
