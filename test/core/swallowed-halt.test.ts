// Halt is final, and where JavaScript breaks it, unwind says so. A `yield*`
// inside the `finally` of a generator that a task's body delegates to turns
// the halt into a normal return of that generator, and the body goes on
// (effection #1190, #1154). unwind sees it when the body ends and reports it
// as a failure of the task; its value is dropped.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Operation, sleep, suspend } from "effection";
import { group, run, type TaskHandle } from "unwind";
import { groupErrorOf } from "../helpers/thrown.ts";

const swallowed = (path: string) =>
  `the body of ${path} went on after its halt: a yield* inside a finally swallowed it; use onTeardown() for asynchronous cleanup`;

/** A generator whose `finally` waits: the shape that swallows its caller's halt. */
function* waitsInFinally(events: string[]): Operation<void> {
  try {
    yield* suspend();
  } finally {
    events.push("finally started");
    yield* sleep(1);
    events.push("finally ended");
  }
}

describe("a body that goes on after its halt", () => {
  it("is reported as a failure of the task, naming it and the cause; halt() still returns", async () => {
    const events: string[] = [];
    const error = await groupErrorOf(
      run(
        function* (g) {
          const task = g.spawn(
            function* () {
              yield* waitsInFinally(events);
              events.push("body went on");
              yield* sleep(1);
              events.push("and ran another yield*");
              return "value";
            },
            { name: "x" },
          );
          yield* sleep(1);
          yield* task.halt();
          events.push(`halt returned, task ${task.state}`);
        },
        { policy: "supervise" },
      ), // so that the failure does not halt this body too
    );
    assert.deepEqual(events, [
      "finally started",
      "finally ended",
      "body went on",
      "and ran another yield*",
      "halt returned, task failed",
    ]);
    assert.deepEqual(
      error.failures.map((f) => [f.path, f.phase, (f.error as Error).message, f.reason?.kind]),
      [["main/x", "teardown", swallowed("main/x"), "halted"]],
    );
  });

  it("drops the body's value: awaiting the task throws the report instead", async () => {
    const events: string[] = [];
    let task: TaskHandle<string> | undefined;
    const error = await groupErrorOf(
      run(
        function* (g) {
          task = g.spawn(
            function* () {
              yield* waitsInFinally(events);
              return "value";
            },
            { name: "x" },
          );
          yield* sleep(1);
          yield* task.halt();
          try {
            events.push(`value ${yield* task}`);
          } catch (thrown) {
            events.push(`threw: ${(thrown as Error).message}`);
          }
        },
        { policy: "supervise" },
      ),
    );
    assert.deepEqual(events, ["finally started", "finally ended", `threw: ${swallowed("main/x")}`]);
    assert.deepEqual(
      error.failures.map((f) => f.path),
      ["main/x"],
    );
  });

  it("reaches the root when the root is halted, as a GroupError of root.halt()", async () => {
    const events: string[] = [];
    const root = run(function* () {
      yield* group(
        function* (inner) {
          inner.spawn(
            function* () {
              yield* waitsInFinally(events);
              events.push("body went on");
            },
            { name: "x" },
          );
          yield* suspend();
        },
        { name: "inner" },
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const error = await groupErrorOf(root.halt());
    assert.deepEqual(events, ["finally started", "finally ended", "body went on"]);
    assert.deepEqual(
      error.failures.map((f) => [f.path, f.phase, (f.error as Error).message]),
      [["main/inner/x", "teardown", swallowed("main/inner/x")]],
    );
  });

  it("is reported for a group body too", async () => {
    const events: string[] = [];
    const error = await groupErrorOf(
      run(function* (g) {
        g.spawn(
          function* () {
            yield* sleep(1);
            throw new Error("sibling failed");
          },
          { name: "sibling" },
        );
        yield* group(
          function* () {
            yield* waitsInFinally(events);
            events.push("group body went on");
          },
          { name: "inner" },
        );
      }),
    );
    assert.deepEqual(events, ["finally started", "finally ended", "group body went on"]);
    assert.deepEqual(
      error.failures.map((f) => [f.path, f.phase, f.reason?.kind]),
      [
        ["main/sibling", "run", undefined],
        ["main/inner", "teardown", "sibling-failed"],
      ],
    );
  });
});

describe("bodies that end by their halt are not reported", () => {
  it("a body whose own finally waits, then ends", async () => {
    const events: string[] = [];
    const root = run(function* (g) {
      g.spawn(
        function* () {
          try {
            yield* suspend();
          } finally {
            yield* sleep(1); // discouraged (use onTeardown), but it does not go on
            events.push("own finally ended");
          }
          events.push("not reached");
        },
        { name: "x" },
      );
      yield* suspend();
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await root.halt();
    assert.deepEqual(events, ["own finally ended"]);
  });

  it("a body that delegates to a generator with a synchronous finally", async () => {
    const events: string[] = [];
    const root = run(function* (g) {
      g.spawn(
        function* () {
          yield* (function* () {
            try {
              yield* suspend();
            } finally {
              events.push("inner finally");
            }
          })();
          events.push("not reached");
        },
        { name: "x" },
      );
      yield* suspend();
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await root.halt();
    assert.deepEqual(events, ["inner finally"]);
  });

  it("a body whose finally throws while halted: a teardown failure with the reason", async () => {
    const root = run(function* (g) {
      g.spawn(
        function* () {
          try {
            yield* suspend();
          } finally {
            // biome-ignore lint/correctness/noUnsafeFinally: the behaviour under test
            throw new Error("finally threw");
          }
        },
        { name: "x" },
      );
      yield* suspend();
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const error = await groupErrorOf(root.halt());
    assert.deepEqual(
      error.failures.map((f) => [f.path, f.phase, (f.error as Error).message, f.reason?.kind]),
      [["main/x", "teardown", "finally threw", "halted"]],
    );
  });
});
