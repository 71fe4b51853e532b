// The effection behaviour unwind's tree order rests on, pinned against the
// installed effection with plain effection code (no unwind). Several of these
// facts are not public API (scope.ensure is private in effection 4), so a new
// effection release may change them: CI runs this file against the newest 4.x
// too (.ci/run), and src/core/effection-internals.ts is the one place that
// uses them. Each test is named after the fact it pins; the comment says who
// relies on it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createScope,
  type Operation,
  run,
  type Scope,
  scoped,
  sleep,
  spawn,
  suspend,
  type Task,
  until,
  useScope,
} from "effection";

/** The private part of a scope that unwind uses. */
type EnsuringScope = Scope & { ensure(destructor: () => Operation<void>): () => void };

function ensuring(scope: Scope): EnsuringScope {
  return scope as EnsuringScope;
}

/** A destructor that records `name`, optionally after a real asynchronous wait. */
function record(events: string[], name: string, ms?: number): () => Operation<void> {
  return function* () {
    if (ms !== undefined) yield* until(new Promise((resolve) => setTimeout(resolve, ms)));
    events.push(name);
  };
}

/** A task that records its halt in its body's `finally` and suspends. */
function* halted(events: string[], name: string): Operation<void> {
  try {
    yield* suspend();
  } finally {
    events.push(`${name} halted`);
  }
}

describe("effection contract", () => {
  // effection-internals.ts checks for the method; cleanup.ts, task-node.ts,
  // group-node.ts, shield.ts and worker-pool.ts call it.
  it("every scope has ensure(destructor), which returns a function that unregisters it", async () => {
    const events: string[] = [];
    await run(function* () {
      yield* scoped(function* () {
        const scope = ensuring(yield* useScope());
        assert.equal(typeof scope.ensure, "function");
        scope.ensure(record(events, "kept"));
        const unregister = scope.ensure(record(events, "unregistered"));
        assert.equal(typeof unregister, "function");
        unregister();
      });
      const child = ensuring(createScope(yield* useScope()));
      assert.equal(typeof child.ensure, "function");
    });
    assert.deepEqual(events, ["kept"]);
  });

  // on-teardown.ts: cleanups of one scope run newest first.
  it("scope.ensure destructors run newest first when the scope ends", async () => {
    const events: string[] = [];
    await run(() =>
      scoped(function* () {
        const scope = ensuring(yield* useScope());
        for (const name of ["first", "second", "third"]) scope.ensure(record(events, name));
      }),
    );
    assert.deepEqual(events, ["third", "second", "first"]);
  });

  // runCleanup(): an asynchronous cleanup finishes before the next one starts.
  it("each destructor runs to its end, asynchronous work included, before the next one starts", async () => {
    const events: string[] = [];
    await run(() =>
      scoped(function* () {
        const scope = ensuring(yield* useScope());
        scope.ensure(record(events, "older, sync"));
        scope.ensure(record(events, "newer, after 20 ms", 20));
      }),
    );
    assert.deepEqual(events, ["newer, after 20 ms", "older, sync"]);
  });

  // group-node.ts and shield.ts: spawned tasks and destructors share one
  // stack, so registering a destructor before or after a spawn decides
  // whether it runs after or before that task's halt.
  it("a task's halt is registered on its owner's destructor stack, in one LIFO order with ensure()", async () => {
    const events: string[] = [];
    await run(() =>
      scoped(function* () {
        const scope = ensuring(yield* useScope());
        scope.ensure(record(events, "registered first"));
        yield* spawn(() => halted(events, "older task"));
        scope.ensure(record(events, "registered between"));
        scope.run(() => halted(events, "newer task"));
        yield* sleep(0);
      }),
    );
    assert.deepEqual(events, [
      "newer task halted",
      "registered between",
      "older task halted",
      "registered first",
    ]);
  });

  // group-node.ts: the children's scope is destroyed between the group's
  // own cleanups (registered before it) and the body (spawned after it).
  it("a child scope's destroy is registered on its parent's destructor stack when the child is created", async () => {
    const events: string[] = [];
    await run(() =>
      scoped(function* () {
        const scope = ensuring(yield* useScope());
        scope.ensure(record(events, "parent's older destructor"));
        const child = ensuring(createScope(scope));
        child.ensure(record(events, "child scope's destructor"));
        child.run(() => halted(events, "child scope's task"));
        scope.ensure(record(events, "parent's newer destructor"));
        yield* sleep(0);
      }),
    );
    assert.deepEqual(events, [
      "parent's newer destructor",
      "child scope's task halted",
      "child scope's destructor",
      "parent's older destructor",
    ]);
  });

  // task-node.ts registers settle() first in the task's own scope, so it
  // runs last; onTeardown() promises that a task's cleanups run after
  // everything the task started. (Inside a task, unlike inside scoped(), the
  // tasks it spawned are halted by the task's own task group when its body
  // ends, before the scope's destructors, whatever the registration order.)
  it("inside a task, useScope() is the task's own scope: the tasks it spawned are halted first, then its destructors run newest first", async () => {
    const events: string[] = [];
    await run(function* () {
      const outer = yield* useScope();
      const task = yield* spawn(function* () {
        const own = ensuring(yield* useScope());
        assert.notEqual(own, outer);
        own.ensure(record(events, "task's first destructor"));
        yield* spawn(() => halted(events, "older grandchild"));
        own.ensure(record(events, "task's cleanup"));
        yield* spawn(() => halted(events, "newer grandchild"));
        yield* suspend();
      });
      yield* sleep(0);
      yield* task.halt();
    });
    assert.deepEqual(events, [
      "newer grandchild halted",
      "older grandchild halted",
      "task's cleanup",
      "task's first destructor",
    ]);
  });

  // task-node.ts settle() and onTeardown() run after the body has unwound.
  it("a halted task's body runs its finally before the task's scope destructors run", async () => {
    const events: string[] = [];
    await run(function* () {
      const task = yield* spawn(function* () {
        ensuring(yield* useScope()).ensure(record(events, "destructor"));
        yield* halted(events, "body");
      });
      yield* sleep(0);
      yield* task.halt();
    });
    assert.deepEqual(events, ["body halted", "destructor"]);
  });

  // The same destructors run whether the task returned, threw or was halted.
  it("a task's scope destructors run when the task returns, throws or is halted", async () => {
    const events: string[] = [];
    await run(function* () {
      const returns = yield* spawn(function* () {
        ensuring(yield* useScope()).ensure(record(events, "returned"));
      });
      yield* returns;
      const throws = yield* scoped(function* () {
        try {
          yield* scoped(function* () {
            const task = yield* spawn(function* () {
              ensuring(yield* useScope()).ensure(record(events, "threw"));
              throw new Error("boom");
            });
            yield* task;
          });
        } catch (error) {
          return (error as Error).message;
        }
      });
      assert.equal(throws, "boom");
      const halts = yield* spawn(function* () {
        ensuring(yield* useScope()).ensure(record(events, "halted"));
        yield* suspend();
      });
      yield* sleep(0);
      yield* halts.halt();
    });
    assert.deepEqual(events, ["returned", "threw", "halted"]);
  });

  // task-node.ts haltNow() settles the node once `yield* task.halt()` returns.
  it("task.halt() returns only after the task's destructors, asynchronous ones included, have finished", async () => {
    const events: string[] = [];
    await run(function* () {
      const task = yield* spawn(function* () {
        ensuring(yield* useScope()).ensure(record(events, "async destructor done", 20));
        yield* suspend();
      });
      yield* sleep(0);
      yield* task.halt();
      events.push("halt returned");
    });
    assert.deepEqual(events, ["async destructor done", "halt returned"]);
  });

  // task-node.ts haltInBackground() starts halts with .then(): nothing must
  // happen before, and .then() must start it.
  it("task.halt() does nothing until it is awaited or yielded", async () => {
    const events: string[] = [];
    let task: Task<void> | undefined;
    const root = run(function* () {
      task = yield* spawn(() => halted(events, "task"));
      yield* suspend();
    });
    await new Promise((resolve) => setImmediate(resolve));
    const halt = task!.halt();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual([...events], [], "the halt has not started before it is awaited");
    await halt.then(() => events.push("then"));
    assert.deepEqual(events, ["task halted", "then"]);
    await root.halt();
  });
});
