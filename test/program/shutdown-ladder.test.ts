// The shutdown ladder of main() on its own: which step each signal and
// each timer leads to, with node:test's mock timers instead of real time.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import { ShutdownLadder, type ShutdownSteps } from "../../src/program/shutdown-ladder.ts";

interface Setup {
  delay?: number;
  drainTimeout?: number;
  teardownTimeout?: number;
  canDrain?: boolean;
  drainsInProgress?: boolean;
}

/** A ladder whose steps record themselves; `drained()` ends the drain it started. */
function ladderWith(setup: Setup = {}) {
  const events: string[] = [];
  let endDrain: (() => void) | undefined;
  const steps: ShutdownSteps = {
    delay: () => setup.delay ?? 0,
    beginDelay: () => events.push("begin delay"),
    canDrain: () => setup.canDrain ?? true,
    drain: () => {
      events.push("drain");
      return new Promise<void>((resolve) => {
        endDrain = resolve;
      });
    },
    skipDrains: (signal) => events.push(`skip drains (${signal})`),
    drainsInProgress: () => setup.drainsInProgress ?? false,
    halt: (signal) => {
      events.push(`halt (${signal})`);
      ladder.teardownStarted(); // as the root reports its teardown
    },
    abandon: (reason) => events.push(`abandon (${reason})`),
  };
  const ladder = new ShutdownLadder(
    { drainTimeout: setup.drainTimeout ?? 0, teardownTimeout: setup.teardownTimeout ?? 1_000 },
    steps,
  );
  return { ladder, events, drained: async () => endDrain?.() };
}

describe("the shutdown ladder", () => {
  beforeEach(() => {
    mock.timers.reset();
    mock.timers.enable({ apis: ["setTimeout"] });
  });
  afterEach(() => mock.timers.reset());

  it("without delay or drain, the first signal halts the root and arms the teardown deadline", () => {
    const { ladder, events } = ladderWith({ teardownTimeout: 500 });
    ladder.received("SIGTERM");
    assert.equal(ladder.phase, "tearing-down");
    assert.equal(ladder.signal, "SIGTERM");
    mock.timers.tick(499);
    assert.deepEqual(events, ["halt (SIGTERM)"]);
    mock.timers.tick(1);
    assert.deepEqual(events, ["halt (SIGTERM)", "abandon (teardown-timeout)"]);
    assert.equal(ladder.phase, "abandoned");
    ladder.dispose();
  });

  it("walks delay, drain and teardown in order, each for its own time", async () => {
    const { ladder, events } = ladderWith({ delay: 300, drainTimeout: 200, teardownTimeout: 100 });
    ladder.received("SIGTERM");
    assert.equal(ladder.phase, "delaying");
    mock.timers.tick(299);
    assert.deepEqual(events, ["begin delay"]);
    mock.timers.tick(1);
    assert.equal(ladder.phase, "draining");
    mock.timers.tick(199);
    assert.deepEqual(events, ["begin delay", "drain"]);
    mock.timers.tick(1);
    assert.equal(ladder.phase, "tearing-down");
    mock.timers.tick(100);
    assert.deepEqual(events, ["begin delay", "drain", "halt (SIGTERM)", "abandon (teardown-timeout)"]);
    ladder.dispose();
  });

  it("goes on to the teardown as soon as the drain finishes", async () => {
    const { ladder, events, drained } = ladderWith({ drainTimeout: 5_000 });
    ladder.received("SIGINT");
    assert.equal(ladder.phase, "draining");
    await drained();
    await Promise.resolve();
    assert.deepEqual(events, ["drain", "halt (SIGINT)"]);
    assert.equal(ladder.phase, "tearing-down");
    ladder.dispose();
  });

  it("skips the drain when there is nothing to drain", () => {
    const { ladder, events } = ladderWith({ drainTimeout: 5_000, canDrain: false });
    ladder.received("SIGTERM");
    assert.deepEqual(events, ["halt (SIGTERM)"]);
    ladder.dispose();
  });

  it("lets each further signal skip the current phase: delay, drain, teardown", () => {
    const { ladder, events } = ladderWith({ delay: 10_000, drainTimeout: 10_000, teardownTimeout: 10_000 });
    ladder.received("SIGTERM");
    ladder.received("SIGTERM");
    assert.equal(ladder.phase, "draining");
    ladder.received("SIGINT");
    assert.equal(ladder.phase, "tearing-down");
    ladder.received("SIGINT");
    assert.equal(ladder.phase, "abandoned");
    ladder.received("SIGINT");
    assert.deepEqual(events, [
      "begin delay",
      "drain",
      "skip drains (SIGINT)",
      "halt (SIGTERM)",
      "abandon (second-signal)",
    ]);
    ladder.dispose();
  });

  it("during the teardown, first halts the requests of drains still in progress, then gives up", () => {
    const { ladder, events } = ladderWith({ drainsInProgress: true });
    ladder.received("SIGTERM");
    ladder.received("SIGTERM");
    assert.equal(ladder.phase, "tearing-down");
    ladder.received("SIGTERM");
    assert.deepEqual(events, ["halt (SIGTERM)", "skip drains (SIGTERM)", "abandon (second-signal)"]);
    ladder.dispose();
  });

  it("arms the teardown deadline when the root tears down by itself (an error), and a signal then gives up", () => {
    const { ladder, events } = ladderWith({ teardownTimeout: 50 });
    ladder.teardownStarted();
    assert.equal(ladder.phase, "tearing-down");
    assert.equal(ladder.signal, undefined);
    ladder.received("SIGTERM");
    assert.deepEqual(events, ["abandon (second-signal)"]);
    mock.timers.tick(100);
    assert.deepEqual(events, ["abandon (second-signal)"], "the deadline was cleared when it gave up");
  });

  it("leaves no timer behind after dispose()", () => {
    const { ladder, events } = ladderWith({ delay: 100 });
    ladder.received("SIGTERM");
    ladder.dispose();
    mock.timers.tick(1_000);
    assert.deepEqual(events, ["begin delay"]);
  });
});
