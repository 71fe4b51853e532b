import { createRequire, syncBuiltinESMExports } from "node:module";
import type { Clock, FakeTimers } from "@sinonjs/fake-timers";

const require = createRequire(import.meta.url);
// The modules' own objects (an ESM namespace is read-only): fake-timers
// patches them, and so does node:test's mock.timers.
const timersModule = require("node:timers") as Record<string, unknown>;
const timersPromises = require("node:timers/promises") as Record<string, unknown>;

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
 * modules, imported either way). Everything else stays real: `setImmediate`, `process.nextTick`
 * and microtasks (they are not time, and the clock's driver needs them),
 * `performance.now()` and `process.hrtime()` (clocks that measure), and
 * every timer Node makes for itself (socket and HTTP server timeouts,
 * `AbortSignal.timeout()`, `timers/promises`' `scheduler.wait()`).
 */
const FAKED = ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] as const;

/** A place that holds a timer function or `Date`: the clock replaces what is there. */
interface Slot {
  readonly target: Record<string, unknown>;
  readonly name: string;
  /** Node's own, as it was when this module loaded. */
  readonly own: unknown;
}

const slot = (target: Record<string, unknown>, name: string): Slot => ({ target, name, own: target[name] });

/** Every slot the clock fills: the globals, node:timers and node:timers/promises. */
const SLOTS: readonly Slot[] = [
  ...FAKED.map((name) => slot(globalThis as unknown as Record<string, unknown>, name)),
  ...FAKED.filter((name) => name !== "Date").map((name) => slot(timersModule, name)),
  slot(timersPromises, "setTimeout"),
  slot(timersPromises, "setInterval"),
];

/**
 * The functions and `Date` of clocks that have been uninstalled. They run
 * on real time (see `VirtualClock.uninstall`), and one may come back to a
 * slot when another fake clock that was installed over ours puts back what
 * it found there (node:test's `mock.timers.reset()`).
 */
const retired = new WeakSet<object>();

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
  /** What the clock put in each slot (in the order of `SLOTS`). */
  private readonly installed: readonly unknown[];

  private constructor(
    private readonly clock: Clock,
    /** Who installed it, for the error of a second one: `testRun()`. */
    readonly owner: string,
  ) {
    this.startedAt = clock.now;
    this.installed = SLOTS.map(({ target, name }) => target[name]);
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
    putBackRetired();
    const foreign = foreignClock();
    if (foreign) {
      throw new Error(
        `${caller}: cannot install a virtual clock: ${foreign}. Two virtual clocks would fight over setTimeout and Date: use one of them (call mock.timers.reset() or clock.uninstall() first)`,
      );
    }
    const clock = loadFakeTimers(caller).install({ now, toFake: [...FAKED] });
    // fake-timers patches the modules' CommonJS exports; this carries the
    // change to their ES module bindings (`import { setTimeout } from
    // "node:timers/promises"`), which otherwise keep Node's own.
    syncBuiltinESMExports();
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
    const taken = this.taken()[0];
    if (!taken) return undefined;
    const where =
      taken.target === globalThis
        ? "globalThis"
        : taken.target === timersModule
          ? "node:timers"
          : "node:timers/promises";
    return `${where}.${taken.name} was replaced while ${this.owner}'s virtual clock ran (node:test's mock.timers.enable(), or another fake clock): two virtual clocks would fight over setTimeout and Date; use one of them`;
  }

  /** The slots that hold something else than what the clock put there. */
  private taken(): Slot[] {
    return SLOTS.filter(({ target, name }, index) => target[name] !== this.installed[index]);
  }

  /**
   * Puts Node's own timers and `Date` back, except where another fake
   * clock was installed over this one: that one keeps its slots. Timers
   * still pending are dropped: they never fire.
   *
   * The clock then retires: its functions and its `Date` run on real time.
   * A reference to them kept past this point (by a module loaded while the
   * clock ran, or by node:test's `mock.timers`, which puts back what it
   * found when it was enabled) works, instead of waiting on a clock that
   * no longer moves; the next install puts Node's own back in their place.
   */
  uninstall(): void {
    const clock = this.clock;
    const others = this.taken().map(({ target, name }) => ({ target, name, value: target[name] }));
    clock.uninstall();
    for (const { target, name, value } of others) target[name] = value;
    syncBuiltinESMExports();
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
    for (const value of this.installed) if (isObject(value)) retired.add(value);
    if (current === this) current = undefined;
  }
}

/** Puts Node's own back where a retired clock's function or `Date` came back. */
function putBackRetired(): void {
  for (const { target, name, own } of SLOTS) {
    const value = target[name];
    if (isObject(value) && retired.has(value)) target[name] = own;
  }
  syncBuiltinESMExports();
}

const isObject = (value: unknown): value is object =>
  typeof value === "function" || (typeof value === "object" && value !== null);

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
