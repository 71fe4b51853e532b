// The stuck report says how far each group got with its children's
// teardown, and whether a larger teardownTimeout or the concurrent order
// would have let it finish: exact text, on the virtual clock.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { type Operation, suspend } from "effection";
import { type Group, group, onTeardown } from "unwind";
import { type TestMainOptions, testMain } from "unwind/testing";

/** A start far from the epoch: a time of 0 reads as "not started" in a snapshot. */
const now = Date.UTC(2026, 0, 1);

/** A child whose cleanup takes `ms` virtual ms (forever when undefined). */
function* child(ms: number | undefined): Operation<void> {
  yield* onTeardown(() => (ms === undefined ? new Promise<void>(() => {}) : delay(ms)));
  yield* suspend();
}

/** Spawns `c1` … `cN` in `g`, each with the cleanup time `ms(i)`. */
function spawnChildren(g: Group, count: number, ms: (i: number) => number | undefined): void {
  for (let i = 1; i <= count; i++) g.spawn(() => child(ms(i)), { name: `c${i}` });
}

/**
 * Sends SIGTERM (and another one `secondAfter` virtual ms later, if given)
 * and returns the outcome and the progress part of the report.
 */
async function shutDown(
  body: (root: Group) => Operation<void>,
  options: TestMainOptions,
  secondAfter?: number,
) {
  const program = testMain(body, { virtualClock: true, now, ...options });
  program.signal("SIGTERM");
  // A timer on the virtual clock: it fires when the program's time gets there.
  if (secondAfter !== undefined) setTimeout(() => program.signal("SIGTERM"), secondAfter);
  const outcome = await program;
  assert.equal(outcome.status, "teardown-incomplete");
  const at = program.stderr.indexOf("unwind: how far each group got");
  const progress = at < 0 ? [] : program.stderr.slice(at).trimEnd().split("\n");
  return { outcome, progress, stderr: program.stderr };
}

describe("the stuck report on a teardown cut short", () => {
  it("says how far a serial root got, how many wait their turn, and what would have finished", async () => {
    const { outcome, progress } = await shutDown(
      function* (root) {
        spawnChildren(root, 50, () => 100);
        yield* suspend();
      },
      { teardownTimeout: 1_000 },
    );
    // Newest first: c50 … c42 torn down (100 ms each); at 1 000 ms the
    // deadline fires just before c41's cleanup would have ended.
    assert.deepEqual(progress, [
      "unwind: how far each group got with its children's teardown:",
      "  main: 9 of 50 children torn down one by one in 900 ms (100 ms each, the slowest 100 ms); main/c41 in its teardown for 100 ms; 40 wait their turn: about 4000 ms more.",
      '    or with teardown: "concurrent" on main, its children would tear down at once, in about the time of the slowest, if they do not depend on each other.',
      "  teardownTimeout: 5500 would likely have finished (1000 ms spent, about 4000 ms more, and a tenth to spare).",
    ]);
    assert.equal(outcome.status === "teardown-incomplete" && outcome.suggestedTeardownTimeout, 5_500);
    // The counts behind it, in the snapshot of the stuck tree.
    assert.deepEqual(outcome.status === "teardown-incomplete" && outcome.stuck?.childTeardown, {
      order: "serial",
      startedAt: now,
      children: 50,
      tornDown: 9,
      lastAt: now + 900,
      slowestMs: 100,
    });
    assert.deepEqual(outcome.status === "teardown-incomplete" && outcome.progress, [
      {
        path: "main",
        order: "serial",
        children: 50,
        tornDown: 9,
        tornDownMs: 900,
        elapsedMs: 1_000,
        slowestMs: 100,
        inTeardown: [{ path: "main/c41", ms: 100 }],
        waiting: 40,
        averageMs: 100,
        remainingMs: 4_000,
      },
    ]);
  });

  it("the suggested teardownTimeout is enough: the same program with it finishes, exit 143", async () => {
    const program = testMain(
      function* (root) {
        spawnChildren(root, 50, () => 100);
        yield* suspend();
      },
      { virtualClock: true, now, teardownTimeout: 5_500 },
    );
    program.signal("SIGTERM");
    const outcome = await program;
    assert.equal(outcome.exitCode, 143);
    assert.equal(program.elapsed, 5_000);
  });

  it("names a nested serial group by its path; with several groups the teardownTimeout is a lower bound", async () => {
    const { progress, outcome } = await shutDown(
      function* (root) {
        root.spawn(() => child(10), { name: "db" });
        root.spawn(
          function* () {
            yield* group(
              function* (g) {
                spawnChildren(g, 20, (i) => 10 * i);
                yield* suspend();
              },
              { name: "pool" },
            );
          },
          { name: "server" },
        );
        yield* suspend();
      },
      { teardownTimeout: 500 },
    );
    assert.deepEqual(progress, [
      "unwind: how far each group got with its children's teardown:",
      "  main/server/pool: 2 of 20 children torn down one by one in 390 ms (195 ms each, the slowest 200 ms); main/server/pool/c18 in its teardown for 110 ms; 17 wait their turn: about 3400 ms more.",
      '    or with teardown: "concurrent" on main/server/pool, its children would tear down at once, in about the time of the slowest, if they do not depend on each other.',
      "  main: none of 2 children torn down yet, in 500 ms; main/server in its teardown for 500 ms; 1 waits its turn: no estimate before one has finished.",
      '    or with teardown: "concurrent" on main, its children would tear down at once, in about the time of the slowest, if they do not depend on each other.',
      "  teardownTimeout: at least 4300 (500 ms spent, about 3400 ms more for the longest estimate above, and a tenth to spare; a group inside another makes the outer one wait).",
    ]);
    assert.equal(outcome.status === "teardown-incomplete" && outcome.suggestedTeardownTimeout, 4_300);
  });

  it("for a concurrent group, names the children still in their teardown and estimates nothing", async () => {
    const { progress, outcome } = await shutDown(
      function* (root) {
        spawnChildren(root, 5, (i) => (i > 3 ? undefined : 100 * i));
        yield* suspend();
      },
      { teardownTimeout: 1_000, teardown: "concurrent" },
    );
    assert.deepEqual(progress, [
      "unwind: how far each group got with its children's teardown:",
      '  main: 3 of 5 children torn down at once (teardown: "concurrent"), the slowest in 300 ms; still in their teardown after 1000 ms: main/c4, main/c5.',
    ]);
    assert.equal(outcome.status === "teardown-incomplete" && outcome.suggestedTeardownTimeout, undefined);
  });

  it("says a child looks stuck when it takes ten times the slowest before it, and suggests no deadline", async () => {
    const { progress, outcome } = await shutDown(
      function* (root) {
        spawnChildren(root, 10, (i) => (i === 5 ? undefined : 10));
        yield* suspend();
      },
      { teardownTimeout: 1_000 },
    );
    assert.deepEqual(progress, [
      "unwind: how far each group got with its children's teardown:",
      "  main: 5 of 10 children torn down one by one in 50 ms (10 ms each, the slowest 10 ms); main/c5 in its teardown for 950 ms, more than 10 times the slowest before it: it looks stuck, and no deadline or order would help it; 4 wait their turn.",
      '    or with teardown: "concurrent" on main, its children would tear down at once, in about the time of the slowest, if they do not depend on each other.',
    ]);
    assert.equal(outcome.status === "teardown-incomplete" && outcome.suggestedTeardownTimeout, undefined);
  });

  it("gives no estimate before the first child has finished", async () => {
    const { progress } = await shutDown(
      function* (root) {
        spawnChildren(root, 3, (i) => (i === 3 ? 5_000 : 10));
        yield* suspend();
      },
      { teardownTimeout: 1_000 },
    );
    assert.deepEqual(progress, [
      "unwind: how far each group got with its children's teardown:",
      "  main: none of 3 children torn down yet, in 1000 ms; main/c3 in its teardown for 1000 ms; 2 wait their turn: no estimate before one has finished.",
      '    or with teardown: "concurrent" on main, its children would tear down at once, in about the time of the slowest, if they do not depend on each other.',
    ]);
  });

  it("after a second signal: the progress and the estimate, but no teardownTimeout", async () => {
    const { progress, outcome } = await shutDown(
      function* (root) {
        spawnChildren(root, 50, () => 100);
        yield* suspend();
      },
      { teardownTimeout: 60_000 },
      1_000,
    );
    assert.deepEqual(progress, [
      "unwind: how far each group got with its children's teardown:",
      "  main: 9 of 50 children torn down one by one in 900 ms (100 ms each, the slowest 100 ms); main/c41 in its teardown for 100 ms; 40 wait their turn: about 4000 ms more.",
      '    or with teardown: "concurrent" on main, its children would tear down at once, in about the time of the slowest, if they do not depend on each other.',
    ]);
    assert.equal(outcome.status === "teardown-incomplete" && outcome.suggestedTeardownTimeout, undefined);
  });

  it("says nothing when no child waits its turn", async () => {
    const { progress, stderr } = await shutDown(
      function* (root) {
        spawnChildren(root, 2, (i) => (i === 1 ? undefined : 10));
        yield* suspend();
      },
      { teardownTimeout: 1_000 },
    );
    assert.deepEqual(progress, []);
    assert.match(stderr, /main\/c1 /);
  });
});
