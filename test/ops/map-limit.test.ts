import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sleep, suspend } from "effection";
import { GroupError, mapLimit, onTeardown, run } from "unwind";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("mapLimit", () => {
  it("never runs more than the limit at once, and returns results in item order", async () => {
    let running = 0;
    let highest = 0;
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const results = await run(() =>
      mapLimit(items, 7, async (item) => {
        running++;
        highest = Math.max(highest, running);
        await tick();
        running--;
        return item * 2;
      }),
    );
    assert.equal(highest, 7);
    assert.deepEqual(
      results,
      items.map((i) => i * 2),
    );
  });

  it("starts jobs in item order", async () => {
    const started: number[] = [];
    await run(() =>
      mapLimit([0, 1, 2, 3, 4, 5], 2, function* (item) {
        started.push(item);
        yield* sleep(item % 2 === 0 ? 2 : 1);
      }),
    );
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
  });

  it("halts the running jobs on the first failure and starts no more", async () => {
    const events: string[] = [];
    const error = await run(() =>
      mapLimit([0, 1, 2, 3], 2, function* (item) {
        yield* onTeardown(() => {
          events.push(`cleanup ${item}`);
        });
        if (item === 1) {
          yield* sleep(1);
          throw new Error("job 1 failed");
        }
        yield* suspend();
      }),
    ).then(
      () => assert.fail("expected a failure"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof GroupError);
    assert.deepEqual(
      error.failures.map((f) => (f.error as Error).message),
      ["job 1 failed"],
    );
    assert.equal(error.failures[0]?.path, "main/job-1");
    assert.deepEqual(events.sort(), ["cleanup 0", "cleanup 1"]);
  });

  it("on a promise job's failure aborts the running jobs, waits for them, and reports each failure", async () => {
    const events: string[] = [];
    const error = await run(() =>
      mapLimit([0, 1, 2, 3, 4], 3, async (item, _index, signal) => {
        events.push(`start ${item}`);
        if (item === 1) throw new Error("job 1 failed");
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        await tick();
        events.push(`stopped ${item}`);
        if (item === 2) throw new Error("job 2 failed while stopping");
      }),
    ).then(
      () => assert.fail("expected a failure"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof GroupError);
    assert.deepEqual(
      error.failures.map((f) => [f.path, (f.error as Error).message]),
      [
        ["main/job-1", "job 1 failed"],
        ["main/job-2", "job 2 failed while stopping"],
      ],
    );
    assert.deepEqual(events, ["start 0", "start 1", "start 2", "stopped 0", "stopped 2"]);
  });

  it("when halted, aborts the running promise jobs and returns only after they settled", async () => {
    const events: string[] = [];
    const root = run(function* () {
      yield* mapLimit([0, 1, 2], 2, async (item, _index, signal) => {
        events.push(`start ${item}`);
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        await tick();
        events.push(`stopped ${item}`);
      });
      events.push("not reached");
    });
    await tick();
    await root.halt();
    events.push("halt returned");
    assert.deepEqual(events, ["start 0", "start 1", "stopped 0", "stopped 1", "halt returned"]);
  });

  it("refuses a limit that is not a positive integer", () => {
    assert.throws(() => mapLimit([1], 0, async () => 1), /limit must be an integer >= 1, got 0/);
    assert.throws(() => mapLimit([1], 1.5, async () => 1), /got 1.5/);
  });

  it("returns an empty array for no items", async () => {
    assert.deepEqual(await run(() => mapLimit([], 3, async () => 1)), []);
  });
});
