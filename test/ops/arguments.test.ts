// Misuse fails where it is written: withTimeout, moveOnAfter, shield,
// mapLimit, supervisor and a supervisor's s.spawn check their arguments at
// the call and name the function, the parameter, what they received and,
// for the common mistakes, the fix.
// The casts write what TypeScript would reject.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Operation, sleep, suspend } from "effection";
import { mapLimit, moveOnAfter, run, type Supervisor, shield, supervisor, withTimeout } from "unwind";
import { loose, PROMISES, TIMER_LIMIT } from "../helpers/misuse.ts";
import { failuresOf, rejection, thrown } from "../helpers/thrown.ts";

function* worker(): Operation<void> {
  yield* suspend();
}

const OPERATION = "must be an operation (such as sleep(100) or worker())";

describe("withTimeout(ms, op) and moveOnAfter(ms, op) at the call", () => {
  it("rejects ms that is not a number of milliseconds a timer can wait for", () => {
    assert.deepEqual(
      [
        thrown(() => withTimeout(-1, sleep(1))),
        thrown(() => withTimeout(loose("100"), sleep(1))),
        thrown(() => withTimeout(2 ** 31, sleep(1))),
        thrown(() => moveOnAfter(Number.POSITIVE_INFINITY, sleep(1))),
        thrown(() => moveOnAfter(Number.NaN, sleep(1))),
      ],
      [
        "RangeError: withTimeout(): ms must be a number of milliseconds >= 0, got -1",
        'TypeError: withTimeout(): ms must be a number of milliseconds >= 0, got a string ("100"); convert it with Number()',
        `RangeError: withTimeout(): ms must be at most ${TIMER_LIMIT}, got 2147483648`,
        `RangeError: moveOnAfter(): ms must be at most ${TIMER_LIMIT}, got Infinity`,
        "RangeError: moveOnAfter(): ms must be a number of milliseconds >= 0, got NaN",
      ],
    );
  });

  it("rejects a function where an operation is wanted, and shows the call to write", () => {
    assert.deepEqual(
      [
        thrown(() => withTimeout(1_000, loose(worker))),
        thrown(() =>
          moveOnAfter(
            1_000,
            loose(() => worker()),
          ),
        ),
      ],
      [
        `TypeError: withTimeout(): op ${OPERATION}, got a generator function (worker); call the function to make the operation: withTimeout(ms, worker())`,
        `TypeError: moveOnAfter(): op ${OPERATION}, got a function; call the function to make the operation: moveOnAfter(ms, op())`,
      ],
    );
  });

  it("rejects an async function and a Promise, pointing to abortable() and until()", () => {
    assert.deepEqual(
      [
        thrown(() =>
          withTimeout(
            1_000,
            loose(async function fetchPage() {}),
          ),
        ),
        thrown(() => withTimeout(1_000, loose(Promise.resolve("page")))),
        thrown(() => moveOnAfter(1_000, loose(undefined))),
      ],
      [
        `TypeError: withTimeout(): op ${OPERATION}, got an async function (fetchPage); ${PROMISES}`,
        `TypeError: withTimeout(): op ${OPERATION}, got a Promise; ${PROMISES}`,
        `TypeError: moveOnAfter(): op ${OPERATION}, got undefined`,
      ],
    );
  });

  it("accepts the longest timer Node can arm", async () => {
    assert.equal(await run(() => withTimeout(2 ** 31 - 1, sleep(0))), undefined);
  });
});

describe("shield(op, options) at the call", () => {
  it("rejects a function where an operation is wanted", () => {
    assert.equal(
      thrown(() => shield(loose(function* flush() {}))),
      `TypeError: shield(): op ${OPERATION}, got a generator function (flush); call the function to make the operation: shield(flush())`,
    );
  });

  it("rejects a timeout given without its options object, or too long for a timer", () => {
    assert.deepEqual(
      [
        thrown(() => shield(sleep(1), loose(2_000))),
        thrown(() => shield(sleep(1), { timeout: 2 ** 31 })),
        thrown(() => shield(sleep(1), { timeout: -1 })),
      ],
      [
        "TypeError: shield(): options must be an object such as { timeout: 2_000 }, got 2000",
        `RangeError: shield(): options.timeout must be at most ${TIMER_LIMIT}, got 2147483648; leave it out for no limit`,
        "RangeError: shield(): options.timeout must be a number of milliseconds >= 0, got -1",
      ],
    );
  });
});

describe("mapLimit(items, limit, fn) at the call", () => {
  const job = async (n: number) => n;

  it("rejects items that Array.from would silently turn into nothing", () => {
    assert.deepEqual(
      [thrown(() => mapLimit(loose(undefined), 2, job)), thrown(() => mapLimit(loose({ a: 1 }), 2, job))],
      [
        "TypeError: mapLimit(): items must be an iterable or array-like (an array, a Set, a generator, ...), got undefined",
        "TypeError: mapLimit(): items must be an iterable or array-like (an array, a Set, a generator, ...), got an object",
      ],
    );
  });

  it("rejects a limit that is not an integer >= 1, and an fn that is not a function", () => {
    assert.deepEqual(
      [
        thrown(() => mapLimit([1], 0, job)),
        thrown(() => mapLimit([1], loose("8"), job)),
        thrown(() => mapLimit([1], 2, loose(undefined))),
      ],
      [
        "RangeError: mapLimit(): limit must be an integer >= 1, got 0",
        'TypeError: mapLimit(): limit must be an integer >= 1, got a string ("8"); convert it first: Number("8")',
        "TypeError: mapLimit(): fn must be a function, got undefined",
      ],
    );
  });
});

describe("supervisor(body, options) at the call", () => {
  const body = function* () {};

  it("rejects a body that is not a function making an operation, as group() does", () => {
    assert.deepEqual(
      [thrown(() => supervisor(loose(body()))), thrown(() => supervisor(loose(async () => {})))],
      [
        "TypeError: supervisor(): body must be a function that returns an operation (such as a generator function), got an operation (a generator object, the result of calling a generator function); pass a function that makes it: supervisor((s) => body(s))",
        `TypeError: supervisor(): body must be a function that returns an operation (such as a generator function), got an async function; ${PROMISES}`,
      ],
    );
  });

  it("rejects a misspelt strategy, and restart limits that are not counts or windows", () => {
    assert.deepEqual(
      [
        thrown(() => supervisor(body, loose({ strategy: "one-for-some" }))),
        thrown(() => supervisor(body, { maxRestarts: -1 })),
        thrown(() => supervisor(body, loose({ maxRestarts: "3" }))),
        thrown(() => supervisor(body, { withinMs: 0 })),
        thrown(() => supervisor(body, { withinMs: 2 ** 31 })),
        thrown(() => supervisor(body, loose({ teardown: "parallel" }))),
        thrown(() => supervisor(body, { name: "a/b" })),
      ],
      [
        'RangeError: supervisor(): options.strategy must be "one-for-one" or "one-for-all" or "rest-for-one", got a string ("one-for-some")',
        "RangeError: supervisor(): options.maxRestarts must be an integer >= 0, got -1",
        'TypeError: supervisor(): options.maxRestarts must be an integer >= 0, got a string ("3"); convert it first: Number("3")',
        "RangeError: supervisor(): options.withinMs must be a number of milliseconds >= 1, got 0",
        `RangeError: supervisor(): options.withinMs must be at most ${TIMER_LIMIT}, got 2147483648`,
        'RangeError: supervisor(): options.teardown must be "serial" or "concurrent", got a string ("parallel")',
        'RangeError: supervisor(): options.name must be a non-empty string without "/", got a string ("a/b"); "/" separates the names in a task path',
      ],
    );
  });

  it("rejects a backoff that is neither an object nor false, or whose delays cannot grow", () => {
    assert.deepEqual(
      [
        thrown(() => supervisor(body, loose({ backoff: 100 }))),
        thrown(() => supervisor(body, { backoff: { factor: 0.5 } })),
        thrown(() => supervisor(body, { backoff: { jitter: 2 } })),
        thrown(() => supervisor(body, { backoff: { initialMs: -1 } })),
        thrown(() => supervisor(body, { backoff: { initialMs: 500, maxMs: 100 } })),
      ],
      [
        "TypeError: supervisor(): options.backoff must be an object such as { initialMs: 100, maxMs: 5_000 }, or false for no wait, got 100",
        "RangeError: supervisor(): options.backoff.factor must be a number >= 1, got 0.5",
        "RangeError: supervisor(): options.backoff.jitter must be a number from 0 to 1, got 2",
        "RangeError: supervisor(): options.backoff.initialMs must be a number of milliseconds >= 0, got -1",
        "RangeError: supervisor(): options.backoff.maxMs must be at least its initialMs (500), got 100; the delays grow from initialMs up to maxMs",
      ],
    );
  });

  it("takes backoff: false and a backoff with only some fields", async () => {
    assert.equal(await run(() => supervisor(body, { backoff: false, maxRestarts: 0 })), undefined);
    assert.equal(await run(() => supervisor(body, { backoff: { maxMs: 1_000 } })), undefined);
  });
});

describe("s.spawn(op, options) of a supervisor at the call", () => {
  /** What `use` throws when it runs in a supervisor's body, as the failure of that body. */
  async function inSupervisor(use: (s: Supervisor) => void): Promise<string[]> {
    const error = await rejection(
      run(() =>
        supervisor(
          function* (s) {
            use(s);
          },
          { name: "sup" },
        ),
      ),
    );
    return failuresOf(error);
  }

  it("rejects an operation where a function is wanted, and a misspelt restart type", async () => {
    assert.deepEqual(await inSupervisor((s) => s.spawn(loose(worker()))), [
      "main/sup run TypeError: s.spawn(): op must be a function that returns an operation (such as a generator function), got an operation (a generator object, the result of calling a generator function); pass a function that makes it: s.spawn(() => worker())",
    ]);
    assert.deepEqual(await inSupervisor((s) => s.spawn(worker, loose({ restart: "always" }))), [
      'main/sup run RangeError: s.spawn(): options.restart must be "permanent" or "transient" or "temporary", got a string ("always")',
    ]);
  });
});
