// Misuse fails where it is written: g.spawn, g.start, group and onTeardown
// check their arguments at the call and name the function, the parameter,
// what they received and, for the common mistakes, what to write instead.
// The casts write what TypeScript would reject: the mistakes of JavaScript
// callers and of code that goes around the types.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Operation, sleep, suspend } from "effection";
import { type Group, group, inspect, onTeardown, run } from "unwind";
import { FACTORY, loose, PROMISES, TIMER_LIMIT } from "../helpers/misuse.ts";
import { failuresOf, rejection, thrown } from "../helpers/thrown.ts";

function* worker(): Operation<void> {
  yield* suspend();
}

/** Runs `use` in a root's body, synchronously, and returns what it returned. */
async function inGroup<T>(use: (g: Group) => T): Promise<T> {
  return (await run(function* (g) {
    return use(g);
  })) as T;
}

const GENERATOR_OBJECT = "an operation (a generator object, the result of calling a generator function)";

describe("g.spawn(op, options) at the call", () => {
  it("rejects an operation where a function is wanted, and shows the function to write", async () => {
    const message = await inGroup((g) => thrown(() => g.spawn(loose(worker()))));
    assert.equal(
      message,
      `TypeError: g.spawn(): op ${FACTORY}, got ${GENERATOR_OBJECT}; pass a function that makes it: g.spawn(() => worker())`,
    );
  });

  it("rejects an async function, an async generator and a Promise, pointing to abortable() and until()", async () => {
    const messages = await inGroup((g) => [
      thrown(() => g.spawn(loose(async function load() {}))),
      thrown(() => g.spawn(loose(async function* stream() {}))),
      thrown(() => g.spawn(loose(Promise.resolve(1)))),
    ]);
    assert.deepEqual(messages, [
      `TypeError: g.spawn(): op ${FACTORY}, got an async function (load); ${PROMISES}`,
      `TypeError: g.spawn(): op ${FACTORY}, got an async generator function (stream); an async generator is not an operation: drop "async" (function* () { ... }) and wait for promises with abortable((signal) => work(signal)) from "unwind" or until(promise) from effection`,
      `TypeError: g.spawn(): op ${FACTORY}, got a Promise; ${PROMISES}`,
    ]);
  });

  it("says what it got when it got no function at all", async () => {
    const messages = await inGroup((g) => [
      thrown(() => g.spawn(loose(undefined))),
      thrown(() => g.spawn(loose("worker"))),
      thrown(() => g.spawn(loose([worker]))),
    ]);
    assert.deepEqual(messages, [
      `TypeError: g.spawn(): op ${FACTORY}, got undefined`,
      `TypeError: g.spawn(): op ${FACTORY}, got a string ("worker")`,
      `TypeError: g.spawn(): op ${FACTORY}, got an array (length 1)`,
    ]);
  });

  it("rejects a name that is not a non-empty string without '/', and options that are not an object", async () => {
    const messages = await inGroup((g) => [
      thrown(() => g.spawn(worker, loose("poller"))),
      thrown(() => g.spawn(worker, loose(null))),
      thrown(() => g.spawn(worker, { name: loose(42) })),
      thrown(() => g.spawn(worker, { name: "" })),
      thrown(() => g.spawn(worker, { name: "db/reader" })),
    ]);
    assert.deepEqual(messages, [
      'TypeError: g.spawn(): options must be an object such as { name: "poller" }, got a string ("poller")',
      'TypeError: g.spawn(): options must be an object such as { name: "worker" }, got null',
      'TypeError: g.spawn(): options.name must be a non-empty string without "/", got 42',
      'RangeError: g.spawn(): options.name must be a non-empty string without "/", got a string ("")',
      'RangeError: g.spawn(): options.name must be a non-empty string without "/", got a string ("db/reader"); "/" separates the names in a task path',
    ]);
  });

  it("starts nothing when it rejects", async () => {
    const children = await run(function* (g) {
      thrown(() => g.spawn(loose(worker())));
      thrown(() => g.spawn(worker, { name: "a/b" }));
      return (yield* inspect()).children.length;
    });
    assert.equal(children, 0);
  });
});

describe("g.spawn(op) when the task starts", () => {
  it("fails the task when op returned nothing, naming op and the fix", async () => {
    const root = run(function* (g) {
      g.spawn(
        loose(function forgot() {}),
        { name: "forgot" },
      );
    });
    assert.deepEqual(failuresOf(await rejection(root)), [
      "main/forgot run TypeError: g.spawn(): op (forgot) returned undefined instead of an operation; make it a generator function (function* () { ... }) or return the operation (() => worker())",
    ]);
  });

  it("fails the task when op returned a Promise", async () => {
    const root = run(function* (g) {
      g.spawn(
        loose(() => Promise.resolve(1)),
        { name: "eager" },
      );
    });
    assert.deepEqual(failuresOf(await rejection(root)), [
      `main/eager run TypeError: g.spawn(): op returned a Promise instead of an operation (an async function?); ${PROMISES}`,
    ]);
  });
});

describe("g.start(body, options)", () => {
  it("rejects an operation where a function is wanted, and a bad name, at the call", async () => {
    const messages = await inGroup((g) => [
      thrown(() => g.start(loose(worker()))),
      thrown(() => g.start(loose(async () => {}))),
      thrown(() =>
        g.start(
          function* (ready) {
            ready(1);
          },
          { name: "" },
        ),
      ),
    ]);
    assert.deepEqual(messages, [
      `TypeError: g.start(): body ${FACTORY}, got ${GENERATOR_OBJECT}; pass a function that makes it: g.start((ready) => listener(ready))`,
      `TypeError: g.start(): body ${FACTORY}, got an async function; ${PROMISES}`,
      'RangeError: g.start(): options.name must be a non-empty string without "/", got a string ("")',
    ]);
  });

  it("throws to its caller when body returned nothing", async () => {
    const message = await run(function* (g) {
      try {
        yield* g.start(loose(function listener() {}));
        return "started";
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    });
    assert.equal(
      message,
      "TypeError: g.start(): body (listener) returned undefined instead of an operation; make it a generator function (function* () { ... }) or return the operation (() => worker())",
    );
  });
});

describe("group(body, options) at the call", () => {
  const body = function* () {};

  it("rejects a body that is not a function that makes an operation", () => {
    assert.deepEqual(
      [thrown(() => group(loose(worker()))), thrown(() => group(loose(async () => 1)))],
      [
        `TypeError: group(): body ${FACTORY}, got ${GENERATOR_OBJECT}; pass a function that makes it: group((g) => body(g))`,
        `TypeError: group(): body ${FACTORY}, got an async function; ${PROMISES}`,
      ],
    );
  });

  it("says what it got with the right article, and an iterable collection is no operation", () => {
    class HTTPServer {}
    assert.deepEqual(
      [
        thrown(() => group(loose(new URL("file:///srv/app.js")))),
        thrown(() => group(loose(new Error("boom")))),
        thrown(() => group(loose(new HTTPServer()))),
        thrown(() => group(loose(new Uint8Array(4)))),
        thrown(() => group(loose(new Map()))),
        thrown(() => group(loose(new Set()))),
      ],
      [
        `TypeError: group(): body ${FACTORY}, got a URL`,
        `TypeError: group(): body ${FACTORY}, got an Error`,
        `TypeError: group(): body ${FACTORY}, got an HTTPServer`,
        `TypeError: group(): body ${FACTORY}, got a Uint8Array`,
        `TypeError: group(): body ${FACTORY}, got a Map`,
        `TypeError: group(): body ${FACTORY}, got a Set`,
      ],
    );
  });

  it("accepts only the documented teardown and policy: a misspelt value is an error, not the default", () => {
    assert.deepEqual(
      [
        thrown(() => group(body, { teardown: loose("concurent") })),
        thrown(() => group(body, { policy: loose("supervize") })),
        thrown(() => group(body, { policy: loose(true) })),
      ],
      [
        'RangeError: group(): options.teardown must be "serial" or "concurrent", got a string ("concurent")',
        'RangeError: group(): options.policy must be "fail-fast" or "supervise", got a string ("supervize")',
        'TypeError: group(): options.policy must be "fail-fast" or "supervise", got true',
      ],
    );
  });

  it("rejects an onError that is not a function, a bad limit, and a signal's controller", () => {
    assert.deepEqual(
      [
        thrown(() => group(body, { onError: loose("log") })),
        thrown(() => group(body, { limit: 0 })),
        thrown(() => group(body, { limit: loose("4") })),
        thrown(() => group(body, { signal: loose(new AbortController()) })),
        thrown(() => group(body, { name: "a/b" })),
        thrown(() => group(body, loose("pool"))),
      ],
      [
        'TypeError: group(): options.onError must be a function, got a string ("log")',
        "RangeError: group(): options.limit must be an integer >= 1, got 0",
        'TypeError: group(): options.limit must be an integer >= 1, got a string ("4"); convert it first: Number("4")',
        "TypeError: group(): options.signal must be an AbortSignal, got an AbortController; pass its signal: controller.signal",
        'RangeError: group(): options.name must be a non-empty string without "/", got a string ("a/b"); "/" separates the names in a task path',
        'TypeError: group(): options must be an object such as { name: "pool", teardown: "concurrent" }, got a string ("pool")',
      ],
    );
  });

  it("rejects a timeout that Node's timers cannot wait for (it would fire after 1 ms)", () => {
    assert.deepEqual(
      [
        thrown(() => group(body, { timeout: 2 ** 31 })),
        thrown(() => group(body, { timeout: Number.POSITIVE_INFINITY })),
        thrown(() => group(body, { timeout: -5 })),
        thrown(() => group(body, { timeout: loose("5000") })),
      ],
      [
        `RangeError: group(): options.timeout must be at most ${TIMER_LIMIT}, got 2147483648; leave it out for no limit`,
        `RangeError: group(): options.timeout must be at most ${TIMER_LIMIT}, got Infinity; leave it out for no limit`,
        "RangeError: group(): options.timeout must be a number of milliseconds >= 0, got -5",
        'TypeError: group(): options.timeout must be a number of milliseconds >= 0, got a string ("5000"); convert it with Number()',
      ],
    );
    assert.doesNotThrow(() => group(body, { timeout: 2 ** 31 - 1 }));
  });

  it("rejects a deadline that is not a time, or further away than a timer can wait", (t) => {
    t.mock.timers.enable({ apis: ["Date"], now: 0 });
    const day = 86_400_000;
    assert.deepEqual(
      [
        thrown(() => group(body, { deadline: Number.NaN })),
        thrown(() => group(body, { deadline: loose(new Date(day)) })),
        thrown(() => group(body, { deadline: 30 * day })),
      ],
      [
        "RangeError: group(): options.deadline must be a time in ms since the epoch (such as Date.now() + 30_000), got NaN",
        "TypeError: group(): options.deadline must be a time in ms since the epoch (such as Date.now() + 30_000), got a Date; write date.getTime()",
        `RangeError: group(): options.deadline must be at most ${TIMER_LIMIT} from now, got 2592000000 (30 days from now); leave it out for no limit`,
      ],
    );
    assert.doesNotThrow(() => group(body, { deadline: 2 ** 31 - 1 }));
  });

  it("fails the group when body returned nothing", async () => {
    const failures = await run(function* () {
      try {
        yield* group(
          loose(function setup() {}),
          { name: "setup" },
        );
        return [];
      } catch (error) {
        return failuresOf(error);
      }
    });
    assert.deepEqual(failures, [
      "main/setup run TypeError: group(): body (setup) returned undefined instead of an operation; make it a generator function (function* () { ... }) or return the operation (() => worker())",
    ]);
  });
});

describe("onTeardown(cleanup) at the call", () => {
  it("rejects the result of a call where the function is wanted", () => {
    assert.deepEqual(
      [thrown(() => onTeardown(loose(undefined))), thrown(() => onTeardown(loose(Promise.resolve())))],
      [
        "TypeError: onTeardown(): cleanup must be a plain or async function, got undefined; pass the function, not its result: onTeardown(() => close())",
        "TypeError: onTeardown(): cleanup must be a plain or async function, got a Promise; pass the function, not its result: onTeardown(() => close())",
      ],
    );
  });

  it("rejects a generator function or an operation, whose steps a cleanup would never run", () => {
    assert.deepEqual(
      [thrown(() => onTeardown(loose(function* close() {}))), thrown(() => onTeardown(loose(sleep(10))))],
      [
        "TypeError: onTeardown(): cleanup must be a plain or async function, got a generator function (close); a cleanup's generator would never be run: write onTeardown(async () => { ... })",
        "TypeError: onTeardown(): cleanup must be a plain or async function, got an operation; a cleanup is a plain or async function: onTeardown(async () => { ... })",
      ],
    );
  });

  it("accepts plain and async functions", async () => {
    const events: string[] = [];
    await run(function* () {
      yield* onTeardown(() => {
        events.push("plain");
      });
      yield* onTeardown(async () => {
        events.push("async");
      });
    });
    assert.deepEqual(events, ["async", "plain"]);
  });
});
