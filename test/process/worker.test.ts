import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Operation, suspend, withResolvers } from "effection";
import { GroupError, inspect, onTeardown, run, type TaskTree } from "unwind";
import { WorkerError, type WorkerHandle, worker } from "unwind/process";
import { failureRows } from "../helpers/thrown.ts";
import { tsWorker } from "../helpers/ts-worker.ts";

const fixture = (name: string) => tsWorker(new URL(`../fixtures/workers/${name}.ts`, import.meta.url));

/** Records every message of `handle` into `events`; returns once it posted "ready". */
function* recordUntilReady(handle: WorkerHandle, events: unknown[]): Operation<void> {
  const ready = withResolvers<void>();
  handle.onMessage((message) => {
    events.push(message);
    if (message === "ready") ready.resolve();
  });
  yield* ready.operation;
}

/** Runs `worker()` in a task named `owner` until the worker is ready, then halts the root. */
async function haltWhenReady(
  name: string,
  options: { data?: unknown; gracePeriod?: number },
  events: unknown[],
): Promise<void> {
  await run(function* (g) {
    yield* g.start(
      function* (ready) {
        yield* onTeardown(() => {
          events.push("parent cleanup");
        });
        const handle = yield* worker(fixture(name), { name, ...options });
        yield* recordUntilReady(handle, events);
        ready(undefined);
        yield* suspend();
      },
      { name: "owner" },
    );
    yield* g.halt();
  });
}

describe("worker(): a worker thread owned by a task", () => {
  it("the worker's main() sees the owner's halt as SIGTERM and tears its tree down in tree order first", async () => {
    const events: unknown[] = [];
    await haltWhenReady("tree", {}, events);
    assert.deepEqual(events, [
      "ready",
      "teardown main/b/leaf",
      "teardown main/b",
      "teardown main/a/leaf",
      "teardown main/a",
      "teardown main",
      "parent cleanup",
    ]);
  });

  it("so does a run() with signals in the worker", async () => {
    const events: unknown[] = [];
    await haltWhenReady("tree", { data: { root: "run" } }, events);
    assert.deepEqual(events, [
      "ready",
      "teardown worker/b/leaf",
      "teardown worker/b",
      "teardown worker/a/leaf",
      "teardown worker/a",
      "teardown worker",
      "parent cleanup",
    ]);
  });

  it("a worker that ignores the halt is terminated after gracePeriod, without a failure", async () => {
    const events: unknown[] = [];
    await haltWhenReady("busy", { gracePeriod: 200 }, events);
    assert.deepEqual(events, ["ready", "parent cleanup"]);
  });

  it("a failure in the worker fails the owner with its path continued from the worker's", async () => {
    const outcome = run(function* (g) {
      g.spawn(
        function* () {
          yield* worker(fixture("failing"), { name: "worker-2", data: { when: "run" } });
          yield* suspend();
        },
        { name: "pool" },
      );
    });
    await assert.rejects(Promise.resolve(outcome), (error) => {
      assert.ok(error instanceof GroupError);
      assert.deepEqual(failureRows(error), [
        ["main/pool/worker-2/compute", "run", "RangeError: boom in compute"],
      ]);
      assert.match(
        String((error.failures[0]?.error as Error | undefined)?.stack),
        /failing\.ts/,
        "the worker's stack",
      );
      return true;
    });
  });

  it("a task waiting in join() gets the WorkerError itself", async () => {
    let caught: unknown;
    await run(function* () {
      const handle = yield* worker(fixture("failing"), { name: "calc", data: { when: "run" } });
      try {
        yield* handle.join();
      } catch (error) {
        caught = error;
      }
    });
    assert.ok(caught instanceof WorkerError);
    assert.equal(caught.path, "main/calc");
    assert.equal(caught.exitCode, 1);
    assert.deepEqual(failureRows(caught), [["main/calc/compute", "run", "RangeError: boom in compute"]]);
  });

  it("errors of the worker's own teardown come back with their paths and phase", async () => {
    const events: unknown[] = [];
    await assert.rejects(haltWhenReady("failing", { data: { when: "teardown" } }, events), (error) => {
      assert.deepEqual(failureRows(error), [
        ["main/owner/failing/compute", "teardown", "Error: cleanup of compute failed"],
      ]);
      return true;
    });
    assert.deepEqual(events, ["ready", "parent cleanup"]);
  });

  it("an uncaught error or a non-zero exit of a plain worker fails the owner; a normal end does not", async () => {
    for (const [end, row] of [
      ["throw", ["main/plain", "run", "TypeError: plain worker threw"]],
      ["exit", ["main/plain", "run", "Error: main/plain: the worker thread exited with code 3"]],
    ] as const) {
      const outcome = run(function* () {
        yield* worker(fixture("plain"), { name: "plain", data: { end } });
        yield* suspend();
      });
      await assert.rejects(Promise.resolve(outcome), (error) => {
        assert.deepEqual(failureRows(error), [row]);
        return true;
      });
    }
    const echoed: unknown[] = [];
    const code = await run(function* () {
      const handle = yield* worker(fixture("plain"), { data: { end: "echo" } });
      handle.onMessage((value) => echoed.push(value));
      handle.postMessage("hi");
      return yield* handle.join();
    });
    assert.equal(code, 0);
    assert.deepEqual(echoed, ["echo hi"]);
  });

  it("shows the worker in the task tree with its thread id and module", async () => {
    let tree: TaskTree | undefined;
    let threadId = 0;
    await run(function* (g) {
      yield* g.start(
        function* (ready) {
          const handle = yield* worker(fixture("tree"), { name: "tree" });
          threadId = handle.threadId;
          yield* recordUntilReady(handle, []);
          ready(undefined);
          yield* suspend();
        },
        { name: "owner" },
      );
      tree = yield* inspect();
      yield* g.halt();
    });
    const owner = tree?.children.find((c) => c.name === "owner");
    const [held] = owner?.processes ?? [];
    assert.equal(owner?.processes?.length, 1);
    assert.equal(held?.kind, "worker");
    assert.equal(held?.path, "main/owner/tree");
    assert.equal(held?.kind === "worker" && held.threadId, threadId);
    assert.match(held?.kind === "worker" ? held.module : "", /^data:text\/javascript,/);
  });
});
