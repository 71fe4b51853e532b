// cluster() rejects what it cannot run, at the call, with the parameter and the fix.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cluster } from "unwind/process";
import { CLUSTER_WORKER_ENV } from "../../src/program/cluster-worker.ts";

describe("cluster() arguments", () => {
  it("rejects bad options where they are written", () => {
    assert.throws(() => cluster({ workers: 0 }), /cluster\(\): workers must be an integer >= 1, got 0/);
    assert.throws(() => cluster({ workers: 1.5 }), /workers must be an integer >= 1/);
    assert.throws(
      () => cluster({ workers: 1, reloadSignal: "SIGTERM" }),
      /reloadSignal SIGTERM already shuts main\(\) down; choose another one \(the default is SIGURG\)/,
    );
    assert.throws(() => cluster({ workers: 1, reloadSignal: "SIGKILL" }), /a signal a process can catch/);
    assert.throws(
      () => cluster({ workers: 1, reloadSignal: "SIGNOPE" as NodeJS.Signals }),
      /a signal a process can catch/,
    );
    assert.throws(
      () => cluster({ workers: 1, gracePeriod: -1 }),
      /gracePeriod must be a number of milliseconds >= 0/,
    );
    assert.throws(() => cluster({ workers: 1, name: "a/b" }), /name must be a non-empty string without "\/"/);
    assert.throws(
      () => cluster({ workers: 1, restart: { backoff: { factor: 0 } } }),
      /cluster\(\): restart\.backoff\.factor must be a number >= 1/,
    );
  });

  it("refuses to run in a worker of a cluster: only the primary starts workers", () => {
    const realSend = process.send;
    process.env[CLUSTER_WORKER_ENV] = "worker-1";
    Reflect.set(process, "send", () => true);
    try {
      assert.throws(
        () => cluster({ workers: 2 }),
        /this process is a worker of a cluster \(worker-1\); only the primary starts workers/,
      );
    } finally {
      delete process.env[CLUSTER_WORKER_ENV];
      Reflect.set(process, "send", realSend);
    }
  });
});
