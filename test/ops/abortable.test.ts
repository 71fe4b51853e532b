// abortable(fn): promise work that a halt aborts and waits for, so that
// cleanups still run after the work they clean up has stopped.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { run as runEffection, suspend, until } from "effection";
import {
  abortable,
  GroupError,
  group,
  type HaltReason,
  main,
  onTeardown,
  run,
  TimeoutError,
  useCancelSignal,
  withTimeout,
} from "unwind";

/** A query on a "pool" that notices the abort, then takes a macrotask to wind down, recording each step. */
function query(
  events: string[],
  signal: AbortSignal,
  settle: "reject-with-reason" | "resolve" = "reject-with-reason",
) {
  events.push("query started");
  return new Promise<string>((resolve, reject) => {
    signal.addEventListener("abort", () => {
      events.push("query aborted");
      setImmediate(() => {
        events.push("query settled");
        if (settle === "resolve") resolve("partial");
        else reject(signal.reason);
      });
    });
  });
}

/** Resolves once `events` holds `line` (polled on macrotasks; no timing is asserted). */
async function until_(events: string[], line: string): Promise<void> {
  while (!events.includes(line)) await new Promise((resolve) => setImmediate(resolve));
}

describe("abortable()", () => {
  it("gives the promise's value, and passes the task's cancel signal to fn", async () => {
    const value = await run(function* () {
      const own = yield* useCancelSignal();
      return yield* abortable(async (signal) => (signal === own ? "same signal" : "another signal"));
    });
    assert.equal(value, "same signal");
  });

  it("throws a rejection into the task as it is, and a synchronous throw of fn too", async () => {
    const seen = await run(function* () {
      const caught: unknown[] = [];
      try {
        yield* abortable(() => Promise.reject("boom"));
      } catch (error) {
        caught.push(error);
      }
      try {
        yield* abortable(() => {
          throw new RangeError("bad query");
        });
      } catch (error) {
        caught.push((error as Error).name);
      }
      return caught;
    });
    assert.deepEqual(seen, ["boom", "RangeError"]);
  });

  it("keeps a parent's cleanup from running while a child's work is in flight", async () => {
    const events: string[] = [];
    const root = run(function* () {
      yield* group(
        function* (pool) {
          yield* onTeardown(() => {
            events.push("pool closed");
          });
          pool.spawn(
            function* () {
              yield* abortable((signal) => query(events, signal));
              events.push("not reached");
            },
            { name: "query" },
          );
          yield* suspend();
        },
        { name: "pool" },
      );
    });
    await until_(events, "query started");
    await root.halt(); // the abort reason is the expected end: no failure
    assert.deepEqual(events, ["query started", "query aborted", "query settled", "pool closed"]);
  });

  it("unlike until(), which lets the pool close while the query is in flight", async () => {
    const events: string[] = [];
    const root = run(function* () {
      yield* group(function* (pool) {
        yield* onTeardown(() => {
          events.push("pool closed");
        });
        pool.spawn(function* () {
          const signal = yield* useCancelSignal();
          yield* until(query(events, signal).catch(() => {}));
        });
        yield* suspend();
      });
    });
    await until_(events, "query started");
    await root.halt();
    await until_(events, "query settled");
    assert.deepEqual(events, ["query started", "query aborted", "pool closed", "query settled"]);
  });

  it("reports a rejection other than the abort during the halt as a teardown failure of the task", async () => {
    const events: string[] = [];
    const root = run(function* (g) {
      g.spawn(
        function* () {
          yield* abortable(async (signal) => {
            await query(events, signal).catch(() => {});
            throw new Error("rollback failed");
          });
        },
        { name: "writer" },
      );
      yield* suspend();
    });
    await until_(events, "query started");
    const error = await root.halt().then(
      () => assert.fail("expected a GroupError"),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof GroupError);
    assert.deepEqual(
      error.failures.map((f) => [f.path, f.phase, (f.error as Error).message, (f.reason as HaltReason).kind]),
      [["main/writer", "teardown", "rollback failed", "halted"]],
    );
  });

  it("takes a value the work resolves with after the abort as its end, not a failure", async () => {
    const events: string[] = [];
    const root = run(function* (g) {
      g.spawn(() => abortable((signal) => query(events, signal, "resolve")), { name: "reader" });
      yield* suspend();
    });
    await until_(events, "query started");
    await root.halt();
    assert.deepEqual(events, ["query started", "query aborted", "query settled"]);
  });

  it("makes withTimeout() throw only after the aborted work has settled", async () => {
    const events: string[] = [];
    const caught = await run(function* () {
      try {
        yield* withTimeout(
          5,
          abortable((signal) => query(events, signal)),
        );
      } catch (error) {
        events.push(error instanceof TimeoutError ? "timed out" : String(error));
      }
      return events;
    });
    assert.deepEqual(caught, ["query started", "query aborted", "query settled", "timed out"]);
  });

  it("shows in the tree and the stuck report that a task waits for aborted work", async () => {
    let release = () => {};
    const write = process.stderr.write;
    let stderr = "";
    process.stderr.write = ((chunk: string) => {
      stderr += chunk;
      return true;
    }) as typeof process.stderr.write;
    const outcome = await main(
      function* (root) {
        root.spawn(
          () =>
            abortable(function stubbornQuery() {
              // Ignores the signal: only release() ends it.
              return new Promise<void>((resolve) => {
                release = resolve;
              });
            }),
          { name: "query" },
        );
        process.kill(process.pid, "SIGUSR2");
        yield* suspend();
      },
      { exit: false, signals: ["SIGUSR2"], teardownTimeout: 50 },
    ).finally(() => {
      process.stderr.write = write;
    });
    release();
    assert.equal(outcome.status, "teardown-incomplete");
    const stuck = outcome.status === "teardown-incomplete" ? outcome.stuck : undefined;
    assert.equal(stuck?.children[0]?.waitingFor, "aborted work (abortable(stubbornQuery))");
    assert.match(
      stderr,
      /\n {2}main\/query +task \d+ +halting +\d+(ms|\.\ds) +received SIGUSR2, waiting for aborted work \(abortable\(stubbornQuery\)\)\n/,
    );
  });

  it("refuses to run outside unwind", async () => {
    await assert.rejects(
      runEffection(() => abortable(async () => 1)),
      /abortable\(\) must run inside main\(\), run\(\) or group\(\)/,
    );
  });
});
