// testRun(): run() on a virtual clock that jumps to the next timer whenever
// every task waits. Times are asserted exactly: they are virtual, the same
// on every run.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import timers from "node:timers";
import { setTimeout as delay } from "node:timers/promises";
import { type Operation, sleep, suspend, until } from "effection";
import { GroupError, group, moveOnAfter, TimeoutError, withTimeout } from "unwind";
import { testRun } from "unwind/testing";
import { startFixture } from "../helpers/fixture.ts";
import { suspended } from "../helpers/suspended.ts";

const own = {
  setTimeout: globalThis.setTimeout,
  setInterval: globalThis.setInterval,
  Date: globalThis.Date,
  timersSetTimeout: timers.setTimeout,
};

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** A job that hangs for an hour on its first two attempts, then answers in a minute. */
function* flakyJob(attempt: number): Operation<string> {
  yield* sleep(attempt < 3 ? HOUR : MINUTE);
  return `report from attempt ${attempt}`;
}

/** Waits an hour, then runs the job with a 30-minute timeout and exponential backoff. */
function* nightlyReport(log: string[]): Operation<string> {
  const start = Date.now();
  const at = () => Date.now() - start;
  yield* sleep(HOUR);
  for (let attempt = 1; ; attempt++) {
    log.push(`attempt ${attempt} at ${at()}`);
    try {
      const report = yield* withTimeout(30 * MINUTE, flakyJob(attempt));
      log.push(`done at ${at()}`);
      return report;
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      const backoff = 1_000 * 2 ** attempt;
      log.push(`timed out at ${at()}, retry in ${backoff}`);
      yield* sleep(backoff);
    }
  }
}

describe("testRun()", () => {
  it("runs a program that sleeps an hour and retries with backoff on exact virtual times", async () => {
    const log: string[] = [];
    const result = await testRun(() => nightlyReport(log));
    assert.deepEqual(log, [
      `attempt 1 at ${HOUR}`,
      `timed out at ${HOUR + 30 * MINUTE}, retry in 2000`,
      `attempt 2 at ${HOUR + 30 * MINUTE + 2_000}`,
      `timed out at ${HOUR + 60 * MINUTE + 2_000}, retry in 4000`,
      `attempt 3 at ${HOUR + 60 * MINUTE + 6_000}`,
      `done at ${HOUR + 61 * MINUTE + 6_000}`,
    ]);
    assert.deepEqual(result, {
      value: "report from attempt 3",
      elapsed: HOUR + 61 * MINUTE + 6_000,
      timersLeft: 0,
    });
  });

  it("gives the same times on every run", async () => {
    const first: string[] = [];
    const second: string[] = [];
    await testRun(() => nightlyReport(first));
    await testRun(() => nightlyReport(second));
    assert.deepEqual(second, first);
  });

  it("starts the clock at `now`: Date and Date.now() follow it", async () => {
    const start = Date.UTC(2030, 0, 1);
    const { value } = await testRun(
      function* () {
        const seen = [Date.now(), new Date().toISOString()];
        yield* sleep(36 * HOUR);
        seen.push(Date.now() - start, new Date().toISOString());
        return seen;
      },
      { now: new Date(start) },
    );
    assert.deepEqual(value, [start, "2030-01-01T00:00:00.000Z", 36 * HOUR, "2030-01-02T12:00:00.000Z"]);
  });

  it("rejects with the GroupError when the program fails, as run() does", async () => {
    const error = await testRun(
      function* (root) {
        root.spawn(
          function* () {
            yield* sleep(HOUR);
            throw new Error("disk full");
          },
          { name: "writer" },
        );
        yield* suspend();
      },
      { name: "app" },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof GroupError);
    assert.deepEqual(
      error.failures.map((f) => [f.path, f.phase, (f.error as Error).message]),
      [["app/writer", "run", "disk full"]],
    );
  });

  it("counts the timers the program left behind, and drops them", async () => {
    let ticks = 0;
    const result = await testRun(function* () {
      setInterval(() => ticks++, 1_000); // never cleared
      yield* sleep(3_500);
      return ticks;
    });
    assert.deepEqual(result, { value: 3, elapsed: 3_500, timersLeft: 1 });
    assert.ok(!process.getActiveResourcesInfo().includes("Timeout"), "the dropped interval is no real timer");
  });

  it("rejects a body that is not a function, and options it does not take, at the call", async () => {
    await assert.rejects(testRun(sleep(10) as never), {
      name: "TypeError",
      message:
        /^testRun\(\): body must be a function that returns an operation .*; pass a function that makes it/,
    });
    await assert.rejects(
      testRun(function* () {}, { signals: ["SIGTERM"] } as never),
      {
        name: "TypeError",
        message: /^testRun\(\): options\.signals is not an option of testRun\(\): .*use testMain\(\)/,
      },
    );
    await assert.rejects(
      testRun(function* () {}, { now: Number.NaN }),
      {
        name: "RangeError",
        message:
          /^testRun\(\): options\.now must be the virtual clock's start, in ms since the epoch or as a Date, got NaN/,
      },
    );
    assert.equal(globalThis.setTimeout, own.setTimeout, "no clock was installed");
  });
});

describe("timeouts and deadlines on the virtual clock", () => {
  it("withTimeout throws at the limit, once the operation's teardown has finished", async () => {
    const events: string[] = [];
    await testRun(
      function* () {
        try {
          yield* withTimeout(500, suspended(events, "op"));
        } catch (error) {
          assert.ok(error instanceof TimeoutError);
          events.push(`caught "${error.message}" at ${Date.now()}`);
        }
      },
      { now: 0 },
    );
    assert.deepEqual(events, ["op cleaned up at 500", 'caught "main timed out after 500 ms" at 500']);
  });

  it("moveOnAfter returns undefined at the limit, or the value before it", async () => {
    const { value } = await testRun(
      function* () {
        const late = yield* moveOnAfter(30 * MINUTE, suspend());
        const lateAt = Date.now();
        const quick = yield* moveOnAfter(
          30 * MINUTE,
          (function* () {
            yield* sleep(MINUTE);
            return "in time";
          })(),
        );
        return [late, lateAt, quick, Date.now()];
      },
      { now: 0 },
    );
    assert.deepEqual(value, [undefined, 30 * MINUTE, "in time", 31 * MINUTE]);
  });

  it("a group's timeout and deadline fire on the clock; the tighter one wins", async () => {
    const caught: unknown[] = [];
    await testRun(
      function* () {
        for (const limit of ["timeout", "deadline"]) {
          const options = limit === "timeout" ? { timeout: 2 * HOUR } : { deadline: Date.now() + HOUR };
          try {
            yield* group(
              function* () {
                yield* group(() => suspend(), { name: "inner", timeout: 90 * MINUTE });
              },
              { name: "outer", ...options },
            );
          } catch (error) {
            assert.ok(error instanceof GroupError);
            caught.push(
              ...error.failures.map(
                (f) => `${f.path} after ${(f.error as TimeoutError).ms} at ${Date.now()}`,
              ),
            );
          }
        }
      },
      { now: 0 },
    );
    assert.deepEqual(caught, [
      `main/outer/inner after ${90 * MINUTE} at ${90 * MINUTE}`,
      `main/outer after ${HOUR} at ${90 * MINUTE + HOUR}`,
    ]);
  });
});

describe("what follows the virtual clock", () => {
  it("setTimeout, setInterval, node:timers and node:timers/promises, in promise code too", async () => {
    const { value } = await testRun(
      function* () {
        const seen: string[] = [];
        const interval = setInterval(() => seen.push(`interval at ${Date.now()}`), 25 * MINUTE);
        yield* until(new Promise((resolve) => setTimeout(resolve, HOUR)));
        seen.push(`setTimeout at ${Date.now()}`);
        clearInterval(interval);
        yield* until(new Promise((resolve) => timers.setTimeout(resolve, MINUTE)));
        seen.push(`node:timers at ${Date.now()}`);
        yield* until(delay(MINUTE));
        seen.push(`node:timers/promises at ${Date.now()}`);
        return seen;
      },
      { now: 0 },
    );
    assert.deepEqual(value, [
      `interval at ${25 * MINUTE}`,
      `interval at ${50 * MINUTE}`,
      `setTimeout at ${HOUR}`,
      `node:timers at ${HOUR + MINUTE}`,
      `node:timers/promises at ${HOUR + 2 * MINUTE}`,
    ]);
  });

  it("puts Node's own timers and Date back afterwards, and leaves nothing running", async () => {
    const listeners = ["SIGINT", "SIGTERM", "uncaughtException"].map((e) => process.listenerCount(e));
    const resources = process.getActiveResourcesInfo().filter((r) => r !== "Immediate");
    let during: unknown[] = [];
    await testRun(function* () {
      during = [
        globalThis.setTimeout === own.setTimeout,
        Date === own.Date,
        timers.setTimeout === own.timersSetTimeout,
      ];
      yield* sleep(HOUR);
    });
    assert.deepEqual(during, [false, false, false], "the clock was installed while the body ran");
    assert.equal(globalThis.setTimeout, own.setTimeout);
    assert.equal(globalThis.setInterval, own.setInterval);
    assert.equal(globalThis.Date, own.Date);
    assert.equal(timers.setTimeout, own.timersSetTimeout);
    assert.deepEqual(
      ["SIGINT", "SIGTERM", "uncaughtException"].map((e) => process.listenerCount(e)),
      listeners,
    );
    assert.deepEqual(
      process.getActiveResourcesInfo().filter((r) => r !== "Immediate"),
      resources,
    );
  });

  it("a setTimeout or Date kept from inside a run works on real time after it", async () => {
    let kept: { setTimeout: typeof setTimeout; Date: DateConstructor } | undefined;
    await testRun(function* () {
      kept = { setTimeout: globalThis.setTimeout, Date: globalThis.Date };
      yield* sleep(10 * HOUR);
    });
    assert.ok(kept && kept.setTimeout !== own.setTimeout);
    const before = own.Date.now();
    const fired = await new Promise<string>((resolve) => kept?.setTimeout(() => resolve("fired"), 1));
    assert.equal(fired, "fired");
    assert.ok(kept.Date.now() >= before, "the kept Date tells the real time, not the run's last virtual one");
  });

  it("allows one virtual clock at a time: a run inside a run fails with the reason", async () => {
    const { value } = await testRun(function* () {
      return yield* until(
        testRun(function* () {}).then(
          () => "started",
          (error: Error) => error.message,
        ),
      );
    });
    assert.match(
      String(value),
      /^testRun\(\): a virtual clock is already running in this process \(started by testRun\(\)\); one clock per process/,
    );
  });
});

describe("testRun() and the life of the process", () => {
  it("a pending virtual timer keeps Node alive after the real work that held the clock has ended", async () => {
    const { code, stdout, stderr } = await startFixture("virtual-clock-alive").exited;
    assert.deepEqual(stdout, ["woke after 3600000"], stderr);
    assert.equal(code, 0, stderr);
  });

  it("a run that waits on nothing ends the process as it would without the clock", async () => {
    const { code, stdout } = await startFixture("virtual-clock-alive", { WAIT_ON_NOTHING: "1" }).exited;
    assert.deepEqual(stdout, ["woke after 3600000"]);
    assert.equal(code, 13);
  });
});
