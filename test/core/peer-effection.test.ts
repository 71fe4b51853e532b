// Cases ported from effection v4's test/spawn.test.ts, scope.test.ts,
// ensure.test.ts and the issue-1190 scenarios, in unwind's terms. Where
// unwind chose differently (a group joins its children instead of halting
// them when its body returns) the test pins unwind's behaviour and says so.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Operation, sleep, suspend, until } from "effection";
import { HaltedError, onTeardown, run, type TaskHandle } from "unwind";
import { failureMessages, groupErrorOf } from "../helpers/thrown.ts";

describe("peer: effection spawn", () => {
  // "can spawn a new child task"
  it("gives a child's value to yield* handle", async () => {
    const value = await run(function* (g) {
      const child = g.spawn(function* () {
        const one = yield* until(Promise.resolve(12));
        const two = yield* until(Promise.resolve(55));
        return one + two;
      });
      return yield* child;
    });
    assert.equal(value, 67);
  });

  // "halts child when halted"
  it("halts a child when the root is halted", async () => {
    let child: TaskHandle<void> | undefined;
    const root = run(function* (g) {
      child = g.spawn(suspend);
      yield* suspend();
    });
    await root.halt();
    assert.equal(child?.state, "halted");
  });

  // "halts child when finishing normally": unwind joins instead
  it("waits for a child when the body returns (effection halts it)", async () => {
    const events: string[] = [];
    const value = await run(function* (g) {
      g.spawn(function* () {
        yield* sleep(2);
        events.push("child finished");
      });
      yield* sleep(0);
      events.push("body returns");
      return 1;
    });
    assert.equal(value, 1);
    assert.deepEqual(events, ["body returns", "child finished"]);
  });

  // "halts child when errored"
  it("halts a child when the body throws, and rejects with the body's error", async () => {
    let child: TaskHandle<void> | undefined;
    const boom = new Error("boom");
    const error = await groupErrorOf(
      run(function* (g) {
        child = g.spawn(suspend);
        yield* sleep(0);
        throw boom;
      }),
    );
    assert.deepEqual(error.errors, [boom]);
    assert.equal(child?.state, "halted");
  });

  // "rejects parent when child errors"
  it("rejects with a child's error, and awaiting the child throws it too", async () => {
    const moo = new Error("moo");
    let child: TaskHandle<void> | undefined;
    const error = await groupErrorOf(
      run(function* (g) {
        child = g.spawn(function* () {
          throw moo;
        });
        yield* suspend();
      }),
    );
    assert.equal(error.cause, moo);
    const awaited = await run(function* () {
      try {
        yield* child as TaskHandle<void>;
      } catch (thrown) {
        return thrown;
      }
    });
    assert.equal(awaited, moo);
  });

  // "finishes normally when child halts"
  it("finishes normally when the body halts a child, and awaiting the child throws a HaltedError", async () => {
    const result = await run(function* (g) {
      const child = g.spawn(suspend, { name: "child" });
      yield* child.halt();
      try {
        yield* child;
      } catch (error) {
        return error instanceof HaltedError ? `foo; ${error.path} halted` : String(error);
      }
    });
    assert.equal(result, "foo; main/child halted");
  });

  // "rejects when child errors during completing"
  it("rejects when a child's finally throws as it completes", async () => {
    const error = await groupErrorOf(
      run(function* (g) {
        g.spawn(
          function* () {
            try {
              yield* sleep(1);
            } finally {
              // biome-ignore lint/correctness/noUnsafeFinally: the behaviour under test
              throw new Error("moo");
            }
          },
          { name: "child" },
        );
        return "foo";
      }),
    );
    assert.deepEqual(failureMessages(error), [["main/child", "run", "moo"]]);
  });

  // "rejects when child errors during halting"
  it("makes root.halt() reject when a child's finally throws while halted", async () => {
    let child: TaskHandle<void> | undefined;
    const root = run(function* (g) {
      child = g.spawn(
        function* () {
          try {
            yield* suspend();
          } finally {
            // biome-ignore lint/correctness/noUnsafeFinally: the behaviour under test
            throw new Error("moo");
          }
        },
        { name: "child" },
      );
      yield* suspend();
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(failureMessages(await groupErrorOf(root.halt())), [["main/child", "teardown", "moo"]]);
    assert.equal(child?.state, "failed");
  });

  // "halts when child finishes during asynchronous halt"; issue-1190 case 51:
  // an inline async finally in the body itself is not a swallowed halt
  it("lets the root body's own finally wait, and reports nothing", async () => {
    let didFinish = false;
    const root = run(function* (g) {
      g.spawn(() => sleep(5));
      try {
        yield* suspend();
      } finally {
        yield* sleep(20);
        didFinish = true;
      }
    });
    await new Promise((resolve) => setImmediate(resolve));
    await root.halt();
    assert.equal(didFinish, true);
  });

  // "runs destructors in reverse order and in series"
  it("tears children down newest first, one after the other", async () => {
    const result: string[] = [];
    await run(function* (g) {
      for (const name of ["first", "second"]) {
        g.spawn(function* () {
          yield* onTeardown(async () => {
            result.push(`${name} start`);
            await new Promise((resolve) => setTimeout(resolve, 5));
            result.push(`${name} done`);
          });
          yield* suspend();
        });
      }
      yield* sleep(0);
      yield* g.halt();
    });
    assert.deepEqual(result, ["second start", "second done", "first start", "first done"]);
  });

  // "raises an uncatchable error if a spawned child fails"
  it("does not let the body's catch swallow a child's failure", async () => {
    const events: string[] = [];
    const error = await groupErrorOf(
      run(function* (g) {
        g.spawn(function* () {
          yield* sleep(5);
          throw new Error("moo");
        });
        try {
          yield* sleep(10);
        } catch {
          events.push("caught");
        }
      }),
    );
    assert.deepEqual(events, []);
    assert.equal((error.cause as Error).message, "moo");
  });

  // "executes tasks first in first out within a priority group"
  it("starts children in spawn order, after the body yields", async () => {
    const order: string[] = [];
    await run(function* (g) {
      g.spawn(function* () {
        order.push("one");
      });
      g.spawn(function* () {
        order.push("two");
      });
      order.push("zero");
      yield* sleep(0);
    });
    assert.deepEqual(order, ["zero", "one", "two"]);
  });
});

describe("peer: effection scope and ensure", () => {
  // scope: "errors on close if there is a problem in teardown"
  it("rejects root.halt() with the very error a teardown threw", async () => {
    const boom = new Error("boom!");
    const root = run(function* (g) {
      g.spawn(function* () {
        yield* onTeardown(() => {
          throw boom;
        });
        yield* suspend();
      });
      yield* suspend();
    });
    await new Promise((resolve) => setImmediate(resolve));
    const error = await groupErrorOf(root.halt());
    assert.deepEqual(error.errors, [boom]);
  });

  // scope: "still closes open resources whenever something errors"
  it("still closes a resource when a sibling errors", async () => {
    const tester: { status?: "open" | "closed" } = {};
    function* useTester(): Operation<void> {
      tester.status = "open";
      yield* onTeardown(() => {
        tester.status = "closed";
      });
    }
    await groupErrorOf(
      run(function* (g) {
        g.spawn(function* () {
          yield* useTester();
          yield* suspend();
        });
        g.spawn(function* () {
          throw new Error("boom!");
        });
      }),
    );
    assert.equal(tester.status, "closed");
  });

  // ensure: "runs the given operation at the end of the task"
  it("runs an async cleanup at the end of the task, and the root waits for it", async () => {
    const states: string[] = [];
    await run(function* () {
      yield* sleep(1);
      yield* onTeardown(async () => {
        states.push("started");
        await new Promise((resolve) => setTimeout(resolve, 5));
        states.push("completed");
      });
      states.push("body done");
    });
    assert.deepEqual(states, ["body done", "started", "completed"]);
  });

  // ensure: "can block a task completing until a subtask completes"
  it("does not end a group before its subtask has finished", async () => {
    let reached = false;
    await run(function* (g) {
      g.spawn(function* () {
        yield* sleep(0);
        reached = true;
      });
    });
    assert.equal(reached, true);
  });
});

describe("peer: effection issue 1190 scenarios", () => {
  function* child(events: string[]): Operation<void> {
    try {
      yield* suspend();
    } finally {
      yield* sleep(0);
      events.push("child finally done");
    }
  }

  // case 002 / 041: code after a halted delegation runs, and unwind reports it
  it("reports code that runs after a halted delegation with an async finally", async () => {
    const events: string[] = [];
    const root = run(function* (g) {
      g.spawn(
        function* () {
          yield* child(events);
          events.push("after child");
        },
        { name: "parent" },
      );
      yield* suspend();
    });
    await new Promise((resolve) => setImmediate(resolve));
    const error = await groupErrorOf(root.halt());
    assert.deepEqual(events, ["child finally done", "after child"]);
    assert.deepEqual(
      error.failures.map((f) => [f.path, f.phase]),
      [["main/parent", "teardown"]],
    );
  });

  // case 011: parent -> middle -> child, child async finally
  it("reports it through nested delegation too", async () => {
    const events: string[] = [];
    function* middle(): Operation<void> {
      yield* child(events);
      events.push("after child in middle");
    }
    const root = run(function* (g) {
      g.spawn(
        function* () {
          yield* middle();
          events.push("after middle");
        },
        { name: "parent" },
      );
      yield* suspend();
    });
    await new Promise((resolve) => setImmediate(resolve));
    const error = await groupErrorOf(root.halt());
    assert.deepEqual(events, ["child finally done", "after child in middle", "after middle"]);
    assert.deepEqual(
      error.failures.map((f) => f.path),
      ["main/parent"],
    );
  });

  // case 001 / 052: a delegated child with a synchronous finally
  it("reports nothing for a delegated child whose finally is synchronous", async () => {
    const events: string[] = [];
    const root = run(function* (g) {
      g.spawn(function* () {
        yield* (function* () {
          try {
            yield* suspend();
          } finally {
            events.push("child finally");
          }
        })();
        events.push("after child");
      });
      yield* suspend();
    });
    await new Promise((resolve) => setImmediate(resolve));
    await root.halt();
    assert.deepEqual(events, ["child finally"]);
  });
});
