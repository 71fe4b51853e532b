// cluster() rejects what it cannot run, at the call, naming the parameter,
// what it got and the fix, as every public function does. The casts write
// what TypeScript would reject.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cluster } from "unwind/process";
import { CLUSTER_WORKER_ENV } from "../../src/program/cluster-membership.ts";
import { loose } from "../helpers/misuse.ts";
import { thrown } from "../helpers/thrown.ts";

describe("cluster(options) at the call", () => {
  it("rejects a missing or wrong number of workers", () => {
    assert.deepEqual(
      [
        thrown(() => cluster(loose(undefined))),
        thrown(() => cluster({ workers: 0 })),
        thrown(() => cluster({ workers: 1.5 })),
        thrown(() => cluster(loose({ workers: "2" }))),
      ],
      [
        "TypeError: cluster(): options.workers must be an integer >= 1, got undefined",
        "RangeError: cluster(): options.workers must be an integer >= 1, got 0",
        "RangeError: cluster(): options.workers must be an integer >= 1, got 1.5",
        'TypeError: cluster(): options.workers must be an integer >= 1, got a string ("2"); convert it first: Number("2")',
      ],
    );
  });

  it("rejects a reload signal that shuts main() down, cannot be caught, or does not exist", () => {
    assert.deepEqual(
      [
        thrown(() => cluster({ workers: 1, reloadSignal: "SIGTERM" })),
        thrown(() => cluster({ workers: 1, reloadSignal: "SIGKILL" })),
        thrown(() => cluster({ workers: 1, reloadSignal: loose("urg") })),
        thrown(() => cluster({ workers: 1, reloadSignal: loose(true) })),
      ],
      [
        'RangeError: cluster(): options.reloadSignal is "SIGTERM", which already shuts main() down; choose another one (the default is "SIGURG")',
        'RangeError: cluster(): options.reloadSignal is "SIGKILL", which no process can catch or handle',
        'RangeError: cluster(): options.reloadSignal must be the name of a signal Node knows (such as "SIGURG"), or false, got a string ("urg"); write "SIGURG"',
        'TypeError: cluster(): options.reloadSignal must be the name of a signal Node knows (such as "SIGURG"), or false, got true',
      ],
    );
  });

  it("rejects a bad grace period, name, module and restart settings", () => {
    assert.deepEqual(
      [
        thrown(() => cluster({ workers: 1, gracePeriod: -1 })),
        thrown(() => cluster({ workers: 1, name: "a/b" })),
        thrown(() => cluster({ workers: 1, module: loose(42) })),
        thrown(() => cluster({ workers: 1, module: new URL("https://example.com/worker.js") })),
        thrown(() => cluster({ workers: 1, restart: loose(3) })),
        thrown(() => cluster({ workers: 1, restart: { backoff: { factor: 0 } } })),
        thrown(() => cluster({ workers: 1, restart: { backoff: { initialMs: 10, maxMs: 1 } } })),
      ],
      [
        "RangeError: cluster(): options.gracePeriod must be a number of milliseconds >= 0, got -1",
        'RangeError: cluster(): options.name must be a non-empty string without "/", got a string ("a/b"); "/" separates the names in a task path',
        'TypeError: cluster(): options.module must be a file URL or a path, such as new URL("./worker.js", import.meta.url), got 42',
        'TypeError: cluster(): options.module must be a file URL or a path, such as new URL("./worker.js", import.meta.url), got the URL "https://example.com/worker.js"',
        "TypeError: cluster(): options.restart must be an object such as { maxRestarts: 5, withinMs: 30_000 }, got 3",
        "RangeError: cluster(): options.restart.backoff.factor must be a number >= 1, got 0",
        "RangeError: cluster(): options.restart.backoff.maxMs must be at least its initialMs (10), got 1; the delays grow from initialMs up to maxMs",
      ],
    );
  });

  it("refuses to run in a worker of a cluster: only the primary starts workers", () => {
    const realSend = process.send;
    process.env[CLUSTER_WORKER_ENV] = "worker-1";
    Reflect.set(process, "send", () => true);
    try {
      assert.equal(
        thrown(() => cluster({ workers: 2 })),
        "Error: cluster(): this process is a worker of a cluster (worker-1); only the primary starts workers. Run the worker's part here instead (check isPrimary from node:cluster), or give cluster() a separate module.",
      );
    } finally {
      delete process.env[CLUSTER_WORKER_ENV];
      Reflect.set(process, "send", realSend);
    }
  });
});
