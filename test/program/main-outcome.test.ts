import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { suspend } from "effection";
import { ExitCode, GroupError, inspect, main, onTeardown, run } from "unwind";

const watched = ["SIGINT", "SIGTERM", "SIGHUP", "uncaughtException", "unhandledRejection"] as const;
const listenerCounts = () => watched.map((event) => process.listenerCount(event));

/** main() prints failures to stderr; keep the test output readable. */
async function quietly<T>(fn: () => Promise<T>): Promise<{ value: T; stderr: string }> {
  const write = process.stderr.write;
  let stderr = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { value: await fn(), stderr };
  } finally {
    process.stderr.write = write;
  }
}

describe("main() with exit: false", () => {
  it("resolves with the body's value and leaves no listener behind", async () => {
    const before = listenerCounts();
    let during: number[] = [];
    const outcome = await main(
      function* () {
        during = listenerCounts();
        return "done";
      },
      { exit: false },
    );
    assert.deepEqual(outcome, { status: "ok", exitCode: ExitCode.Ok, value: "done" });
    assert.deepEqual(
      during.map((n, i) => n - (before[i] ?? 0)),
      [1, 1, 1, 1, 1],
      "one listener per signal and per process error event while running",
    );
    assert.deepEqual(listenerCounts(), before);
  });

  it("resolves with the GroupError when the body fails, after printing it once", async () => {
    const before = listenerCounts();
    const { value: outcome, stderr } = await quietly(() =>
      main(
        function* () {
          throw new Error("broken");
        },
        { exit: false },
      ),
    );
    assert.equal(outcome.status, "error");
    assert.equal(outcome.exitCode, 1);
    assert.ok(outcome.status === "error" && outcome.error instanceof GroupError);
    assert.equal(stderr.split("Error: broken").length - 1, 1, stderr);
    assert.deepEqual(listenerCounts(), before);
  });

  it("shuts down on a signal sent to this very process and reports it", async () => {
    const events: string[] = [];
    const outcome = await main(
      function* () {
        yield* onTeardown(() => {
          events.push("cleanup");
        });
        process.kill(process.pid, "SIGHUP");
        yield* suspend();
      },
      { exit: false, signals: ["SIGHUP"] },
    );
    assert.deepEqual(outcome, { status: "signal", exitCode: 129, signal: "SIGHUP" });
    assert.deepEqual(events, ["cleanup"]);
  });

  it("rejects a teardownTimeout that is not a number of milliseconds", async () => {
    await assert.rejects(
      main(function* () {}, { exit: false, teardownTimeout: -1 }),
      /teardownTimeout must be a number of milliseconds >= 0, got -1/,
    );
  });

  it("rejects a drainTimeout that is not a number of milliseconds", async () => {
    await assert.rejects(
      main(function* () {}, { exit: false, drainTimeout: Number.NaN }),
      /drainTimeout must be a number of milliseconds >= 0, got NaN/,
    );
  });
});

describe("main() giving up on a teardown", () => {
  it("keeps the errors raised before it in the teardown-incomplete outcome, and prints them with the stuck report", async () => {
    let release = () => {};
    const { value: outcome, stderr } = await quietly(() =>
      main(
        function* (root) {
          yield* root.start(
            function* (ready) {
              yield* onTeardown(
                () =>
                  new Promise<void>((resolve) => {
                    release = resolve;
                  }),
              );
              ready(undefined);
              yield* suspend();
            },
            { name: "stuck" },
          );
          yield* root.start(
            function* (ready) {
              yield* onTeardown(() => {
                throw new Error("close failed");
              });
              ready(undefined);
              yield* suspend();
            },
            { name: "conn" },
          );
          process.kill(process.pid, "SIGUSR2");
          yield* suspend();
        },
        { exit: false, signals: ["SIGUSR2"], teardownTimeout: 50 },
      ),
    );
    release(); // lets the abandoned teardown end, for a clean test process
    assert.equal(outcome.status, "teardown-incomplete");
    assert.ok(outcome.status === "teardown-incomplete" && outcome.error instanceof GroupError);
    assert.deepEqual(
      outcome.error.failures.map((f) => [f.path, f.phase, (f.error as Error).message]),
      [["main/conn", "teardown", "close failed"]],
    );
    assert.match(
      stderr,
      /still open:\n {2}main\/stuck {2}task[\s\S]*\nunwind: errors raised before the teardown was abandoned\n {2}✗ main\/conn \(teardown, received SIGUSR2\):\n {6}Error: close failed/,
    );
  });
});

describe("main({ spawnSites })", () => {
  it("records where each task was started, for the tree and the stuck report, while it is on", async () => {
    const sites = async (spawnSites: boolean) => {
      const outcome = await main(
        function* (root) {
          root.spawn(function* () {}, { name: "child" });
          const tree = yield* inspect();
          return tree.children.map((child) => child.site ?? "none");
        },
        { exit: false, spawnSites },
      );
      assert.equal(outcome.status, "ok");
      return outcome.status === "ok" ? outcome.value : [];
    };
    const [on] = await sites(true);
    assert.match(on ?? "", /test\/program\/main-outcome\.test\.ts:\d+:\d+/);
    assert.deepEqual(await sites(false), ["none"]);
  });
});

describe("run() with signals", () => {
  it("halts the root on the given signal, with the signal as the reason, and removes its listener", async () => {
    const before = process.listenerCount("SIGUSR2");
    const reasons: string[] = [];
    const root = run(
      function* () {
        yield* onTeardown((reason) => {
          reasons.push(`${reason?.kind} ${reason?.signal}`);
        });
        process.kill(process.pid, "SIGUSR2");
        yield* suspend();
      },
      { signals: ["SIGUSR2"] },
    );
    assert.equal(process.listenerCount("SIGUSR2"), before + 1);
    assert.equal(await root, undefined);
    assert.deepEqual(reasons, ["signal SIGUSR2"]);
    assert.equal(process.listenerCount("SIGUSR2"), before);
  });
});
