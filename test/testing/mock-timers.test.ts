// testRun()'s virtual clock next to node:test's own mock.timers: one clock
// at a time. Either one works before and after the other in the same file;
// one started while the other is installed is an error that says so.
import assert from "node:assert/strict";
import { afterEach, describe, it, mock } from "node:test";
import timers from "node:timers";
import { sleep, suspend } from "effection";
import { testMain, testRun } from "unwind/testing";

const own = { setTimeout: globalThis.setTimeout, Date: globalThis.Date, timersSetTimeout: timers.setTimeout };

describe("testRun() and node:test's mock.timers", () => {
  afterEach(() => mock.timers.reset());

  it("refuses to start while mock.timers is enabled, and leaves mock.timers as it was", async () => {
    mock.timers.enable({ apis: ["setTimeout", "Date"], now: 5_000 });
    const mocked = globalThis.setTimeout;
    await assert.rejects(
      testRun(function* () {}),
      {
        message:
          /^testRun\(\): cannot install a virtual clock: globalThis\.setTimeout is not Node's own: node:test's mock\.timers is enabled .*Two virtual clocks would fight over setTimeout and Date/,
      },
    );
    assert.throws(() => testMain(function* () {}, { virtualClock: true }), {
      message: /^testMain\(\): cannot install a virtual clock: .*mock\.timers is enabled/,
    });
    assert.equal(globalThis.setTimeout, mocked);
    assert.equal(Date.now(), 5_000);
    let fired = false;
    setTimeout(() => {
      fired = true;
    }, 10);
    mock.timers.tick(10);
    assert.ok(fired, "mock.timers still drives setTimeout");
  });

  it("works after mock.timers.reset(), and mock.timers works after it", async () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    mock.timers.reset();
    const { elapsed } = await testRun(function* () {
      yield* sleep(60_000);
    });
    assert.equal(elapsed, 60_000);
    mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
    let fired = 0;
    setTimeout(() => {
      fired = Date.now();
    }, 250);
    mock.timers.tick(250);
    assert.equal(fired, 250);
  });

  it("fails the run when mock.timers is enabled inside it; both clocks' timers keep working afterwards", async () => {
    await assert.rejects(
      testRun(function* () {
        mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
        yield* suspend();
      }),
      {
        message:
          /^globalThis\.setTimeout was replaced while testRun\(\)'s virtual clock ran \(node:test's mock\.timers\.enable\(\), or another fake clock\): two virtual clocks would fight/,
      },
    );
    // mock.timers keeps what it installed...
    let mocked = false;
    setTimeout(() => {
      mocked = true;
    }, 10);
    mock.timers.tick(10);
    assert.ok(mocked, "mock.timers still drives setTimeout after the failed run");
    // ...and puts back what it found (the run's clock, retired: it runs on real time).
    mock.timers.reset();
    const before = own.Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1));
    assert.ok(Date.now() >= before, "Date tells the real time");
    assert.notEqual(
      globalThis.setTimeout,
      own.setTimeout,
      "what mock.timers put back is the retired clock's",
    );
    // The next run puts Node's own back first, and again when it ends.
    const { elapsed } = await testRun(function* () {
      yield* sleep(1_000);
    });
    assert.equal(elapsed, 1_000);
    assert.equal(globalThis.setTimeout, own.setTimeout);
    assert.equal(globalThis.Date, own.Date);
    assert.equal(timers.setTimeout, own.timersSetTimeout);
  });
});
