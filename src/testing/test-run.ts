import type { Operation } from "effection";
import { returnsOperation } from "../core/arguments.ts";
import { HaltReason } from "../core/halt-reason.ts";
import type { Group, GroupOptions } from "../core/types.ts";
import { RootHandle } from "../program/run.ts";
import { checkTestRun } from "./arguments.ts";
import { Autojump } from "./autojump.ts";
import { VirtualClock } from "./virtual-clock.ts";

/**
 * Options of `testRun()`: those of the root group, plus where the virtual
 * clock starts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type TestRunOptions, testRun } from "unwind/testing";
 *
 * const options: TestRunOptions = { name: "billing", now: Date.UTC(2030, 0, 1) };
 * const { value } = await testRun(function* () {
 *   return new Date().getUTCFullYear();
 * }, options);
 * assert.equal(value, 2030);
 * ```
 */
export interface TestRunOptions extends GroupOptions {
  /**
   * The virtual time the run starts at, in ms since the epoch or as a
   * `Date` (what `Date.now()` says at the start). Default: the real time.
   */
  now?: number | Date;
}

/**
 * What a `testRun()` resolves with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type TestRunResult, testRun } from "unwind/testing";
 * import { sleep } from "effection";
 *
 * const result: TestRunResult<string> = await testRun(function* () {
 *   yield* sleep(86_400_000); // a day, in a few ms
 *   return "tomorrow";
 * });
 * assert.deepEqual(result, { value: "tomorrow", elapsed: 86_400_000, timersLeft: 0 });
 * ```
 */
export interface TestRunResult<T> {
  /** What the body returned (`undefined` if the root was halted from inside). */
  readonly value: T | undefined;
  /** Virtual milliseconds from the start of the run to its end. */
  readonly elapsed: number;
  /**
   * Timers (and intervals) still pending on the virtual clock when the
   * root ended: they are dropped and never fire. Left by code that set a
   * timer and never cleared it; in a real process a pending timer keeps
   * Node running. unwind leaves none (0).
   */
  readonly timersLeft: number;
}

/**
 * `run()` on a virtual clock: whenever every task is waiting, time jumps to
 * the next timer (Trio's `MockClock(autojump_threshold=0)`, Effect's
 * `TestClock`). A test of a program that sleeps for an hour, times out a
 * job after 30 minutes and retries with backoff runs in a few
 * milliseconds, and sees the same times on every run.
 *
 * Follows the clock: `setTimeout` / `setInterval` (global, `node:timers`,
 * `node:timers/promises`), `Date` and `Date.now()`; so effection's
 * `sleep()`, unwind's timeouts and deadlines (`withTimeout`, `moveOnAfter`,
 * group `timeout` / `deadline`) and any timer-based code of the program.
 *
 * Real I/O still works, and time does not jump while it is in flight: a
 * socket waiting for its answer, a child process, a file read, a DNS
 * lookup (what `process.getActiveResourcesInfo()` reports, less standard
 * output and error, listening servers and the connections they
 * accepted), or promise work unwind tracks. While such work is in flight
 * the clock runs at real speed, so a timeout around it still fires. A
 * connection that stays referenced while idle holds the clock too
 * (`fetch` and `http.Agent` unref their idle ones).
 *
 * Stays on real time: `setImmediate`, `process.nextTick`, microtasks,
 * `performance.now()`, `process.hrtime()`, the timers Node makes for itself
 * (socket and HTTP server timeouts, `AbortSignal.timeout()`), a
 * `setTimeout` taken before the clock was installed, and other threads
 * and processes. Work Node does not report (its thread pool: zlib, crypto;
 * worker threads) does not hold the clock.
 *
 * One virtual clock per process: a second `testRun()` (or
 * `testMain(body, { virtualClock: true })`) while one runs throws, and so
 * does one started while node:test's `mock.timers` (or a Sinon, Jest or
 * Vitest fake clock) is installed. Enabling `mock.timers` during a run
 * fails the run with an error that says so. Before and after, both work as
 * usual, in the same test file.
 *
 * @param body The root group's body: gets the root's handle.
 * @param options The root group's options, plus `now` (the virtual start).
 * @returns The body's value, the virtual time it took and the timers left;
 *   rejects with the `GroupError` when the root fails, as `run()` does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { test } from "node:test";
 * import { withTimeout } from "unwind";
 * import { testRun } from "unwind/testing";
 * import { type Operation, sleep } from "effection";
 *
 * function* fetchReport(attempt: number): Operation<string> {
 *   yield* sleep(attempt < 3 ? 3_600_000 : 60_000); // hangs twice, then answers in a minute
 *   return "report";
 * }
 *
 * function* withRetries(): Operation<string> {
 *   for (let attempt = 1; ; attempt++) {
 *     try {
 *       return yield* withTimeout(1_800_000, fetchReport(attempt)); // 30 minutes
 *     } catch {
 *       yield* sleep(1_000 * 2 ** attempt); // backoff: 2 s, 4 s
 *     }
 *   }
 * }
 *
 * test("the report arrives after two timeouts and their backoff", async () => {
 *   const { value, elapsed } = await testRun(withRetries);
 *   assert.equal(value, "report");
 *   assert.equal(elapsed, 2 * 1_800_000 + 2_000 + 4_000 + 60_000); // in a few ms of real time
 * });
 * ```
 */
export async function testRun<T>(
  body: (root: Group) => Operation<T>,
  options: TestRunOptions = {},
): Promise<TestRunResult<T>> {
  checkTestRun(body, options);
  const run = returnsOperation("testRun()", "body", body);
  const { now, ...groupOptions } = options;
  const clock = VirtualClock.install("testRun()", now);
  const root = new RootHandle<T>(groupOptions.name ?? "main");
  let overridden: Error | undefined;
  const autojump = new Autojump(clock, (error) => {
    overridden = error;
    root.owner.halt(HaltReason.halted(error));
  });
  try {
    // The clock is in place before the body's first timer.
    root.start(run, groupOptions);
    autojump.start();
    const value = await root.then(
      (value) => value,
      (error: unknown) => {
        throw overridden ?? error;
      },
    );
    if (overridden) throw overridden;
    return { value, elapsed: clock.elapsed, timersLeft: clock.pendingTimers };
  } finally {
    autojump.stop();
    clock.uninstall();
  }
}
