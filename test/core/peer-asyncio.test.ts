// Cases ported from CPython's Lib/test/test_asyncio/test_taskgroups.py,
// in unwind's terms: a TaskGroup is group(), create_task is g.spawn(),
// cancel() is a halt, an ExceptionGroup is a GroupError (flattened: each
// failure keeps its task path instead of nesting groups).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Operation, sleep } from "effection";
import {
  type Group,
  type GroupError,
  group,
  HaltedError,
  inspect,
  onTeardown,
  run,
  type TaskHandle,
} from "unwind";
import { groupErrorOf } from "../helpers/thrown.ts";

const paths = (error: GroupError) => error.failures.map((f) => f.path);

function* returnsAfter<T>(ms: number, value: T): Operation<T> {
  yield* sleep(ms);
  return value;
}

function* crashesAfter(ms: number, message: string): Operation<never> {
  yield* sleep(ms);
  throw new Error(message);
}

describe("peer: asyncio TaskGroup", () => {
  // test_taskgroup_01, test_taskgroup_02
  it("joins its children and keeps their values, also for one spawned later", async () => {
    const values = await run(function* () {
      let t1: TaskHandle<number> | undefined;
      let t2: TaskHandle<number> | undefined;
      yield* group(function* (g) {
        t1 = g.spawn(() => returnsAfter(2, 42));
        yield* sleep(1);
        t2 = g.spawn(() => returnsAfter(2, 11));
      });
      return [t1?.state, t2?.state, yield* t1 as TaskHandle<number>, yield* t2 as TaskHandle<number>];
    });
    assert.deepEqual(values, ["done", "done", 42, 11]);
  });

  // test_taskgroup_03
  it("goes on when one child is halted explicitly", async () => {
    const result = await run(function* () {
      let t1: TaskHandle<number> | undefined;
      let t2: TaskHandle<number> | undefined;
      yield* group(function* (g) {
        t1 = g.spawn(() => returnsAfter(1_000, 42));
        yield* sleep(1);
        yield* t1.halt();
        t2 = g.spawn(() => returnsAfter(1, 11));
      });
      return [t1?.state, yield* t2 as TaskHandle<number>];
    });
    assert.deepEqual(result, ["halted", 11]);
  });

  // test_taskgroup_04, test_cancel_children_on_child_error
  it("halts the siblings and the body on a child's error; code after the group never runs", async () => {
    const events: string[] = [];
    const error = await groupErrorOf(
      run(function* () {
        yield* group(function* (g) {
          for (let i = 0; i < 3; i++)
            g.spawn(() => crashesAfter(1, "division by zero"), { name: `foo1-${i}` });
          g.spawn(
            function* () {
              yield* onTeardown(() => {
                events.push("foo2 halted");
              });
              yield* sleep(5_000);
              events.push("foo2 finished");
            },
            { name: "foo2" },
          );
          yield* onTeardown(() => {
            events.push("runner halted");
          });
          yield* sleep(10_000);
        });
        events.push("after the group");
      }),
    );
    assert.deepEqual(events, ["foo2 halted", "runner halted"]);
    // The first crash halts the other two before their timers fire.
    assert.deepEqual(
      error.failures.map((f) => [f.path, (f.error as Error).message]),
      [["main/foo1-0", "division by zero"]],
    );
  });

  // test_cancellation, test_taskgroup_07, test_taskgroup_22
  it("halted from outside, halts every child and its own body, and ends without an error", async () => {
    let halted = 0;
    const root = run(function* () {
      yield* group(function* (g) {
        for (let i = 0; i < 5; i++) {
          g.spawn(function* () {
            yield* onTeardown(() => {
              halted += 1;
            });
            yield* sleep(5_000);
          });
        }
        yield* onTeardown(() => {
          halted += 10;
        });
        yield* sleep(10_000);
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await root.halt("test");
    assert.equal(await root, undefined);
    assert.equal(halted, 15);
  });

  // test_taskgroup_09, test_taskgroup_10
  it("halts its children when the body throws, and reports only the body's error", async () => {
    let t1: TaskHandle<number> | undefined;
    let t2: TaskHandle<number> | undefined;
    const original = new Error("division by zero");
    const error = await groupErrorOf(
      run(function* () {
        yield* group(function* (g) {
          t1 = g.spawn(() => returnsAfter(1_000, 42));
          t2 = g.spawn(() => returnsAfter(2_000, 11));
          yield* sleep(1);
          throw original;
        });
      }),
    );
    assert.equal(error.cause, original);
    assert.deepEqual(paths(error), ["main"]);
    assert.deepEqual([t1?.state, t2?.state], ["halted", "halted"]);
  });

  // test_taskgroup_11, test_taskgroup_12
  it("halted from outside, tears nested groups down too", async () => {
    const events: string[] = [];
    const root = run(function* () {
      yield* group(function* (g1) {
        g1.spawn(() => sleep(10_000), { name: "sleeper" });
        yield* group(
          function* (g2) {
            for (let i = 0; i < 5; i++) {
              g2.spawn(
                function* () {
                  yield* onTeardown(() => {
                    events.push(`g2/foo-${i} halted`);
                  });
                  yield* sleep(10_000);
                },
                { name: `foo-${i}` },
              );
            }
            yield* sleep(10_000);
          },
          { name: "g2" },
        );
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await root.halt();
    assert.deepEqual(
      events,
      [4, 3, 2, 1, 0].map((i) => `g2/foo-${i} halted`),
    );
  });

  // test_taskgroup_13
  it("a crash in the outer group halts a nested group before its own child crashes", async () => {
    const error = await groupErrorOf(
      run(function* () {
        yield* group(function* (g1) {
          g1.spawn(() => crashesAfter(1, "0.1"), { name: "soon" });
          yield* group(
            function* (g2) {
              g2.spawn(() => crashesAfter(10_000, "10"), { name: "late" });
            },
            { name: "g2" },
          );
        });
      }),
    );
    assert.deepEqual(
      error.failures.map((f) => [f.path, (f.error as Error).message]),
      [["main/soon", "0.1"]],
    );
  });

  // test_taskgroup_14 (flattened rather than nested)
  it("a crash in a nested group fails the outer group with the crash's full path", async () => {
    const error = await groupErrorOf(
      run(function* () {
        yield* group(function* (g1) {
          g1.spawn(() => crashesAfter(10_000, "10"), { name: "late" });
          yield* group(
            function* (g2) {
              g2.spawn(() => crashesAfter(1, "0.1"), { name: "soon" });
            },
            { name: "g2" },
          );
        });
      }),
    );
    assert.deepEqual(
      error.failures.map((f) => [f.path, (f.error as Error).message]),
      [["main/g2/soon", "0.1"]],
    );
  });

  // test_taskgroup_18 (a catch cannot see a halt; a finally can throw)
  it("keeps an error thrown by the body's finally while it is halted from outside", async () => {
    const root = run(function* () {
      yield* group(function* () {
        try {
          yield* sleep(10_000);
        } finally {
          // biome-ignore lint/correctness/noUnsafeFinally: the behaviour under test
          throw new Error("MyExc");
        }
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const error = await groupErrorOf(root.halt());
    assert.deepEqual(
      error.failures.map((f) => [f.path, f.phase, (f.error as Error).message]),
      [["main", "teardown", "MyExc"]],
    );
  });

  // test_taskgroup_19
  it("keeps both a child's crash and the error the halted body's nested finally throws", async () => {
    function* nested(): Operation<void> {
      try {
        yield* sleep(10_000);
      } finally {
        // biome-ignore lint/correctness/noUnsafeFinally: the behaviour under test
        throw new Error("MyExc");
      }
    }
    const error = await groupErrorOf(
      run(function* () {
        yield* group(function* (g) {
          g.spawn(() => crashesAfter(1, "division by zero"), { name: "crash_soon" });
          yield* nested();
        });
      }),
    );
    assert.deepEqual(
      error.failures.map((f) => [f.path, f.phase, (f.error as Error).message]),
      [
        ["main/crash_soon", "run", "division by zero"],
        ["main", "teardown", "MyExc"],
      ],
    );
  });

  // test_taskgroup_23
  it("forgets children as they finish", async () => {
    const sizes = await run(function* () {
      const seen: number[] = [];
      yield* group(function* (g) {
        for (let count = 0; count < 4; count++) {
          g.spawn(() => sleep(2), { name: `job-${count}` });
          yield* sleep(1);
        }
        // The group has no name: it is the root's one child, with the jobs under it.
        const jobs = function* () {
          const [unnamed] = (yield* inspect()).children;
          assert.equal(unnamed?.kind, "group");
          return unnamed?.children.length ?? -1;
        };
        seen.push(yield* jobs());
        yield* sleep(20);
        seen.push(yield* jobs());
      });
      return seen;
    });
    const running = sizes?.[0] ?? -1;
    assert.ok(running >= 0 && running < 4, `children while running: ${running}`);
    assert.equal(sizes?.[1], 0);
  });

  // test_taskgroup_24
  it("waits for the children that a child spawns into it", async () => {
    const events: string[] = [];
    await run(function* () {
      yield* group(function* (g) {
        g.spawn(function* () {
          yield* sleep(1);
          g.spawn(function* () {
            yield* sleep(1);
            events.push("coro1 0.1");
          });
          g.spawn(function* () {
            yield* sleep(2);
            events.push("coro1 0.2");
          });
        });
      });
      events.push("group returned");
    });
    assert.deepEqual(events, ["coro1 0.1", "coro1 0.2", "group returned"]);
  });

  // test_taskgroup_25
  it("stops a hydra: children that keep spawning are halted by a sibling's crash", async () => {
    let hydras = 0;
    let handle: Group | undefined;
    function* hydra(g: Group): Operation<void> {
      hydras += 1;
      yield* sleep(1);
      g.spawn(() => hydra(g));
      g.spawn(() => hydra(g));
    }
    const error = await groupErrorOf(
      run(function* () {
        yield* group(function* (g) {
          handle = g;
          g.spawn(() => hydra(g), { name: "hydra" });
          g.spawn(
            function* () {
              while (hydras < 10) yield* sleep(1);
              throw new Error("division by zero");
            },
            { name: "hercules" },
          );
        });
      }),
    );
    assert.deepEqual(paths(error), ["main/hercules"]);
    assert.ok(hydras >= 10);
    assert.throws(() => handle?.spawn(() => hydra(handle as Group)), /has already ended/);
  });

  // test_taskgroup_task_name
  it("gives a task the name it was spawned with, in its handle and its path", async () => {
    const names = await run(function* () {
      return yield* group(
        function* (g) {
          const t = g.spawn(() => sleep(0), { name: "yolo" });
          return [t.name, t.path];
        },
        { name: "tg" },
      );
    });
    assert.deepEqual(names, ["yolo", "main/tg/yolo"]);
  });

  // (asyncio: awaiting a cancelled task raises CancelledError)
  it("makes awaiting a halted child throw a HaltedError", async () => {
    const seen = await run(function* () {
      return yield* group(function* (g) {
        const t = g.spawn(() => sleep(1_000), { name: "t" });
        yield* sleep(1);
        yield* t.halt();
        try {
          yield* t;
          return "no error";
        } catch (error) {
          return error instanceof HaltedError ? `HaltedError ${error.path}` : String(error);
        }
      });
    });
    assert.equal(seen, "HaltedError main/t");
  });
});
