import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Operation, sleep, suspend, withResolvers } from "effection";
import { type Group, GroupError, group, HaltedError, onTeardown, run, type TaskHandle } from "unwind";
import { rejection } from "../helpers/thrown.ts";

describe("every cleanup runs exactly once", () => {
  const endings: Record<string, (g: Group) => Operation<void>> = {
    return: function* () {},
    throw: function* () {
      throw new Error("body failed");
    },
    halt: function* (g) {
      yield* g.halt();
    },
    "sibling failure": function* (g) {
      g.spawn(
        function* () {
          throw new Error("sibling failed");
        },
        { name: "sibling" },
      );
      yield* suspend();
    },
  };
  for (const [ending, finish] of Object.entries(endings)) {
    it(`when the group ends by ${ending}`, async () => {
      const counts = new Map<string, number>();
      const count = (name: string) => () => {
        counts.set(name, (counts.get(name) ?? 0) + 1);
      };
      await run(function* () {
        try {
          yield* group(function* (g) {
            yield* onTeardown(count("body"));
            g.spawn(
              function* () {
                yield* onTeardown(count("worker"));
                yield* group(function* (inner) {
                  inner.spawn(function* () {
                    yield* onTeardown(count("grandchild"));
                    yield* suspend();
                  });
                  yield* onTeardown(count("inner body"));
                  yield* suspend();
                });
              },
              { name: "worker" },
            );
            g.spawn(function* () {
              yield* onTeardown(count("finished early"));
            });
            yield* sleep(1);
            yield* finish(g);
            if (ending === "return") yield* g.halt(); // the workers never return by themselves
          });
        } catch (error) {
          assert.ok(error instanceof GroupError);
        }
      });
      assert.deepEqual(Object.fromEntries(counts), {
        body: 1,
        worker: 1,
        grandchild: 1,
        "inner body": 1,
        "finished early": 1,
      });
    });
  }
});

describe("GroupError", () => {
  it("holds the original failure and every cleanup error, each with its path and phase", async () => {
    const original = new Error("original");
    const error = await rejection(
      run(function* (g) {
        yield* onTeardown(() => {
          throw new Error("root cleanup failed");
        });
        g.spawn(
          function* () {
            yield* onTeardown(() => {
              throw new Error("db cleanup failed");
            });
            yield* suspend();
          },
          { name: "db" },
        );
        yield* group(
          function* (inner) {
            inner.spawn(
              function* () {
                yield* sleep(1);
                throw original;
              },
              { name: "w2" },
            );
            yield* suspend();
          },
          { name: "inner" },
        );
      }),
    );
    assert.ok(error instanceof GroupError);
    assert.ok(error instanceof AggregateError);
    assert.equal(error.path, "main");
    assert.equal(error.cause, original, "the first failure is the cause, not a cleanup error");
    assert.deepEqual(
      error.failures.map((f) => [f.path, f.phase, (f.error as Error).message]),
      [
        ["main/inner/w2", "run", "original"],
        ["main/db", "teardown", "db cleanup failed"],
        ["main", "teardown", "root cleanup failed"],
      ],
    );
    assert.deepEqual(
      error.errors,
      error.failures.map((f) => f.error),
    );
    assert.match(error.message, /main\/inner\/w2 \(run\): Error: original/);
  });

  it("keeps the failures of siblings that fail while the group tears down", async () => {
    const error = await rejection(
      run(function* (g) {
        g.spawn(
          function* () {
            yield* sleep(1);
            throw new Error("first");
          },
          { name: "a" },
        );
        g.spawn(
          function* () {
            try {
              yield* suspend();
            } finally {
              // A synchronous throw while being halted is still a teardown error.
              // biome-ignore lint/correctness/noUnsafeFinally: the behaviour under test
              throw new Error("second");
            }
          },
          { name: "b" },
        );
        yield* suspend();
      }),
    );
    assert.ok(error instanceof GroupError);
    assert.deepEqual(
      error.failures.map((f) => [f.path, (f.error as Error).message]),
      [
        ["main/a", "first"],
        ["main/b", "second"],
      ],
    );
  });

  it("reports an error once even when a task rethrows a sibling's error", async () => {
    const error = await rejection(
      run(function* (g) {
        const failing = g.spawn(
          function* () {
            yield* sleep(1);
            throw new Error("once");
          },
          { name: "failing" },
        );
        g.spawn(
          function* () {
            yield* failing;
          },
          { name: "waiter" },
        );
        yield* suspend();
      }),
    );
    assert.ok(error instanceof GroupError);
    assert.deepEqual(
      error.failures.map((f) => f.path),
      ["main/failing"],
    );
  });

  it("hands the cleanup errors of a group halted from outside to its owner", async () => {
    const error = await rejection(
      run(function* (g) {
        const worker = g.spawn(
          function* () {
            yield* group(
              function* (inner) {
                inner.spawn(
                  function* () {
                    yield* onTeardown(() => {
                      throw new Error("could not close");
                    });
                    yield* suspend();
                  },
                  { name: "conn" },
                );
                yield* suspend();
              },
              { name: "pool" },
            );
          },
          { name: "worker" },
        );
        yield* sleep(1);
        yield* worker.halt();
        yield* suspend();
      }),
    );
    assert.ok(error instanceof GroupError);
    assert.deepEqual(
      error.failures.map((f) => [f.path, f.phase]),
      [["main/worker/pool/conn", "teardown"]],
    );
  });
});

describe("halt", () => {
  it("is final: a catch in the body cannot swallow it and the body never resumes", async () => {
    const events: string[] = [];
    const root = run(function* () {
      try {
        yield* suspend();
      } catch {
        events.push("caught");
      } finally {
        events.push("finally");
      }
      events.push("resumed");
    });
    await root.halt();
    assert.deepEqual(events, ["finally"]);
    assert.equal(await root, undefined);
  });

  it("from inside the body ends the group, which returns undefined after its teardown", async () => {
    const events: string[] = [];
    const value = await run(function* () {
      const result = yield* group(function* (g): Operation<string> {
        yield* g.start(function* (ready) {
          yield* onTeardown(() => {
            events.push("child cleanup");
          });
          ready(undefined);
          yield* suspend();
        });
        yield* g.halt();
        events.push("after halt");
        return "unreachable";
      });
      events.push(`group returned ${result}`);
      return result;
    });
    assert.equal(value, undefined);
    assert.deepEqual(events, ["child cleanup", "group returned undefined"]);
  });

  it("from outside returns once the group's teardown has finished", async () => {
    const events: string[] = [];
    await run(function* (g) {
      let inner: Group | undefined;
      g.spawn(function* () {
        yield* group(function* (handle) {
          inner = handle;
          yield* onTeardown(async () => {
            await new Promise((resolve) => setImmediate(resolve));
            events.push("inner cleanup");
          });
          yield* suspend();
        });
        events.push("inner group returned");
      });
      yield* sleep(1);
      yield* (inner as Group).halt();
      events.push("halt returned");
    });
    assert.ok(events.indexOf("inner cleanup") < events.indexOf("halt returned"), events.join());
    assert.ok(events.includes("inner group returned"), events.join());
  });

  it("of one task leaves its siblings running, and waiting on it then throws a HaltedError", async () => {
    const events: string[] = [];
    await run(function* (g) {
      const victim: TaskHandle<void> = g.spawn(
        function* () {
          yield* onTeardown(() => {
            events.push("victim cleanup");
          });
          yield* suspend();
        },
        { name: "victim" },
      );
      g.spawn(function* () {
        yield* sleep(2);
        events.push("sibling finished");
      });
      yield* sleep(0); // let both take their first step
      yield* victim.halt();
      assert.equal(victim.state, "halted");
      try {
        yield* victim;
      } catch (error) {
        assert.ok(error instanceof HaltedError);
        events.push(`${error.message}; path ${error.path}, reason ${error.reason?.kind}`);
      }
    });
    assert.deepEqual(events, [
      "victim cleanup",
      "task main/victim was halted; path main/victim, reason halted",
      "sibling finished",
    ]);
  });

  it("never runs a task whose group is halted before its first step", async () => {
    const ran: string[] = [];
    let never: TaskHandle<void> | undefined;
    const value = await run(function* (g) {
      never = g.spawn(function* () {
        ran.push("ran");
      });
      yield* g.halt();
    });
    assert.equal(value, undefined);
    assert.equal(never?.state, "halted");
    assert.deepEqual(ran, []);
  });

  it("does not start a task spawned during teardown, and refuses spawns after the end", async () => {
    let late: TaskHandle<void> | undefined;
    let handle: Group | undefined;
    const ran: string[] = [];
    const root = run(function* (g) {
      handle = g;
      g.spawn(function* () {
        yield* onTeardown(() => {
          late = g.spawn(function* () {
            ran.push("late task ran");
          });
        });
        yield* suspend();
      });
      yield* suspend();
    });
    await root.halt();
    assert.equal(late?.state, "halted");
    assert.deepEqual(ran, []);
    assert.throws(() => handle?.spawn(function* () {}), /cannot spawn .*: group main has already ended/);
  });
});

describe("start", () => {
  it("returns the value the child passes to ready() while the child keeps running", async () => {
    const events: string[] = [];
    await run(function* (g) {
      const port = yield* g.start<number>(
        function* (ready) {
          yield* onTeardown(() => {
            events.push("listener closed");
          });
          ready(6600);
          yield* suspend();
        },
        { name: "listener" },
      );
      events.push(`listening on ${port}`);
      yield* g.halt();
    });
    assert.deepEqual(events, ["listening on 6600", "listener closed"]);
  });

  it("throws the child's failure before ready() to the caller instead of failing the group", async () => {
    const value = await run(function* (g) {
      try {
        yield* g.start(function* () {
          yield* sleep(1);
          throw new Error("bind failed");
        });
      } catch (error) {
        return `caught ${(error as Error).message}`;
      }
      return "not reached";
    });
    assert.equal(value, "caught bind failed");
  });

  it("fails when the child returns without calling ready()", async () => {
    const error = await rejection(
      run(function* (g) {
        yield* g.start(function* () {}, { name: "forgetful" });
      }),
    );
    assert.ok(error instanceof GroupError);
    assert.match(String(error.failures[0]?.error), /main\/forgetful returned before calling ready\(\)/);
  });

  it("fails the group when the child fails after ready()", async () => {
    const error = await rejection(
      run(function* (g) {
        yield* g.start(
          function* (ready) {
            ready(undefined);
            yield* sleep(1);
            throw new Error("crashed later");
          },
          { name: "server" },
        );
        yield* suspend();
      }),
    );
    assert.ok(error instanceof GroupError);
    assert.deepEqual(
      error.failures.map((f) => f.path),
      ["main/server"],
    );
  });
});

describe("start: the child after its caller left", () => {
  it("fails the group when the child crashes before ready() after the caller of start() was halted", async () => {
    const events: string[] = [];
    const error = await rejection(
      run(function* (g) {
        const caller = g.spawn(
          function* () {
            yield* g.start(
              function* () {
                yield* sleep(3);
                events.push("child crashes");
                throw new Error("crashed before ready");
              },
              { name: "child" },
            );
            events.push("not reached: the caller was halted");
          },
          { name: "caller" },
        );
        yield* sleep(1);
        yield* caller.halt();
        events.push("caller halted");
        yield* suspend();
      }),
    );
    assert.deepEqual(events, ["caller halted", "child crashes"]);
    assert.ok(error instanceof GroupError);
    assert.deepEqual(
      error.failures.map((f) => [f.path, f.phase, (f.error as Error).message]),
      [["main/child", "run", "crashed before ready"]],
    );
  });

  it("reaches the GroupError of the caller's group when the caller was the group's halted body", async () => {
    const error = await rejection(
      run(function* () {
        yield* group(
          function* (g) {
            g.spawn(
              function* () {
                yield* sleep(1);
                yield* g.halt(); // halts the body while it waits in start()
              },
              { name: "stopper" },
            );
            yield* g.start(
              function* () {
                try {
                  yield* suspend();
                } finally {
                  // biome-ignore lint/correctness/noUnsafeFinally: the behaviour under test
                  throw new Error("crashed while halted, before ready");
                }
              },
              { name: "child" },
            );
          },
          { name: "net" },
        );
      }),
    );
    assert.ok(error instanceof GroupError);
    assert.deepEqual(
      error.failures.map((f) => [f.path, (f.error as Error).message]),
      [["main/net/child", "crashed while halted, before ready"]],
    );
  });
});

describe("ready()", () => {
  it("throws at a second call, naming the task, and start() keeps the first value", async () => {
    const events: string[] = [];
    await run(function* (g) {
      const value = yield* g.start<number>(
        function* (ready) {
          ready(1);
          try {
            ready(2);
          } catch (error) {
            events.push((error as Error).message);
          }
          yield* suspend();
        },
        { name: "listener" },
      );
      events.push(`start returned ${value}`);
      yield* g.halt();
    });
    assert.deepEqual(events, [
      "ready() called a second time in main/listener: g.start() returns the first value only; call ready() once, when the task is ready",
      "start returned 1",
    ]);
  });

  it("fails the task when the second call is not caught", async () => {
    const error = await rejection(
      run(function* (g) {
        yield* g.start(
          function* (ready) {
            ready(undefined);
            ready(undefined);
          },
          { name: "twice" },
        );
        yield* suspend();
      }),
    );
    assert.ok(error instanceof GroupError);
    assert.deepEqual(
      error.failures.map((f) => f.path),
      ["main/twice"],
    );
    assert.match(String(error.failures[0]?.error), /ready\(\) called a second time in main\/twice/);
  });
});

describe("HaltedError", () => {
  it("names the task and why it was halted, for a task torn down by a sibling's failure", async () => {
    const seen: string[] = [];
    const error = await rejection(
      run(
        function* (g) {
          const up = withResolvers<TaskHandle<void>>();
          g.spawn(
            function* () {
              yield* group(
                function* (inner) {
                  up.resolve(inner.spawn(suspend, { name: "worker" }));
                  inner.spawn(
                    function* () {
                      yield* sleep(1);
                      throw new Error("disk full");
                    },
                    { name: "writer" },
                  );
                },
                { name: "pool" },
              );
            },
            { name: "owner" },
          );
          const worker = yield* up.operation;
          try {
            yield* worker;
          } catch (thrown) {
            assert.ok(thrown instanceof HaltedError);
            seen.push(`${thrown.path}: ${thrown.reason?.kind} (${thrown.message})`);
          }
        },
        { policy: "supervise" }, // the pool's failure does not halt this body
      ),
    );
    assert.ok(error instanceof GroupError);
    assert.deepEqual(seen, [
      "main/owner/pool/worker: sibling-failed (task main/owner/pool/worker was halted (main/owner/pool/writer failed))",
    ]);
  });
});
