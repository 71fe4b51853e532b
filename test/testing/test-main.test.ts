// testMain(): a main() program in this process, with signals from the test,
// its outcome instead of an exit, its standard error as a string and its
// teardown events recorded; on the virtual clock when asked.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it, mock } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { sleep, suspend } from "effection";
import { type Group, group, onTeardown } from "unwind";
import { testMain } from "unwind/testing";
import { inspectDirectory, processStartTime, socketName } from "../../src/program/inspect-address.ts";

const ownSetTimeout = globalThis.setTimeout;
const watched = ["SIGINT", "SIGTERM", "SIGHUP", "uncaughtException", "unhandledRejection"] as const;
const listenerCounts = () => watched.map((event) => process.listenerCount(event));

/** Where main() would put this process's inspection socket. */
function inspectionSocket(): string | undefined {
  const directory = inspectDirectory(false);
  if (!directory || "problem" in directory) return undefined;
  return join(directory.path, socketName(process.pid, processStartTime(process.pid)));
}

/** A program with a database task and an HTTP task that runs a pool of two connections. */
function service(log: string[]) {
  return function* (root: Group) {
    root.spawn(
      function* () {
        yield* onTeardown(() => {
          log.push("db closed");
        });
        yield* suspend();
      },
      { name: "db" },
    );
    root.spawn(
      function* () {
        yield* group(
          function* (g) {
            for (const name of ["conn-1", "conn-2"]) g.spawn(() => suspend(), { name });
            yield* suspend();
          },
          { name: "pool" },
        );
      },
      { name: "http" },
    );
    yield* suspend();
  };
}

describe("testMain()", () => {
  it("SIGTERM: exit 143 once the tree has torn down, in tree order, touching nothing of the process", async () => {
    const exit = mock.method(process, "exit", () => {
      throw new Error("process.exit was called");
    });
    const write = mock.method(process.stderr, "write");
    const before = listenerCounts();
    const resources = process.getActiveResourcesInfo().filter((r) => r !== "Immediate");
    try {
      const log: string[] = [];
      const program = testMain(service(log));
      assert.deepEqual(listenerCounts(), before, "no listener on the real process while it runs");
      const socket = inspectionSocket();
      assert.ok(socket === undefined || !existsSync(socket), "no inspection socket");
      assert.deepEqual(
        program.inspect()?.children.map((child) => child.path),
        ["main/db", "main/http"],
      );
      program.signal("SIGTERM");
      const outcome = await program;
      assert.deepEqual(outcome, { status: "signal", exitCode: 143, signal: "SIGTERM" });
      assert.deepEqual(
        program.events.map((e) => `${e.event} ${e.kind} ${e.path}${e.reason ? ` (${e.reason.kind})` : ""}`),
        [
          "spawn group main",
          "spawn task main/db",
          "spawn task main/http",
          "spawn group main/http/pool",
          "spawn task main/http/pool/conn-1",
          "spawn task main/http/pool/conn-2",
          "halt-begin group main (signal)",
          "halt-begin task main/http (signal)",
          "halt-begin group main/http/pool (signal)",
          "halt-begin task main/http/pool/conn-2 (signal)",
          "settle task main/http/pool/conn-2 (signal)",
          "halt-begin task main/http/pool/conn-1 (signal)",
          "settle task main/http/pool/conn-1 (signal)",
          "settle group main/http/pool (signal)",
          "settle task main/http (signal)",
          "halt-begin task main/db (signal)",
          "settle task main/db (signal)",
          "settle group main (signal)",
        ],
      );
      assert.deepEqual(log, ["db closed"]);
      assert.equal(program.stderr, "");
      assert.equal(exit.mock.callCount(), 0);
      assert.equal(write.mock.callCount(), 0, "nothing written to the real stderr");
      assert.deepEqual(listenerCounts(), before);
      assert.deepEqual(
        process.getActiveResourcesInfo().filter((r) => r !== "Immediate"),
        resources,
        "no timer or handle left",
      );
    } finally {
      exit.mock.restore();
      write.mock.restore();
    }
  });

  it("a failing program: exit 1, its error printed once, to the program's stderr", async () => {
    const write = mock.method(process.stderr, "write");
    try {
      const program = testMain(function* (root) {
        root.spawn(
          function* () {
            throw new Error("disk full");
          },
          { name: "writer" },
        );
        yield* suspend();
      });
      const outcome = await program;
      assert.equal(outcome.status, "error");
      assert.equal(outcome.exitCode, 1);
      assert.match(program.stderr, /^unwind: main failed\n {2}✗ main\/writer \(run\):\n {6}Error: disk full/);
      assert.equal(program.stderr.split("disk full").length - 1, 1, program.stderr);
      assert.equal(write.mock.callCount(), 0);
    } finally {
      write.mock.restore();
    }
  });

  it("a second signal during a stuck teardown: the stuck report in its stderr, exit 124", async () => {
    const program = testMain(function* (root) {
      root.spawn(
        function* () {
          yield* onTeardown(() => new Promise<void>(() => {})); // a flush that never ends
          yield* suspend();
        },
        { name: "flusher" },
      );
      yield* suspend();
    });
    program.signal("SIGINT");
    program.signal("SIGINT");
    const outcome = await program;
    assert.equal(outcome.status, "teardown-incomplete");
    assert.ok(outcome.status === "teardown-incomplete");
    assert.equal(outcome.reason, "second-signal");
    assert.equal(outcome.exitCode, 124);
    assert.deepEqual(
      outcome.stuck?.children.map((child) => [child.path, child.state]),
      [["main/flusher", "halting"]],
    );
    const lines = program.stderr.split("\n");
    assert.equal(lines[0], "unwind: a signal arrived while tearing down; still open:");
    assert.ok(
      lines.some((line) => /main\/flusher\b.*halting/.test(line)),
      program.stderr,
    );
  });

  it("signal() names the mistake: a signal the program does not listen to, a program that has ended", async () => {
    const program = testMain(
      function* () {
        yield* suspend();
      },
      { signals: ["SIGTERM"] },
    );
    assert.throws(() => program.signal("SIGUSR2"), {
      message:
        "testMain(): the program does not listen to SIGUSR2 (it listens to SIGTERM); add it to options.signals",
    });
    program.signal("SIGTERM");
    await program;
    assert.throws(() => program.signal("SIGTERM"), {
      message: "testMain(): cannot send SIGTERM: the program has ended (exit code 143)",
    });
  });

  it("rejects what it does not take, at the call", () => {
    assert.throws(() => testMain(function* () {}, { exit: false } as never), {
      name: "TypeError",
      message: /^testMain\(\): options\.exit is not an option of testMain\(\): it never exits the process/,
    });
    assert.throws(() => testMain(function* () {}, { now: 0 }), {
      message: "testMain(): options.now sets the start of the virtual clock: add virtualClock: true",
    });
    assert.throws(() => testMain(function* () {}, { teardownTimeout: -1 }), {
      name: "RangeError",
      message: /^testMain\(\): options\.teardownTimeout must be a number of milliseconds >= 0, got -1/,
    });
  });
});

describe("testMain() on the virtual clock", () => {
  it("teardownTimeout passes on the clock: the stuck report and exit 124 after exactly that long", async () => {
    const program = testMain(
      function* () {
        yield* onTeardown(() => new Promise<void>(() => {}));
        yield* suspend();
      },
      { virtualClock: true, teardownTimeout: 30_000, now: 0 },
    );
    program.signal("SIGTERM");
    const outcome = await program;
    assert.equal(outcome.status, "teardown-incomplete");
    assert.ok(outcome.status === "teardown-incomplete" && outcome.reason === "teardown-timeout");
    assert.equal(program.elapsed, 30_000);
    assert.equal(globalThis.setTimeout, ownSetTimeout, "the clock is gone with the program");
    assert.match(program.stderr, /^unwind: teardown did not finish within 30000 ms; still open:\n/);
    // A halt that began at time 0 is a halt that began: the root is halting.
    assert.match(program.stderr, /\n {2}main +group \d+ +halting +30\.0s +received SIGTERM\n/);
    assert.deepEqual(
      program.events.map((e) => `${e.event} ${e.path} at ${e.time}`),
      ["spawn main at 0", "halt-begin main at 0"],
    );
  });

  it("the test waits on the same clock: a signal after a virtual minute, with the program's times exact", async () => {
    const ticks: number[] = [];
    const program = testMain(
      function* (root) {
        root.spawn(
          function* () {
            for (;;) {
              yield* sleep(15_000);
              ticks.push(Date.now());
            }
          },
          { name: "ticker" },
        );
        yield* suspend();
      },
      { virtualClock: true, now: 0 },
    );
    await delay(60_000); // node:timers/promises: on the virtual clock too
    program.signal("SIGTERM");
    const outcome = await program;
    assert.equal(outcome.exitCode, 143);
    // At 60 000 ms two timers are due: the test's, set first, fires first,
    // so the ticker is halted before its fourth tick.
    assert.deepEqual(ticks, [15_000, 30_000, 45_000]);
    assert.deepEqual(
      program.events.filter((e) => e.event !== "spawn").map((e) => `${e.event} ${e.path} at ${e.time}`),
      [
        "halt-begin main at 60000",
        "halt-begin main/ticker at 60000",
        "settle main/ticker at 60000",
        "settle main at 60000",
      ],
    );
    assert.equal(program.elapsed, 60_000);
  });

  it("shutdownDelay and drainTimeout pass on the clock too", async () => {
    const log: string[] = [];
    const program = testMain(
      function* () {
        yield* onTeardown(() => {
          log.push(`teardown at ${Date.now()}`);
        });
        yield* suspend();
      },
      { virtualClock: true, now: 0, shutdownDelay: 5_000, drainTimeout: 20_000 },
    );
    program.signal("SIGTERM");
    await program;
    // No server to drain: the delay is kept, the drain phase is skipped.
    assert.deepEqual(log, ["teardown at 5000"]);
  });
});
