// Misuse fails where it is written: run() and main() check their body and
// options before they install anything or run any code. main() is async, so
// it rejects instead of throwing. The casts write what TypeScript would reject.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Operation, suspend } from "effection";
import { main, run } from "unwind";
import { FACTORY, loose, PROMISES, TIMER_LIMIT } from "../helpers/misuse.ts";
import { failuresOf, rejected, rejection, thrown } from "../helpers/thrown.ts";

function* program(): Operation<void> {
  yield* suspend();
}

describe("run(body, options) at the call", () => {
  it("rejects a body that is not a function that makes an operation", () => {
    assert.deepEqual(
      [thrown(() => run(loose(program()))), thrown(() => run(loose(async function start() {})))],
      [
        `TypeError: run(): body ${FACTORY}, got an operation (a generator object, the result of calling a generator function); pass a function that makes it: run((root) => program(root))`,
        `TypeError: run(): body ${FACTORY}, got an async function (start); ${PROMISES}`,
      ],
    );
  });

  it("accepts only an array of signal names that Node knows and a process can catch", () => {
    const body = function* () {};
    assert.deepEqual(
      [
        thrown(() => run(body, { signals: loose("SIGTERM") })),
        thrown(() => run(body, { signals: loose(["SIGTREM"]) })),
        thrown(() => run(body, { signals: loose(["sigterm"]) })),
        thrown(() => run(body, { signals: loose(["SIGINT", "HUP"]) })),
        thrown(() => run(body, { signals: loose([15]) })),
        thrown(() => run(body, { signals: ["SIGKILL"] })),
      ],
      [
        'TypeError: run(): options.signals must be an array of signal names such as ["SIGINT", "SIGTERM"], got a string ("SIGTERM"); write ["SIGTERM"]',
        'RangeError: run(): options.signals[0] must be the name of a signal Node knows (such as "SIGTERM"), got a string ("SIGTREM")',
        'RangeError: run(): options.signals[0] must be the name of a signal Node knows (such as "SIGTERM"), got a string ("sigterm"); write "SIGTERM"',
        'RangeError: run(): options.signals[1] must be the name of a signal Node knows (such as "SIGTERM"), got a string ("HUP"); write "SIGHUP"',
        'TypeError: run(): options.signals[0] must be the name of a signal Node knows (such as "SIGTERM"), got 15',
        'RangeError: run(): options.signals[0] is "SIGKILL", which no process can catch or handle',
      ],
    );
  });

  it("checks the root group's options like group()", () => {
    const body = function* () {};
    assert.deepEqual(
      [thrown(() => run(body, { teardown: loose("parallel") })), thrown(() => run(body, { name: "" }))],
      [
        'RangeError: run(): options.teardown must be "serial" or "concurrent", got a string ("parallel")',
        'RangeError: run(): options.name must be a non-empty string without "/", got a string ("")',
      ],
    );
  });

  it("installs no signal listener and runs no code when it rejects", () => {
    const before = process.listenerCount("SIGUSR2");
    let ran = false;
    thrown(() =>
      run(
        function* () {
          ran = true;
        },
        { signals: ["SIGUSR2", loose("SIGNOPE")] },
      ),
    );
    assert.equal(process.listenerCount("SIGUSR2"), before);
    assert.equal(ran, false);
  });

  it("fails the root when body returned nothing", async () => {
    const error = await rejection(run(loose(function start() {})));
    assert.deepEqual(failuresOf(error), [
      "main run TypeError: run(): body (start) returned undefined instead of an operation; make it a generator function (function* () { ... }) or return the operation (() => worker())",
    ]);
  });
});

describe("main(body, options) at the call", () => {
  const body = function* () {};

  it("rejects millisecond options that a timer cannot wait for", async () => {
    assert.deepEqual(
      [
        await rejected(main(body, { exit: false, teardownTimeout: 2 ** 31 })),
        await rejected(main(body, { exit: false, teardownTimeout: Number.POSITIVE_INFINITY })),
        await rejected(main(body, { exit: false, drainTimeout: loose("5000") })),
        await rejected(main(body, { exit: false, timeout: 2 ** 31 })),
      ],
      [
        `RangeError: main(): options.teardownTimeout must be at most ${TIMER_LIMIT}, got 2147483648`,
        `RangeError: main(): options.teardownTimeout must be at most ${TIMER_LIMIT}, got Infinity`,
        'TypeError: main(): options.drainTimeout must be a number of milliseconds >= 0, got a string ("5000"); convert it with Number()',
        `RangeError: main(): options.timeout must be at most ${TIMER_LIMIT}, got 2147483648; leave it out for no limit`,
      ],
    );
  });

  it("rejects options that are not what they say: exit, spawnSites, policy, onError, signals", async () => {
    assert.deepEqual(
      [
        await rejected(main(body, { exit: loose("no") })),
        await rejected(main(body, { exit: false, spawnSites: loose(1) })),
        await rejected(main(body, { exit: false, policy: loose("fail_fast") })),
        await rejected(main(body, { exit: false, onError: loose(console) })),
        await rejected(main(body, { exit: false, signals: loose(["SIGINT", "SIGSTOP"]) })),
      ],
      [
        'TypeError: main(): options.exit must be true or false, got a string ("no")',
        "TypeError: main(): options.spawnSites must be true or false, got 1",
        'RangeError: main(): options.policy must be "fail-fast" or "supervise", got a string ("fail_fast")',
        "TypeError: main(): options.onError must be a function, got an object",
        'RangeError: main(): options.signals[1] is "SIGSTOP", which no process can catch or handle',
      ],
    );
  });

  it("rejects a body that is not a function that makes an operation", async () => {
    assert.deepEqual(
      [await rejected(main(loose(program()))), await rejected(main(loose(async () => {})))],
      [
        `TypeError: main(): body ${FACTORY}, got an operation (a generator object, the result of calling a generator function); pass a function that makes it: main((root) => program(root))`,
        `TypeError: main(): body ${FACTORY}, got an async function; ${PROMISES}`,
      ],
    );
  });

  it("installs no signal listener and runs no code when it rejects", async () => {
    const before = process.listenerCount("SIGINT");
    let ran = false;
    await rejected(
      main(
        function* () {
          ran = true;
        },
        { exit: false, signals: ["SIGINT", "SIGKILL"] },
      ),
    );
    assert.equal(process.listenerCount("SIGINT"), before);
    assert.equal(ran, false);
  });

  it("fails the program when body returned a Promise", async () => {
    const outcome = await main(
      loose(() => Promise.resolve()),
      { exit: false },
    );
    assert.ok(outcome.status === "error", `status ${outcome.status}`);
    assert.deepEqual(failuresOf(outcome.error), [
      `main run TypeError: main(): body returned a Promise instead of an operation (an async function?); ${PROMISES}`,
    ]);
  });
});
