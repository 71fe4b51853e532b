// Where main()'s shutdown requests come from in a cluster worker: its own
// signals and its primary's messages, counted as one request whichever
// comes first. Signals and messages are emitted on `process` here (no real
// signal, no real IPC); test/process/cluster.test.ts does it for real.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { CLUSTER_WORKER_ENV } from "../../src/program/cluster-membership.ts";
import { listenForShutdown } from "../../src/program/cluster-worker.ts";

const shutdown = (request: number, signal: NodeJS.Signals = "SIGTERM") => ({
  unwind: "shutdown",
  signal,
  request,
});

describe("shutdown requests of a cluster worker", () => {
  const sent: unknown[] = [];
  const realSend = process.send;
  let uninstall: (() => void) | undefined;

  beforeEach(() => {
    sent.length = 0;
    process.env[CLUSTER_WORKER_ENV] = "worker-1";
    Reflect.set(process, "send", (message: unknown) => {
      sent.push(message);
      return true;
    });
  });
  afterEach(() => {
    uninstall?.();
    delete process.env[CLUSTER_WORKER_ENV];
    Reflect.set(process, "send", realSend);
  });

  function install() {
    const steps: string[] = [];
    uninstall = listenForShutdown(["SIGINT", "SIGTERM"], (signal) => steps.push(signal));
    return steps;
  }

  it("tells the primary it listens, once installed", () => {
    install();
    assert.deepEqual(sent, [{ unwind: "listening-for-shutdown" }]);
  });

  it("takes one step for a signal and the primary's message of the same request, in either order", () => {
    const steps = install();
    process.emit("SIGINT", "SIGINT");
    process.emit("message", shutdown(1, "SIGINT"), undefined);
    assert.deepEqual(steps, ["SIGINT"]);
    process.emit("message", shutdown(2, "SIGINT"), undefined);
    process.emit("SIGINT", "SIGINT");
    assert.deepEqual(steps, ["SIGINT", "SIGINT"]);
  });

  it("takes a step for each request the primary alone sends (a signal to the primary only)", () => {
    const steps = install();
    process.emit("message", shutdown(1), undefined);
    process.emit("message", shutdown(2), undefined);
    process.emit("message", shutdown(2), undefined); // a repeat is no new request
    assert.deepEqual(steps, ["SIGTERM", "SIGTERM"]);
  });

  it("takes a step for each signal the worker alone gets", () => {
    const steps = install();
    process.emit("SIGTERM", "SIGTERM");
    process.emit("SIGTERM", "SIGTERM");
    process.emit("message", shutdown(1), undefined);
    assert.deepEqual(steps, ["SIGTERM", "SIGTERM"]);
  });

  it("ignores other messages, and everything once uninstalled", () => {
    const steps = install();
    process.emit("message", { unwind: "something else" }, undefined);
    process.emit("message", "hello", undefined);
    uninstall?.();
    process.emit("message", shutdown(1), undefined);
    assert.deepEqual(steps, []);
    assert.deepEqual(
      ["message", "SIGINT", "SIGTERM"].map((event) => process.listenerCount(event)),
      [0, 0, 0],
    );
  });
});

describe("shutdown requests outside a cluster worker", () => {
  it("are the signals alone: no message listener, nothing sent", () => {
    const steps: string[] = [];
    const uninstall = listenForShutdown(["SIGTERM"], (signal) => steps.push(signal));
    try {
      assert.equal(process.listenerCount("message"), 0);
      process.emit("SIGTERM", "SIGTERM");
      process.emit("SIGTERM", "SIGTERM");
      assert.deepEqual(steps, ["SIGTERM", "SIGTERM"]);
    } finally {
      uninstall();
    }
    assert.equal(process.listenerCount("SIGTERM"), 0);
  });
});
