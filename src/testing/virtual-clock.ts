import { createRequire } from "node:module";
import type { Clock, FakeTimers } from "@sinonjs/fake-timers";

/**
 * Node's own timer functions and `Date`, taken when this module loads:
 * the driver of the clock schedules its own looks with them, and they tell
 * whether someone else's fake clock is installed.
 */
export const nodeTimers = {
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setInterval: globalThis.setInterval,
  clearInterval: globalThis.clearInterval,
  setImmediate: globalThis.setImmediate,
  clearImmediate: globalThis.clearImmediate,
  Date: globalThis.Date,
};

/**
 * What follows the virtual clock: the timers and `Date`, on `globalThis`
 * and in `node:timers` / `node:timers/promises` (fake-timers patches both
 * modules). Everything else stays real: `setImmediate`, `process.nextTick`
 * and microtasks (they are not time, and the clock's driver needs them),
 * `performance.now()` and `process.hrtime()` (clocks that measure), and
 * every timer Node makes for itself (socket and HTTP server timeouts,
 * `AbortSignal.timeout()`, `timers/promises`' `scheduler.wait()`).
 */
const FAKED = ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] as const;

/** The one virtual clock of this process, while it is installed. */
let current: VirtualClock | undefined;

/**
 * A virtual clock on `globalThis`: time moves only when `next()` or
 * `advance()` says so. Made by @sinonjs/fake-timers (an optional peer
 * dependency, loaded on first use), so that `Date`, timer objects
 * (`ref`/`unref`/`refresh`), intervals and `node:timers/promises` behave
 * as Node's do. One per process: two would fight over the same globals.
 */
export class VirtualClock {
  /** The virtual time at install, in ms since the epoch. */
  readonly startedAt: number;
  private readonly installed: Pick<typeof globalThis, (typeof FAKED)[number]>;

  private constructor(
    private readonly clock: Clock,
    /** Who installed it, for the error of a second one: `testRun()`. */
    readonly owner: string,
  ) {
    this.startedAt = clock.now;
    this.installed = Object.fromEntries(
      FAKED.map((name) => [name, globalThis[name]]),
    ) as typeof this.installed;
  }

  /**
   * Installs the clock at `now` (default: the real time). Throws when a
   * virtual clock is already installed: another of ours, node:test's
   * `mock.timers` or a fake-timers clock (Sinon, Jest, Vitest).
   */
  static install(caller: string, now: number | Date = nodeTimers.Date.now()): VirtualClock {
    if (current) {
      throw new Error(
        `${caller}: a virtual clock is already running in this process (started by ${current.owner}); one clock per process: run the tests that use it one after the other (node:test runs the tests of a file one at a time unless told otherwise)`,
      );
    }
    const foreign = foreignClock();
    if (foreign) {
      throw new Error(
        `${caller}: cannot install a virtual clock: ${foreign}. Two virtual clocks would fight over setTimeout and Date: use one of them (call mock.timers.reset() or clock.uninstall() first)`,
      );
    }
    const clock = loadFakeTimers(caller).install({ now, toFake: [...FAKED] });
    current = new VirtualClock(clock, caller);
    return current;
  }

  /** The virtual time, in ms since the epoch (what `Date.now()` says while installed). */
  get now(): number {
    return this.clock.now;
  }

  /** Virtual ms since the clock was installed. */
  get elapsed(): number {
    return this.clock.now - this.startedAt;
  }

  /** Timers (and intervals) waiting for their time. */
  get pendingTimers(): number {
    return this.clock.countTimers();
  }

  /** Jumps to the next timer and fires it. */
  next(): void {
    this.clock.next();
  }

  /** Moves time on by `ms`, firing the timers that come due on the way. */
  advance(ms: number): void {
    this.clock.tick(ms);
  }

  /**
   * Says who replaced the clock's functions, if anyone did since it was
   * installed (node:test's `mock.timers.enable()` inside a test run).
   */
  overridden(): string | undefined {
    for (const name of FAKED) {
      if (globalThis[name] !== this.installed[name]) {
        return `globalThis.${name} was replaced while ${this.owner}'s virtual clock ran (node:test's mock.timers.enable(), or another fake clock): two virtual clocks would fight over setTimeout and Date; use one of them`;
      }
    }
    return undefined;
  }

  /**
   * Puts Node's own timers and `Date` back. Timers still pending are
   * dropped: they never fire. A reference to the clock's `setTimeout` or
   * `Date` kept past this point (a module loaded while the clock ran, or
   * node:test's `mock.timers` restoring what it found) then runs on real
   * time instead of on a clock that no longer moves.
   */
  uninstall(): void {
    const clock = this.clock;
    clock.uninstall();
    Object.assign(clock, {
      setTimeout: nodeTimers.setTimeout,
      clearTimeout: nodeTimers.clearTimeout,
      setInterval: nodeTimers.setInterval,
      clearInterval: nodeTimers.clearInterval,
    });
    Object.defineProperty(clock, "now", {
      get: () => nodeTimers.Date.now(),
      set: () => {},
      configurable: true,
    });
    if (current === this) current = undefined;
  }
}

/** Whose fake clock is installed, if one is. */
function foreignClock(): string | undefined {
  if ((globalThis.Date as { isFake?: unknown }).isFake === true) {
    return "a @sinonjs/fake-timers clock is installed (sinon.useFakeTimers(), or the fake timers of Jest or Vitest)";
  }
  for (const name of ["setTimeout", "setInterval", "Date"] as const) {
    if (globalThis[name] !== nodeTimers[name]) {
      return `globalThis.${name} is not Node's own: node:test's mock.timers is enabled (or another fake clock is installed)`;
    }
  }
  return undefined;
}

const require = createRequire(import.meta.url);

function loadFakeTimers(caller: string): FakeTimers {
  try {
    return require("@sinonjs/fake-timers") as FakeTimers;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw error;
    throw new Error(
      `${caller}: the virtual clock needs @sinonjs/fake-timers, an optional peer dependency of unwind that is not installed: npm install --save-dev @sinonjs/fake-timers`,
      { cause: error },
    );
  }
}
