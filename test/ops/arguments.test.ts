// Misuse fails where it is written: withTimeout, moveOnAfter, shield and
// mapLimit check their arguments at the call and name the function, the
// parameter, what they received and, for the common mistakes, the fix.
// The casts write what TypeScript would reject.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Operation, sleep, suspend } from "effection";
import { mapLimit, moveOnAfter, run, shield, withTimeout } from "unwind";
import { thrown } from "../helpers/thrown.ts";

function* worker(): Operation<void> {
  yield* suspend();
}

/** A value TypeScript would reject, as the mistake is written in JavaScript. */
const loose = (value: unknown) => value as never;

const PROMISES =
  'tasks run operations, not promises: wrap the promise work with abortable((signal) => work(signal)) from "unwind", or use until(promise) from effection';
const OPERATION = "must be an operation (such as sleep(100) or worker())";
const TIMER_LIMIT = "2147483647 ms (about 24.8 days, the longest delay a Node timer takes)";

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
