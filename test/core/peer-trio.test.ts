// Cases ported from Trio's src/trio/_core/_tests/test_run.py (nurseries,
// start/started) and src/trio/_tests/test_timeouts.py, in unwind's terms: a
// nursery is group(), start_soon is g.spawn(), nursery.start is g.start(),
// task_status.started is ready(), fail_after / move_on_after are
// withTimeout / moveOnAfter, a shielded scope is shield().
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import { type Operation, sleep, suspend } from "effection";
import {
  type Group,
  type GroupError,
  group,
  inspect,
  moveOnAfter,
  onTeardown,
  run,
  shield,
  TimeoutError,
  withTimeout,
} from "unwind";
import { flush } from "../helpers/event-loop.ts";
import { failureMessages, groupErrorOf } from "../helpers/thrown.ts";

describe("peer: Trio nurseries", () => {
  // test_nursery_main_block_error_basic
  it("throws the body's own error object, in a GroupError", async () => {
    const whoops = new Error("whoops");
    const error = await groupErrorOf(
      run(function* () {
        yield* group(function* () {
          throw whoops;
        });
      }),
    );
    assert.deepEqual(error.errors, [whoops]);
  });

  // test_child_crash_basic, test_child_crash_wakes_parent
  it("wakes a body that waits forever when a child crashes, with the child's error object", async () => {
    const crash = new Error("this is a crash");
    const error = await groupErrorOf(
      run(function* () {
        yield* group(function* (g) {
          g.spawn(function* () {
            throw crash;
          });
          yield* suspend();
        });
      }),
    );
    assert.deepEqual(error.errors, [crash]);
  });

  // test_task_crash_propagation
  it("halts a looping sibling when a task crashes", async () => {
    const looper: string[] = [];
    const error = await groupErrorOf(
      run(function* (g) {
        g.spawn(
          function* () {
            yield* onTeardown(() => {
              looper.push("halted");
            });
            for (;;) yield* sleep(0);
          },
          { name: "looper" },
        );
        g.spawn(
          function* () {
            yield* sleep(1);
            throw new Error("argh");
          },
          { name: "crasher" },
        );
      }),
    );
    assert.deepEqual(looper, ["halted"]);
    assert.deepEqual(failureMessages(error), [["main/crasher", "run", "argh"]]);
  });

  // test_main_and_task_both_crash
  it("keeps both when the body and a task crash", async () => {
    const error = await groupErrorOf(
      run(function* () {
        yield* group(
          function* (g) {
            g.spawn(
              function* () {
                throw new Error("ValueError");
              },
              { name: "crasher" },
            );
            try {
              yield* suspend();
            } finally {
              // biome-ignore lint/correctness/noUnsafeFinally: the body crashes as it is halted
              throw new Error("KeyError");
            }
          },
          { name: "nursery" },
        );
      }),
    );
    assert.deepEqual(failureMessages(error), [
      ["main/nursery/crasher", "run", "ValueError"],
      ["main/nursery", "teardown", "KeyError"],
    ]);
  });

  // test_two_child_crashes (under supervise; fail-fast halts the second
  // before it crashes, where Trio's second task runs to its first checkpoint)
  it("keeps two children's crashes", async () => {
    const error = await groupErrorOf(
      run(function* () {
        yield* group(
          function* (g) {
            g.spawn(
              function* () {
                throw new Error("KeyError");
              },
              { name: "a" },
            );
            g.spawn(
              function* () {
                throw new Error("ValueError");
              },
              { name: "b" },
            );
          },
          { policy: "supervise" },
        );
      }),
    );
    assert.deepEqual(failureMessages(error), [
      ["main/a", "run", "KeyError"],
      ["main/b", "run", "ValueError"],
    ]);
  });

  // test_nursery_closure
  it("takes new children while it waits for its tasks, and refuses them once it has ended", async () => {
    const events: string[] = [];
    let handle: Group | undefined;
    await run(function* () {
      yield* group(function* (g) {
        handle = g;
        g.spawn(function* () {
          yield* sleep(1); // the body has returned: the group is waiting for its tasks
          g.spawn(function* () {
            events.push("child2 ran");
          });
        });
      });
    });
    assert.deepEqual(events, ["child2 ran"]);
    assert.throws(() => handle?.spawn(function* () {}), /has already ended/);
  });
});

describe("peer: Trio nursery.start / task_status.started", () => {
  function* sleepThenStart(ms: number, ready: (value: number) => void): Operation<void> {
    yield* sleep(ms);
    ready(ms);
    yield* sleep(ms);
  }

  // test_nursery_start: the happy path
  it("waits for ready(), returns its value, and the group then waits for the child", async () => {
    const events: string[] = [];
    await run(function* () {
      yield* group(function* (g) {
        const value = yield* g.start<number>((ready) => sleepThenStart(2, ready), { name: "child" });
        events.push(`start returned ${value}, child ${(yield* inspect()).children[0]?.state}`);
      });
      events.push("group returned");
    });
    assert.deepEqual(events, ["start returned 2, child running", "group returned"]);
  });

  // test_nursery_start: calling started twice
  it("throws at a second ready()", async () => {
    const seen = await run(function* () {
      let message = "";
      yield* group(function* (g) {
        yield* g.start(
          function* (ready) {
            ready(undefined);
            try {
              ready(undefined);
            } catch (error) {
              message = (error as Error).message;
            }
          },
          { name: "double_started" },
        );
      });
      return message;
    });
    assert.match(seen ?? "", /^ready\(\) called a second time in main\/double_started/);
  });

  // test_nursery_start: child crashes before calling started;
  // test_start_exception_preserves_cause_and_context
  it("throws a crash before ready() out of start(), as the same error object, and the group does not fail", async () => {
    const oops = new Error("oops", { cause: "the cause" });
    const caught = await run(function* () {
      return yield* group(function* (g) {
        try {
          yield* g.start(function* () {
            throw oops;
          });
        } catch (error) {
          return error;
        }
      });
    });
    assert.equal(caught, oops);
    assert.equal((caught as Error).cause, "the cause");
  });

  // test_nursery_start: child exiting cleanly before calling started
  it("fails start() when the child returns without calling ready()", async () => {
    const message = await run(function* () {
      return yield* group(function* (g) {
        try {
          yield* g.start(function* () {}, { name: "nothing" });
          return "no error";
        } catch (error) {
          return (error as Error).message;
        }
      });
    });
    assert.equal(message, "main/nothing returned before calling ready()");
  });

  // test_nursery_start: trying to start in a closed nursery
  it("refuses start() in a group that has ended, at once", async () => {
    let closed: Group | undefined;
    const message = await run(function* () {
      yield* group(function* (g) {
        closed = g;
      });
      try {
        yield* (closed as Group).start((ready) => sleepThenStart(7, ready));
        return "started";
      } catch (error) {
        return (error as Error).message;
      }
    });
    assert.match(message ?? "", /^cannot spawn .*: group main has already ended$/);
  });

  // test_nursery_start_keeps_nursery_open: the crashing case
  it("keeps the target group open for a start()ed child, and its crash before ready() goes to the caller", async () => {
    const events: string[] = [];
    await run(function* () {
      yield* group(function* (g1) {
        yield* group(function* (g2) {
          g1.spawn(function* () {
            try {
              yield* g2.start(function* () {
                yield* sleep(7);
                throw new Error("KeyError");
              });
            } catch (error) {
              events.push(`caller caught ${(error as Error).message}`);
            }
          });
          yield* sleep(1); // the caller is now waiting in start(); g2's body returns
        });
        events.push("g2 ended");
      });
    });
    assert.deepEqual(events, ["caller caught KeyError", "g2 ended"]);
  });
});

async function advance(ms: number) {
  for (let i = 0; i < ms; i++) {
    mock.timers.tick(1);
    await flush();
  }
}

describe("peer: Trio timeouts (mocked clock)", () => {
  beforeEach(() => mock.timers.enable({ apis: ["setTimeout", "Date"], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  // test_move_on_after
  it("moveOnAfter returns undefined at its limit and the code after it runs", async () => {
    const events: string[] = [];
    const root = run(function* () {
      const value = yield* moveOnAfter(100, sleep(100_000));
      events.push(`moved on with ${value} at ${Date.now() - 1_000_000} ms`);
    });
    await flush();
    await advance(100);
    await root;
    assert.deepEqual(events, ["moved on with undefined at 100 ms"]);
  });

  // test_fail: fail_after with time to spare
  it("withTimeout gives the value of an operation that finishes in time, and never fires", async () => {
    const root = run(function* () {
      return yield* withTimeout(100, sleep(0));
    });
    await flush();
    await advance(1);
    assert.equal(await root, undefined);
  });

  // test_fail: fail_at a time already past (move_on_at(current_time()))
  it("a group whose deadline has passed times out before its body gets further", async () => {
    const events: string[] = [];
    const root = run(function* () {
      try {
        yield* group(
          function* () {
            yield* sleep(0);
            events.push("not reached");
          },
          { deadline: Date.now() },
        );
      } catch (error) {
        const only = (error as GroupError).failures[0]?.error;
        events.push(only instanceof TimeoutError ? "timed out" : String(error));
      }
    });
    await flush();
    await advance(1);
    await root;
    assert.deepEqual(events, ["timed out"]);
  });

  // test_move_on_after_moves_on_even_if_shielded
  it("moveOnAfter inside shield() still moves on at its limit while an ancestor's halt waits", async () => {
    const events: string[] = [];
    const root = run(function* (g) {
      g.spawn(
        function* () {
          yield* onTeardown(() => {
            events.push(`task cleaned up at ${Date.now() - 1_000_000} ms`);
          });
          yield* shield(moveOnAfter(100, suspend()));
        },
        { name: "task" },
      );
      yield* suspend();
    });
    await flush();
    const halted = root.halt();
    await advance(100);
    await halted;
    assert.deepEqual(events, ["task cleaned up at 100 ms"]);
  });

  // test_fail_after_fails_even_if_shielded: the TooSlowError is not lost
  it("withTimeout inside shield() fails at its limit while an ancestor's halt waits, and the error reaches root.halt()", async () => {
    const root = run(function* (g) {
      g.spawn(() => shield(withTimeout(100, suspend())), { name: "task" });
      yield* suspend();
    });
    await flush();
    const halted = groupErrorOf(root.halt());
    await advance(100);
    const error = await halted;
    assert.deepEqual(
      error.failures.map((f) => [f.path, f.phase, f.error instanceof TimeoutError]),
      [["main/task", "teardown", true]],
    );
  });
});
