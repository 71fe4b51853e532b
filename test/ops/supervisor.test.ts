// supervisor(): Erlang/OTP's restart strategies, restart types, intensity and
// backoff, pinned by recorded event sequences. Time is node:test's mock clock.
import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import { type Operation, suspend, withResolvers } from "effection";
import {
  Channels,
  formatTree,
  GroupError,
  group,
  onTeardown,
  RestartIntensityError,
  run,
  type SupervisorOptions,
  supervisor,
  type TaskTree,
  type UnwindEvent,
} from "unwind";
import { flush } from "../helpers/event-loop.ts";

/** Advances the mocked clock one millisecond at a time, flushing in between. */
async function advance(ms: number) {
  for (let i = 0; i < ms; i++) {
    mock.timers.tick(1);
    await flush();
  }
}

/**
 * Children that record their life (`start a#2`, `cleanup a#2`) and that the
 * test ends from outside: `fail("a")` makes the running incarnation of `a`
 * throw, `finish("a")` makes it return.
 */
function cast() {
  const events: string[] = [];
  const counts = new Map<string, number>();
  const running = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  const child = (name: string, cleanup?: () => Promise<void>) =>
    function* (): Operation<void> {
      const n = (counts.get(name) ?? 0) + 1;
      counts.set(name, n);
      events.push(`start ${name}#${n}`);
      yield* onTeardown(async () => {
        await cleanup?.();
        events.push(`cleanup ${name}#${n}`);
      });
      const end = withResolvers<void>();
      running.set(name, end);
      yield* end.operation;
      events.push(`return ${name}#${n}`);
    };
  const fail = (name: string, message = `${name} broke`) => running.get(name)?.reject(new Error(message));
  const finish = (name: string) => running.get(name)?.resolve();
  return { events, child, fail, finish };
}

/** Records every `unwind:restart` event into `events` while `body` runs. */
async function recordingRestarts<T>(events: string[], body: () => Promise<T>): Promise<T> {
  const listener = (message: unknown) => {
    const e = message as UnwindEvent;
    const why = e.error === undefined ? "" : `: ${(e.error as Error).message}`;
    events.push(`restart ${e.path} #${e.attempt} after ${e.delayMs} ms (was ${e.state}${why})`);
  };
  subscribe(Channels.restart, listener);
  try {
    return await body();
  } finally {
    unsubscribe(Channels.restart, listener);
  }
}

/** A supervisor named `sup` under `run()` with the three children a, b, c; at once, without backoff. */
function threeChildren(
  children: ReturnType<typeof cast>,
  options: SupervisorOptions,
  restart: {
    a?: "transient" | "temporary";
    b?: "transient" | "temporary";
    c?: "transient" | "temporary";
  } = {},
) {
  return run(function* () {
    yield* supervisor(
      function* (s) {
        s.spawn(children.child("a"), { name: "a", ...(restart.a ? { restart: restart.a } : {}) });
        s.spawn(children.child("b"), { name: "b", ...(restart.b ? { restart: restart.b } : {}) });
        s.spawn(children.child("c"), { name: "c", ...(restart.c ? { restart: restart.c } : {}) });
        yield* suspend();
      },
      { name: "sup", backoff: false, ...options },
    );
  });
}

const errorOf = (promise: PromiseLike<unknown>) =>
  Promise.resolve(promise).then(
    () => undefined,
    (error: unknown) => error,
  );

describe("supervisor() strategies", () => {
  it("one-for-one restarts only the child that failed, after its cleanup", async () => {
    const children = cast();
    const { events } = children;
    await recordingRestarts(events, async () => {
      const root = threeChildren(children, { strategy: "one-for-one" });
      await flush();
      children.fail("b");
      await flush();
      await root.halt();
    });
    assert.deepEqual(events, [
      "start a#1",
      "start b#1",
      "start c#1",
      "cleanup b#1",
      "restart main/sup/b #1 after 0 ms (was failed: b broke)",
      "start b#2",
      // The final teardown: newest incarnation first.
      "cleanup b#2",
      "cleanup c#1",
      "cleanup a#1",
    ]);
  });

  it("one-for-all tears the others down newest first, then starts all in spawn order", async () => {
    const children = cast();
    const { events } = children;
    await recordingRestarts(events, async () => {
      const root = threeChildren(children, { strategy: "one-for-all" });
      await flush();
      children.fail("b");
      await flush();
      await root.halt();
    });
    assert.deepEqual(events, [
      "start a#1",
      "start b#1",
      "start c#1",
      "cleanup b#1",
      "cleanup c#1",
      "cleanup a#1",
      "restart main/sup/a #1 after 0 ms (was halted: b broke)",
      "restart main/sup/b #1 after 0 ms (was failed: b broke)",
      "restart main/sup/c #1 after 0 ms (was halted: b broke)",
      "start a#2",
      "start b#2",
      "start c#2",
      "cleanup c#2",
      "cleanup b#2",
      "cleanup a#2",
    ]);
  });

  it("rest-for-one restarts the child and the ones spawned after it", async () => {
    const children = cast();
    const { events } = children;
    await recordingRestarts(events, async () => {
      const root = threeChildren(children, { strategy: "rest-for-one" });
      await flush();
      children.fail("b");
      await flush();
      await root.halt();
    });
    assert.deepEqual(events, [
      "start a#1",
      "start b#1",
      "start c#1",
      "cleanup b#1",
      "cleanup c#1",
      "restart main/sup/b #1 after 0 ms (was failed: b broke)",
      "restart main/sup/c #1 after 0 ms (was halted: b broke)",
      "start b#2",
      "start c#2",
      "cleanup c#2",
      "cleanup b#2",
      "cleanup a#1",
    ]);
  });

  it("restarts nested subtrees with every cleanup exactly once per incarnation, in tree order", async () => {
    const events: string[] = [];
    let incarnation = 0;
    let failNow = withResolvers<void>();
    const root = run(function* () {
      yield* supervisor(
        function* (s) {
          s.spawn(
            function* () {
              const n = ++incarnation;
              yield* onTeardown(() => void events.push(`cleanup conn#${n}`));
              yield* group(
                function* (g) {
                  for (const leaf of ["reader", "writer"]) {
                    g.spawn(
                      function* () {
                        yield* onTeardown(() => void events.push(`cleanup ${leaf}#${n}`));
                        yield* suspend();
                      },
                      { name: leaf },
                    );
                  }
                  yield* onTeardown(() => void events.push(`cleanup io#${n}`));
                  events.push(`started conn#${n}`);
                  failNow = withResolvers<void>();
                  yield* failNow.operation;
                },
                { name: "io" },
              );
            },
            { name: "conn" },
          );
          yield* suspend();
        },
        { name: "sup", backoff: false },
      );
    });
    await flush();
    failNow.reject(new Error("connection reset"));
    await flush();
    failNow.reject(new Error("connection reset again"));
    await flush();
    await root.halt();
    const once = (n: number) => [
      `cleanup writer#${n}`,
      `cleanup reader#${n}`,
      `cleanup io#${n}`,
      `cleanup conn#${n}`,
    ];
    assert.deepEqual(events, [
      "started conn#1",
      ...once(1),
      "started conn#2",
      ...once(2),
      "started conn#3",
      ...once(3),
    ]);
  });
});

describe("supervisor() restart types", () => {
  it("permanent: restarted after it returns as well as after a failure", async () => {
    const children = cast();
    const { events } = children;
    await recordingRestarts(events, async () => {
      const root = run(function* () {
        yield* supervisor(
          function* (s) {
            s.spawn(children.child("p"), { name: "p" });
            yield* suspend();
          },
          { name: "sup", backoff: false },
        );
      });
      await flush();
      children.finish("p");
      await flush();
      children.fail("p");
      await flush();
      await root.halt();
    });
    assert.deepEqual(events, [
      "start p#1",
      "return p#1",
      "cleanup p#1",
      "restart main/sup/p #1 after 0 ms (was done)",
      "start p#2",
      "cleanup p#2",
      "restart main/sup/p #2 after 0 ms (was failed: p broke)",
      "start p#3",
      "cleanup p#3",
    ]);
  });

  it("transient: restarted after a failure only; a supervisor whose children all ended returns", async () => {
    const children = cast();
    const { events } = children;
    const value = await recordingRestarts(events, async () => {
      const root = run(function* () {
        return yield* supervisor(
          function* (s) {
            s.spawn(children.child("job"), { name: "job", restart: "transient" });
            return "body's value";
          },
          { name: "sup", backoff: false },
        );
      });
      await flush();
      children.fail("job");
      await flush();
      children.finish("job");
      return await root;
    });
    assert.equal(value, "body's value");
    assert.deepEqual(events, [
      "start job#1",
      "cleanup job#1",
      "restart main/sup/job #1 after 0 ms (was failed: job broke)",
      "start job#2",
      "return job#2",
      "cleanup job#2",
    ]);
  });

  it("temporary: never restarted; its failure is thrown when the supervisor ends", async () => {
    const children = cast();
    const { events } = children;
    const error = await recordingRestarts(events, async () => {
      const root = threeChildren(children, { strategy: "one-for-one" }, { b: "temporary" });
      await flush();
      children.fail("b");
      await flush();
      children.fail("a");
      await flush();
      return errorOf(root.halt());
    });
    assert.deepEqual(events, [
      "start a#1",
      "start b#1",
      "start c#1",
      "cleanup b#1",
      "cleanup a#1",
      "restart main/sup/a #1 after 0 ms (was failed: a broke)",
      "start a#2",
      "cleanup a#2",
      "cleanup c#1",
    ]);
    assert.ok(error instanceof GroupError);
    assert.deepEqual(
      error.failures.map((f) => [f.path, f.phase, (f.error as Error).message]),
      [["main/sup/b", "run", "b broke"]],
    );
  });

  it("a group restart starts a transient child that had returned again, and drops a temporary one it tore down", async () => {
    const children = cast();
    const { events } = children;
    await recordingRestarts(events, async () => {
      const root = threeChildren(children, { strategy: "one-for-all" }, { a: "transient", b: "temporary" });
      await flush();
      children.finish("a");
      await flush();
      children.fail("c");
      await flush();
      await root.halt();
    });
    assert.deepEqual(events, [
      "start a#1",
      "start b#1",
      "start c#1",
      "return a#1",
      "cleanup a#1",
      "cleanup c#1",
      "cleanup b#1",
      "restart main/sup/a #1 after 0 ms (was done: c broke)",
      "restart main/sup/c #1 after 0 ms (was failed: c broke)",
      "start a#2",
      "start c#2",
      "cleanup c#2",
      "cleanup a#2",
    ]);
  });

  it("halting a child through its handle ends it for good", async () => {
    const children = cast();
    const { events } = children;
    const haltA = withResolvers<void>();
    const root = run(function* () {
      yield* supervisor(
        function* (s) {
          const a = s.spawn(children.child("a"), { name: "a" });
          s.spawn(children.child("b"), { name: "b", restart: "transient" });
          yield* haltA.operation;
          yield* a.halt();
          events.push(`halted ${a.path} after ${a.restarts} restarts`);
        },
        { name: "sup", backoff: false },
      );
    });
    await flush();
    haltA.resolve();
    await flush();
    children.finish("b");
    await root;
    assert.deepEqual(events, [
      "start a#1",
      "start b#1",
      "cleanup a#1",
      "halted main/sup/a after 0 restarts",
      "return b#1",
      "cleanup b#1",
    ]);
  });
});

describe("supervisor() restart intensity", () => {
  it("gives up after more than maxRestarts within withinMs: every child torn down, one GroupError with each failure and the count", async () => {
    const children = cast();
    const { events } = children;
    const error = await recordingRestarts(events, async () => {
      const root = run(function* () {
        yield* supervisor(
          function* (s) {
            s.spawn(children.child("steady"), { name: "steady" });
            s.spawn(children.child("flaky"), { name: "flaky" });
            yield* suspend();
          },
          { name: "sup", backoff: false, maxRestarts: 2, withinMs: 1_000 },
        );
      });
      const outcome = errorOf(root);
      await flush();
      for (const attempt of [1, 2, 3]) {
        children.fail("flaky", `flaky broke (${attempt})`);
        await flush();
      }
      return outcome;
    });
    assert.deepEqual(events, [
      "start steady#1",
      "start flaky#1",
      "cleanup flaky#1",
      "restart main/sup/flaky #1 after 0 ms (was failed: flaky broke (1))",
      "start flaky#2",
      "cleanup flaky#2",
      "restart main/sup/flaky #2 after 0 ms (was failed: flaky broke (2))",
      "start flaky#3",
      "cleanup flaky#3",
      "cleanup steady#1",
    ]);
    assert.ok(error instanceof GroupError, String(error));
    assert.equal(error.path, "main");
    assert.deepEqual(
      error.failures.map((f) => [f.path, f.phase, (f.error as Error).message.split(";")[0]]),
      [
        ["main/sup", "run", "main/sup: more than 2 restarts within 1000 ms (2 in all)"],
        ["main/sup/flaky", "run", "flaky broke (1)"],
        ["main/sup/flaky", "run", "flaky broke (2)"],
        ["main/sup/flaky", "run", "flaky broke (3)"],
      ],
    );
    const gaveUp = error.failures[0]?.error;
    assert.ok(gaveUp instanceof RestartIntensityError);
    assert.deepEqual([gaveUp.restarts, gaveUp.maxRestarts, gaveUp.withinMs], [2, 2, 1_000]);
  });

  it("maxRestarts: 0 gives up at the first failure", async () => {
    const children = cast();
    const root = run(function* () {
      yield* supervisor(
        function* (s) {
          s.spawn(children.child("a"), { name: "a" });
          yield* suspend();
        },
        { name: "sup", maxRestarts: 0 },
      );
    });
    await flush();
    children.fail("a");
    const error = await errorOf(root);
    assert.ok(error instanceof GroupError);
    assert.deepEqual(
      error.failures.map((f) => f.path),
      ["main/sup", "main/sup/a"],
    );
    assert.deepEqual(children.events, ["start a#1", "cleanup a#1"]);
  });

  it("a child that fails again as soon as it is started is restarted until the intensity is exceeded", async () => {
    let attempt = 0;
    const error = await errorOf(
      run(function* () {
        yield* supervisor(
          function* (s) {
            s.spawn(
              function* () {
                throw new Error(`refused (${++attempt})`);
              },
              { name: "connect" },
            );
            yield* suspend();
          },
          { name: "sup", backoff: false, maxRestarts: 3 },
        );
      }),
    );
    assert.ok(error instanceof GroupError);
    assert.deepEqual(
      error.failures.slice(1).map((f) => (f.error as Error).message),
      ["refused (1)", "refused (2)", "refused (3)", "refused (4)"],
    );
    assert.equal(attempt, 4);
  });
});

describe("supervisor() backoff (mocked clock)", () => {
  beforeEach(() => mock.timers.enable({ apis: ["setTimeout", "Date"], now: 1_000_000 }));
  afterEach(() => {
    mock.timers.reset();
    mock.restoreAll();
  });

  /** The times (ms after the start) at which each incarnation of `flaky` started. */
  async function startTimes(options: SupervisorOptions, failures: number) {
    const children = cast();
    const started: number[] = [];
    const root = run(function* () {
      yield* supervisor(
        function* (s) {
          s.spawn(
            function* () {
              started.push(Date.now() - 1_000_000);
              yield* children.child("flaky")();
            },
            { name: "flaky" },
          );
          yield* suspend();
        },
        { name: "sup", ...options },
      );
    });
    await flush();
    for (let i = 0; i < failures; i++) {
      const before = started.length;
      children.fail("flaky");
      await flush();
      for (let waited = 0; started.length === before; waited++) {
        assert.ok(waited < 60_000, "the child never came back");
        await advance(1);
      }
    }
    await root.halt();
    return started;
  }

  it("waits initialMs, then factor times longer for each restart in the window, capped at maxMs", async () => {
    const started = await startTimes(
      { backoff: { initialMs: 100, factor: 2, maxMs: 300 }, maxRestarts: 10, withinMs: 60_000 },
      4,
    );
    // Failures at 0, 100, 300, 600; waits 100, 200, 300 (capped), 300.
    assert.deepEqual(started, [0, 100, 300, 600, 900]);
  });

  it("starts again from initialMs once the window has no restart left", async () => {
    const children = cast();
    const started: number[] = [];
    const root = run(function* () {
      yield* supervisor(
        function* (s) {
          s.spawn(
            function* () {
              started.push(Date.now() - 1_000_000);
              yield* children.child("flaky")();
            },
            { name: "flaky" },
          );
          yield* suspend();
        },
        { name: "sup", backoff: { initialMs: 100, factor: 2 }, withinMs: 1_000 },
      );
    });
    await flush();
    children.fail("flaky");
    await flush();
    await advance(100);
    children.fail("flaky");
    await flush();
    await advance(200);
    mock.timers.tick(2_000); // quiet: both restarts leave the window
    await flush();
    children.fail("flaky");
    await flush();
    await advance(100);
    await root.halt();
    assert.deepEqual(started, [0, 100, 300, 2_400]);
  });

  it("takes a random share of up to jitter off each delay", async () => {
    mock.method(Math, "random", () => 0.5);
    const started = await startTimes({ backoff: { initialMs: 100, factor: 2, jitter: 0.5 } }, 2);
    // 100 × (1 − 0.5 × 0.5) = 75, then 200 × 0.75 = 150.
    assert.deepEqual(started, [0, 75, 225]);
  });

  it("halting the supervisor during a backoff wait starts nothing and runs each cleanup once", async () => {
    const children = cast();
    const { events } = children;
    const root = run(function* () {
      yield* supervisor(
        function* (s) {
          s.spawn(children.child("a"), { name: "a" });
          s.spawn(children.child("b"), { name: "b" });
          yield* onTeardown(() => void events.push("supervisor's own cleanup"));
          yield* suspend();
        },
        { name: "sup", backoff: { initialMs: 1_000 } },
      );
    });
    await flush();
    children.fail("a");
    await advance(500);
    await root.halt();
    mock.timers.tick(10_000);
    await flush();
    assert.deepEqual(events, [
      "start a#1",
      "start b#1",
      "cleanup a#1",
      "cleanup b#1",
      "supervisor's own cleanup",
    ]);
  });

  it("a sibling that fails while a restart tears it down is restarted by that restart, with its own error", async () => {
    const events: string[] = [];
    const children = cast();
    let releaseC: () => void = () => {};
    // Only the first incarnation's cleanup is slow.
    let slow = true;
    const slowCleanup = () =>
      new Promise<void>((resolve) => {
        if (!slow) return resolve();
        slow = false;
        events.push("c's cleanup waits");
        releaseC = resolve;
      });
    await recordingRestarts(children.events, async () => {
      const root = run(function* () {
        yield* supervisor(
          function* (s) {
            s.spawn(children.child("a"), { name: "a" });
            s.spawn(children.child("b"), { name: "b" });
            s.spawn(children.child("c", slowCleanup), { name: "c" });
            yield* suspend();
          },
          { name: "sup", strategy: "one-for-all", backoff: { initialMs: 50 } },
        );
      });
      await flush();
      children.fail("a");
      await flush();
      children.fail("b"); // while c's cleanup is still running
      await flush();
      releaseC();
      await flush();
      await advance(50);
      await root.halt();
    });
    assert.deepEqual(events, ["c's cleanup waits"]);
    assert.deepEqual(children.events, [
      "start a#1",
      "start b#1",
      "start c#1",
      "cleanup a#1",
      "cleanup b#1",
      "cleanup c#1",
      "restart main/sup/a #1 after 50 ms (was failed: a broke)",
      "restart main/sup/b #1 after 50 ms (was failed: b broke)",
      "restart main/sup/c #1 after 50 ms (was halted: a broke)",
      "start a#2",
      "start b#2",
      "start c#2",
      "cleanup c#2",
      "cleanup b#2",
      "cleanup a#2",
    ]);
  });
});

describe("supervisor() in the task tree", () => {
  it("shows each child's restart count", async () => {
    const children = cast();
    const root = run(function* () {
      yield* supervisor(
        function* (s) {
          s.spawn(children.child("flaky"), { name: "flaky" });
          s.spawn(children.child("steady"), { name: "steady" });
          yield* suspend();
        },
        { name: "sup", backoff: false },
      );
    });
    await flush();
    children.fail("flaky");
    await flush();
    children.fail("flaky");
    await flush();
    const tree = root.inspect();
    await root.halt();
    const sup = tree?.children.find((c) => c.name === "sup");
    assert.deepEqual(
      sup?.children.map((c) => [c.name, c.restarts]),
      [
        ["steady", undefined],
        ["flaky", 2],
      ],
    );
    assert.equal(sup?.restarts, 2);
    // Every age 0ms (measured from the root's start); the columns' widths left out.
    const lines = formatTree(tree as TaskTree, { now: tree?.startedAt ?? 0, color: false }).split("\n");
    const [steady, flaky] = sup?.children ?? [];
    assert.deepEqual(
      lines.map((line) => line.replace(/(\S) +/g, "$1 ")),
      [
        `main group ${tree?.id} running 0ms`,
        `└─ sup group ${sup?.id} running 0ms 2 restarts`,
        `   ├─ steady task ${steady?.id} running 0ms`,
        `   └─ flaky task ${flaky?.id} running 0ms 2 restarts`,
      ],
    );
  });
});

describe("supervisor() children's names", () => {
  it("fails the body that spawns a second child of a name the supervisor still has", async () => {
    const error = await errorOf(
      run(function* () {
        yield* supervisor(
          function* (s) {
            s.spawn(() => suspend(), { name: "twin" });
            s.spawn(() => suspend(), { name: "twin" });
          },
          { name: "sup" },
        );
      }),
    );
    assert.ok(error instanceof GroupError);
    assert.equal(
      String(error.failures[0]?.error),
      'Error: s.spawn(): main/sup already supervises a child named "twin"; a name identifies one child across its restarts, give each child its own',
    );
  });
});
