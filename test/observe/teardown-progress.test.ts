// The estimates of the stuck report, from a snapshot: the figures of a
// serial teardown of 10 000 children cut short at the default 10 s.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TaskTree } from "unwind";
import { painter } from "../../src/observe/colors.ts";
import {
  formatTeardownProgress,
  suggestedTeardownTimeout,
  teardownProgress,
} from "../../src/observe/teardown-progress.ts";

const sigterm = { kind: "signal", message: "received SIGTERM" } as const;
const start = 1_000_000;
const now = start + 10_000;

/** A task of the pool: `halting` since `haltedAt`, or still `running`. */
const task = (i: number, haltedAt?: number): TaskTree => ({
  id: i + 2,
  kind: "task",
  name: `w${i}`,
  path: `main/pool/w${i}`,
  state: haltedAt === undefined ? "running" : "halting",
  startedAt: 0,
  ...(haltedAt === undefined ? {} : { haltStartedAt: haltedAt, haltReason: sigterm }),
  children: [],
});

/** main/pool: 10 000 children, 7 312 torn down in 10 000 ms, w2688 in its teardown for 1 ms, 2 687 waiting. */
const tree: TaskTree = {
  id: 1,
  kind: "group",
  name: "main",
  path: "main",
  state: "halting",
  startedAt: 0,
  haltStartedAt: start,
  haltReason: sigterm,
  children: [
    {
      id: 2,
      kind: "group",
      name: "pool",
      path: "main/pool",
      state: "halting",
      startedAt: 0,
      haltStartedAt: start,
      haltReason: sigterm,
      childTeardown: {
        order: "serial",
        startedAt: start,
        children: 10_000,
        tornDown: 7_312,
        lastAt: now - 1,
        slowestMs: 4,
      },
      children: [...Array.from({ length: 2_687 }, (_, i) => task(i + 1)), task(2_688, now - 1)],
    },
  ],
};

describe("teardown progress", () => {
  it("estimates a serial group's remaining time from the average so far", () => {
    const [pool, ...others] = teardownProgress(tree, now);
    assert.deepEqual(others, []);
    assert.equal(pool?.path, "main/pool");
    assert.equal(pool?.waiting, 2_687);
    assert.deepEqual(pool?.inTeardown, [{ path: "main/pool/w2688", ms: 1 }]);
    // 9 999 ms / 7 312 = 1.3675 ms each: 2 687 waiting, and 0.37 ms left of the current one.
    assert.equal(pool?.remainingMs, Math.round(2_687 * (9_999 / 7_312) + (9_999 / 7_312 - 1)));
    assert.equal(pool?.remainingMs, 3_675);
    // 10 000 + 3 675, and a tenth: 15 043, rounded up to two digits.
    assert.equal(suggestedTeardownTimeout(pool ? [pool] : [], 10_000), 16_000);
  });

  it("prints it in words, numbers as measured", () => {
    assert.deepEqual(formatTeardownProgress(teardownProgress(tree, now), 10_000, true, painter(false)), [
      "unwind: how far each group got with its children's teardown:",
      "  main/pool: 7312 of 10000 children torn down one by one in 9999 ms (1.37 ms each, the slowest 4 ms); main/pool/w2688 in its teardown for 1 ms; 2687 wait their turn: about 3700 ms more.",
      '    or with teardown: "concurrent" on main/pool, its children would tear down at once, in about the time of the slowest, if they do not depend on each other.',
      "  teardownTimeout: 16000 would likely have finished (10000 ms spent, about 3700 ms more, and a tenth to spare).",
    ]);
  });

  it("is empty, and suggests nothing, when no group is tearing children down", () => {
    const idle: TaskTree = { ...tree, children: [] };
    assert.deepEqual(teardownProgress(idle, now), []);
    assert.deepEqual(formatTeardownProgress([], 10_000, true, painter(false)), []);
    assert.equal(suggestedTeardownTimeout([], 10_000), undefined);
  });
});
