import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sleep, suspend, until } from "effection";
import { inspect, mapLimit, onTeardown, run, type TaskTree } from "unwind";
import { WorkerError, workerPool } from "unwind/process";
import type { Answer, Job } from "../fixtures/workers/jobs.ts";
import { SharedLog } from "../helpers/shared-log.ts";
import { failureRows } from "../helpers/thrown.ts";
import { tsWorker } from "../helpers/ts-worker.ts";

const jobs = tsWorker(new URL("../fixtures/workers/jobs.ts", import.meta.url));

describe("workerPool(): CPU jobs over a fixed set of worker threads", () => {
  it("spreads the jobs over its workers and returns the results in the order of the jobs", async () => {
    const log = new SharedLog();
    let tree: TaskTree | undefined;
    const answers = await run(function* () {
      yield* onTeardown(() => log.write("owner cleanup"));
      const pool = yield* workerPool<Job, Answer>(jobs, { size: 2, data: { log: log.buffer } });
      tree = yield* inspect();
      return yield* mapLimit([20, 21, 22, 23, 24, 25], pool.size, (n) => pool.run({ kind: "fib", n }));
    });
    assert.deepEqual(
      answers?.map((a) => a.value),
      [6765, 10946, 17711, 28657, 46368, 75025],
    );
    assert.equal(new Set(answers?.map((a) => a.threadId)).size, 2, "both workers took jobs");
    // The owner's end stops each worker through its main(), then the owner's own cleanup runs.
    assert.deepEqual(log.read(), ["worker teardown", "worker teardown", "owner cleanup"]);
    assert.deepEqual(
      tree?.processes?.map((p) => [p.kind, p.name, p.path]),
      [
        ["worker", "pool/worker-1", "main/pool/worker-1"],
        ["worker", "pool/worker-2", "main/pool/worker-2"],
      ],
    );
  });

  it("halting a caller halts its job in the worker, and the caller's teardown waits for the job's", async () => {
    const log = new SharedLog();
    await run(function* (g) {
      const pool = yield* workerPool<Job, Answer>(jobs, { size: 1, data: { log: log.buffer } });
      const caller = g.spawn(
        function* () {
          yield* onTeardown(() => log.write("caller cleanup"));
          yield* pool.run({ kind: "slow", tag: 1 });
        },
        { name: "caller" },
      );
      yield* until(log.waitFor("job 1 started"));
      yield* caller.halt();
      assert.equal((yield* pool.run({ kind: "fib", n: 10 })).value, 55, "the worker takes the next job");
    });
    assert.deepEqual(log.read(), ["job 1 started", "job 1 cleanup", "caller cleanup", "worker teardown"]);
  });

  it("a queued job whose caller is halted never starts", async () => {
    const log = new SharedLog();
    await run(function* (g) {
      const pool = yield* workerPool<Job, Answer>(jobs, { size: 1, data: { log: log.buffer } });
      const first = g.spawn(() => pool.run({ kind: "slow", tag: 1 }), { name: "first" });
      yield* until(log.waitFor("job 1 started"));
      const second = g.spawn(() => pool.run({ kind: "slow", tag: 2 }), { name: "second" });
      yield* sleep(20); // the second job is queued behind the first
      yield* second.halt();
      yield* first.halt();
      assert.equal((yield* pool.run({ kind: "fib", n: 10 })).value, 55);
    });
    assert.deepEqual(log.read(), ["job 1 started", "job 1 cleanup", "worker teardown"]);
  });

  it("a job that cannot see its cancellation has its thread terminated after gracePeriod and replaced", async () => {
    const log = new SharedLog();
    const threads: number[] = [];
    await run(function* (g) {
      const pool = yield* workerPool<Job, Answer>(jobs, {
        size: 1,
        gracePeriod: 300,
        data: { log: log.buffer },
      });
      threads.push((yield* pool.run({ kind: "fib", n: 5 })).threadId);
      const spinner = g.spawn(
        function* () {
          yield* onTeardown(() => log.write("caller cleanup"));
          yield* pool.run({ kind: "spin" });
        },
        { name: "spinner" },
      );
      yield* until(log.waitFor("spin started"));
      yield* spinner.halt();
      threads.push((yield* pool.run({ kind: "fib", n: 5 })).threadId);
    });
    assert.notEqual(threads[1], threads[0], "a fresh thread took the next job");
    // The terminated thread ran no teardown; its replacement did when the pool stopped.
    assert.deepEqual(log.read(), ["spin started", "caller cleanup", "worker teardown"]);
  });

  it("a failing job throws a WorkerError with the job's path in its worker; the pool goes on", async () => {
    let caught: unknown;
    const log = new SharedLog();
    await run(function* () {
      const pool = yield* workerPool<Job, Answer>(jobs, { size: 1, data: { log: log.buffer } });
      try {
        yield* pool.run({ kind: "fail" });
      } catch (error) {
        caught = error;
      }
      assert.equal((yield* pool.run({ kind: "fib", n: 10 })).value, 55);
    });
    assert.ok(caught instanceof WorkerError);
    assert.equal(caught.path, "main/pool/worker-1/job-1");
    assert.deepEqual(failureRows(caught), [["main/pool/worker-1/job-1", "run", "RangeError: no such job"]]);
  });

  it("a worker that dies fails its job's caller and the pool's owner, with the worker's path", async () => {
    const log = new SharedLog();
    const outcome = run(function* (g) {
      const pool = yield* workerPool<Job, Answer>(jobs, { size: 1, data: { log: log.buffer } });
      g.spawn(() => pool.run({ kind: "exit" }), { name: "caller" });
      yield* suspend();
    });
    await assert.rejects(Promise.resolve(outcome), (error) => {
      assert.deepEqual(failureRows(error), [
        ["main/pool/worker-1", "run", "Error: main/pool/worker-1: the worker thread exited with code 5"],
      ]);
      return true;
    });
  });

  // Its arguments are checked at the call: see arguments.test.ts.
  it("rejects run() once the pool is closed", async () => {
    const log = new SharedLog();
    const pool = await run(function* () {
      return yield* workerPool<Job, Answer>(jobs, { size: 1, data: { log: log.buffer } });
    });
    await assert.rejects(
      Promise.resolve(run(() => (pool as NonNullable<typeof pool>).run({ kind: "fib", n: 1 }))),
      /main\/pool: run\(\) after the pool was closed/,
    );
  });
});
