import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Operation, sleep, suspend } from "effection";
import {
  GroupError,
  group,
  type HaltReason,
  moveOnAfter,
  onTeardown,
  run,
  shield,
  TimeoutError,
  useCancelSignal,
  useHaltReason,
  withTimeout,
} from "unwind";
import { testRun } from "unwind/testing";
import { flush } from "../helpers/event-loop.ts";
import { suspended } from "../helpers/suspended.ts";
import { groupErrorOf } from "../helpers/thrown.ts";

/** The failures of a run that fails, as [path, limit in ms]. */
async function timedOut(body: () => Operation<void>): Promise<[string, number][]> {
  const error = await testRun(body).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof GroupError);
  return error.failures.map((f) => [f.path, (f.error as TimeoutError).ms]);
}

// On testRun()'s virtual clock: the times are exact.
describe("timeouts (virtual clock)", () => {
  it("withTimeout fires at the limit and throws only after the operation's teardown", async () => {
    const events: string[] = [];
    await testRun(
      function* () {
        try {
          yield* withTimeout(500, suspended(events, "op"));
        } catch (error) {
          assert.ok(error instanceof TimeoutError);
          events.push(`caught ${error.message} at ${Date.now()}`);
        }
      },
      { now: 0 },
    );
    assert.deepEqual(events, ["op cleaned up at 500", "caught main timed out after 500 ms at 500"]);
  });

  it("a nested deadline picks the tighter limit", async () => {
    const outer = await timedOut(function* () {
      yield* group(
        function* () {
          yield* withTimeout(500, suspend());
        },
        { name: "outer", timeout: 100 },
      );
    });
    const inner = await timedOut(function* () {
      yield* group(
        function* () {
          yield* group(() => suspend(), { name: "inner", timeout: 50 });
        },
        { name: "outer", timeout: 100 },
      );
    });
    assert.deepEqual(outer, [["main/outer", 100]]);
    assert.deepEqual(inner, [["main/outer/inner", 50]]);
  });

  it("a deadline that had passed before the group started ends it at once and says by how much", async () => {
    const events: string[] = [];
    const program = testRun(
      function* () {
        yield* group(
          function* () {
            yield* onTeardown((reason) => {
              events.push(`cleanup at ${Date.now()}: ${reason?.kind}, ${reason?.message}`);
            });
            yield* suspend();
          },
          { name: "report", deadline: Date.now() - 1_800_000 },
        );
      },
      { now: 3_600_000 },
    );
    const error = await groupErrorOf(program);
    assert.deepEqual(
      error.failures.map(({ path, phase, error: cause }) => [
        path,
        phase,
        (cause as TimeoutError).message,
        (cause as TimeoutError).ms,
      ]),
      [
        [
          "main/report",
          "run",
          "main/report timed out: its deadline had passed 1800000 ms before it started",
          -1_800_000,
        ],
      ],
    );
    assert.deepEqual(events, [
      "cleanup at 3600000: timeout, main/report timed out: its deadline had passed 1800000 ms before it started",
    ]);
  });

  it("a deadline given as a duration (deadline: 5000, in 1970) says what a deadline is", async () => {
    const program = testRun(
      function* () {
        yield* group(suspend, { name: "report", deadline: 5_000 });
      },
      { now: Date.UTC(2026, 0, 1) },
    );
    const error = await groupErrorOf(program);
    assert.deepEqual(
      error.failures.map(({ error: cause }) => (cause as TimeoutError).message),
      [
        `main/report timed out: its deadline had passed ${Date.UTC(2026, 0, 1) - 5_000} ms before it started (a deadline is a time in ms since the epoch, such as Date.now() + 5_000; for a duration, use timeout)`,
      ],
    );
  });

  it("moveOnAfter returns undefined at the limit, or the value before it", async () => {
    const { value } = await testRun(
      function* () {
        const late = yield* moveOnAfter(100, suspend());
        const lateAt = Date.now();
        const quick = yield* moveOnAfter(
          100,
          (function* () {
            yield* sleep(10);
            return "in time";
          })(),
        );
        return [late, lateAt, quick, Date.now()];
      },
      { now: 0 },
    );
    assert.deepEqual(value, [undefined, 100, "in time", 110]);
  });

  it("rethrows the operation's own error unchanged", async () => {
    const boom = new Error("boom");
    const error = await testRun(function* () {
      yield* withTimeout(
        100,
        (function* () {
          throw boom;
        })(),
      );
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof GroupError);
    assert.equal(error.failures[0]?.error, boom);
  });

  it("shield lets the operation finish before an ancestor's halt goes on", async () => {
    const events: string[] = [];
    await testRun(
      function* (g) {
        g.spawn(function* () {
          yield* onTeardown(() => {
            events.push(`task cleaned up at ${Date.now()}`);
          });
          yield* shield(
            (function* () {
              events.push(`flush started at ${Date.now()}`);
              yield* sleep(100);
              events.push(`flush finished at ${Date.now()} (reason: ${(yield* useHaltReason())?.kind})`);
            })(),
          );
          events.push("not reached after a halt");
        });
        yield* sleep(10);
        events.push(`halt at ${Date.now()}`);
        yield* g.halt();
      },
      { now: 0 },
    );
    assert.deepEqual(events, [
      "flush started at 0",
      "halt at 10",
      "flush finished at 100 (reason: halted)",
      "task cleaned up at 100",
    ]);
  });

  it("shield gives up after its own timeout and halts the operation", async () => {
    const events: string[] = [];
    await testRun(
      function* (g) {
        g.spawn(function* () {
          yield* shield(
            (function* () {
              yield* onTeardown(() => {
                events.push(`shielded op halted at ${Date.now()}`);
              });
              yield* sleep(10_000);
              events.push("not reached");
            })(),
            { timeout: 50 },
          );
        });
        yield* sleep(10);
        yield* g.halt();
      },
      { now: 0 },
    );
    assert.deepEqual(events, ["shielded op halted at 60"]);
  });
});

describe("cancel signals and halt reasons", () => {
  it("aborts the cancel signal before the first cleanup runs, with the reason", async () => {
    const events: string[] = [];
    const root = run(function* (g) {
      yield* g.start(function* (ready) {
        const signal = yield* useCancelSignal();
        signal.addEventListener("abort", () => events.push(`aborted: ${(signal.reason as HaltReason).kind}`));
        yield* onTeardown((reason) => {
          events.push(
            `cleanup sees ${signal.aborted ? "an aborted" : "a live"} signal, reason ${reason?.kind}`,
          );
        });
        ready(undefined);
        yield* suspend();
      });
      yield* suspend();
    });
    await root.halt("done here");
    assert.deepEqual(events, ["aborted: halted", "cleanup sees an aborted signal, reason halted"]);
  });

  it("tells siblings that a sibling failed, and which", async () => {
    const reasons: string[] = [];
    await run(function* (g) {
      yield* g.start(function* (ready) {
        yield* onTeardown((reason) => {
          reasons.push(`${reason?.kind} ${reason?.path} ${(reason?.cause as Error | undefined)?.message}`);
        });
        ready(undefined);
        yield* suspend();
      });
      g.spawn(
        function* () {
          throw new Error("disk full");
        },
        { name: "writer" },
      );
      yield* suspend();
    }).then(
      () => assert.fail("expected a GroupError"),
      () => {},
    );
    assert.deepEqual(reasons, ["sibling-failed main/writer disk full"]);
  });

  it("halts a group when its external AbortSignal aborts; the group returns undefined", async () => {
    const events: string[] = [];
    const controller = new AbortController();
    const value = await run(function* () {
      const result = yield* group(
        function* (g) {
          g.spawn(function* () {
            yield* onTeardown((reason) => {
              events.push(`${reason?.kind}: ${String(reason?.cause)}`);
            });
            yield* suspend();
          });
          yield* sleep(1);
          controller.abort("client gone");
          yield* suspend();
          return "not reached";
        },
        { signal: controller.signal },
      );
      events.push(`group returned ${result}`);
      return result;
    });
    assert.equal(value, undefined);
    assert.deepEqual(events, ["aborted: client gone", "group returned undefined"]);
  });
});

describe("supervise", () => {
  it("keeps the siblings running, reports each failure to onError, and throws at the end", async () => {
    const events: string[] = [];
    const error = await run(function* () {
      yield* group(
        function* (g) {
          g.spawn(
            function* () {
              yield* sleep(1);
              throw new Error("flaky");
            },
            { name: "flaky" },
          );
          g.spawn(
            function* () {
              yield* sleep(5);
              events.push("steady finished");
            },
            { name: "steady" },
          );
        },
        {
          name: "pool",
          policy: "supervise",
          onError: (e, task) => events.push(`onError ${task.path}: ${(e as Error).message}`),
        },
      );
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.deepEqual(events, ["onError main/pool/flaky: flaky", "steady finished"]);
    assert.ok(error instanceof GroupError);
    assert.deepEqual(
      error.failures.map((f) => f.path),
      ["main/pool/flaky"],
    );
  });
});

describe("limit", () => {
  it("never runs more than n children at once, and starts them in spawn order", async () => {
    let running = 0;
    let highest = 0;
    const started: number[] = [];
    await run(function* () {
      yield* group(
        function* (g) {
          for (let i = 0; i < 1000; i++) {
            g.spawn(function* () {
              started.push(i);
              running++;
              highest = Math.max(highest, running);
              yield* sleep(0);
              running--;
            });
          }
        },
        { limit: 8 },
      );
    });
    assert.equal(highest, 8);
    assert.deepEqual(
      started,
      Array.from({ length: 1000 }, (_, i) => i),
    );
  });

  it("drops the queued children without starting them when the group is halted, and says so", async () => {
    const started: string[] = [];
    let duringTeardown: string | undefined;
    const root = run(function* (g) {
      yield* group(
        function* (inner) {
          // A group's own cleanup runs after its children: the tree still has the group.
          yield* onTeardown(() => {
            const pool = root.inspect()?.children[0];
            duringTeardown = `${pool?.name} dropped ${pool?.dropped} (${pool?.haltReason?.kind})`;
          });
          for (const name of ["a", "b", "c", "d"]) {
            inner.spawn(
              function* () {
                started.push(name);
                yield* suspend();
              },
              { name },
            );
          }
          yield* suspend();
        },
        { name: "pool", limit: 2 },
      );
      void g;
    });
    await flush();
    const tree = root.inspect();
    const pool = tree?.children[0];
    assert.deepEqual(
      pool?.children.map((c) => `${c.name} ${c.state}`),
      ["a running", "b running", "c queued", "d queued"],
    );
    await root.halt();
    assert.deepEqual(started, ["a", "b"]);
    assert.equal(duringTeardown, "pool dropped 2 (halted)");
  });

  it("a queued child halted by its handle never starts, and its place goes to the next one", async () => {
    const events: string[] = [];
    await run(function* () {
      yield* group(
        function* (g) {
          const a = g.spawn(
            function* () {
              yield* sleep(5);
              events.push("a done");
            },
            { name: "a" },
          );
          const b = g.spawn(
            function* () {
              events.push("b started");
            },
            { name: "b" },
          );
          const c = g.spawn(
            function* () {
              events.push("c started");
            },
            { name: "c" },
          );
          events.push(`b ${b.state}, c ${c.state}`);
          yield* b.halt();
          events.push(`b ${b.state}`);
          yield* a;
          yield* c;
          events.push(`c ${c.state}`);
        },
        { name: "pool", limit: 1 },
      );
    });
    assert.deepEqual(events, ["b queued, c queued", "b halted", "a done", "c started", "c done"]);
  });
});

describe("group options", () => {
  it("rejects a limit, timeout or deadline that makes no sense, where it is written", () => {
    assert.throws(() => group(function* () {}, { limit: 0 }), /limit must be an integer >= 1, got 0/);
    assert.throws(() => group(function* () {}, { timeout: -5 }), /timeout must be a number .* got -5/);
    assert.throws(
      () => group(function* () {}, { deadline: Number.NaN }),
      /deadline must be a time .* got NaN/,
    );
  });
});
