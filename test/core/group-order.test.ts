import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sleep, suspend, withResolvers } from "effection";
import { type Group, group, onTeardown, run } from "unwind";
import { testMain } from "unwind/testing";

/** A cleanup that waits for a macrotask, so that overlapping teardowns show. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("teardown order", () => {
  it("halting the root tears down grandchildren, then children, then the root's own cleanups", async () => {
    const events: string[] = [];
    const root = run(function* (g) {
      yield* onTeardown(() => {
        events.push("root");
      });
      for (const child of ["a", "b"]) {
        g.spawn(
          function* () {
            yield* onTeardown(async () => {
              await tick();
              events.push(child);
            });
            yield* group(function* (inner) {
              for (const grandchild of ["1", "2"]) {
                inner.spawn(
                  function* () {
                    yield* onTeardown(() => {
                      events.push(`${child}/${grandchild}`);
                    });
                    yield* suspend();
                  },
                  { name: grandchild },
                );
              }
              yield* suspend();
            });
          },
          { name: child },
        );
      }
      yield* suspend();
    });
    await root.halt();
    assert.deepEqual(events, ["b/2", "b/1", "b", "a/2", "a/1", "a", "root"]);
  });

  it("halts siblings newest first in serial mode", async () => {
    const events: string[] = [];
    const root = run(function* (g) {
      for (const name of ["first", "second", "third"]) {
        g.spawn(
          function* () {
            yield* onTeardown(async () => {
              events.push(`start ${name}`);
              await tick();
              events.push(`end ${name}`);
            });
            yield* suspend();
          },
          { name },
        );
      }
      yield* suspend();
    });
    await root.halt();
    assert.deepEqual(events, [
      "start third",
      "end third",
      "start second",
      "end second",
      "start first",
      "end first",
    ]);
  });

  it("starts every sibling's teardown before any finishes in concurrent mode", async () => {
    const events: string[] = [];
    const root = run(
      function* (g) {
        yield* onTeardown(() => {
          events.push("own cleanup");
        });
        for (const name of ["first", "second", "third"]) {
          g.spawn(
            function* () {
              yield* onTeardown(async () => {
                events.push(`start ${name}`);
                await tick();
                events.push(`end ${name}`);
              });
              yield* suspend();
            },
            { name },
          );
        }
        yield* suspend();
      },
      { teardown: "concurrent" },
    );
    await root.halt();
    assert.deepEqual(events.slice(0, 3).sort(), ["start first", "start second", "start third"]);
    assert.deepEqual(events.slice(3, 6).sort(), ["end first", "end second", "end third"]);
    assert.equal(events[6], "own cleanup");
  });

  it("runs a group body's cleanups after the children it spawned later", async () => {
    const events: string[] = [];
    await run(function* () {
      yield* group(function* (g) {
        yield* onTeardown(() => {
          events.push("body cleanup");
        });
        g.spawn(function* () {
          yield* onTeardown(() => {
            events.push("child cleanup");
          });
          yield* sleep(1);
          events.push("child done");
        });
        events.push("body returned");
      });
      events.push("group returned");
    });
    assert.deepEqual(events, [
      "body returned",
      "child done",
      "child cleanup",
      "body cleanup",
      "group returned",
    ]);
  });

  it("runs a task's cleanups newest first, after its nested groups are gone", async () => {
    const events: string[] = [];
    const root = run(function* (g) {
      g.spawn(function* () {
        yield* onTeardown(() => {
          events.push("older cleanup");
        });
        yield* onTeardown(() => {
          events.push("newer cleanup");
        });
        yield* group(function* (inner) {
          inner.spawn(function* () {
            yield* onTeardown(() => {
              events.push("grandchild");
            });
            yield* suspend();
          });
          yield* suspend();
        });
      });
      yield* suspend();
    });
    await root.halt();
    assert.deepEqual(events, ["grandchild", "newer cleanup", "older cleanup"]);
  });
});

describe("the default sibling order, pinned", () => {
  /**
   * A program whose root and a nested group "pool" each have three children
   * with an async cleanup that logs its start and its end; `teardown` is
   * given to both groups when set.
   */
  function program(events: string[], teardown?: "serial" | "concurrent") {
    const order = teardown ? { teardown } : {};
    const children = (g: Group, prefix: string) => {
      for (const name of ["first", "second", "third"]) {
        g.spawn(
          function* () {
            yield* onTeardown(async () => {
              events.push(`start ${prefix}${name}`);
              await tick();
              events.push(`end ${prefix}${name}`);
            });
            yield* suspend();
          },
          { name },
        );
      }
    };
    return testMain(function* (root) {
      root.spawn(
        function* () {
          yield* group(
            function* (g) {
              children(g, "pool/");
              yield* suspend();
            },
            { name: "pool", ...order },
          );
        },
        { name: "server" },
      );
      children(root, "");
      yield* suspend();
    }, order);
  }

  it("is serial, newest first, at the root of main() and in a nested group", async () => {
    const events: string[] = [];
    const running = program(events);
    running.signal("SIGTERM");
    assert.equal((await running).exitCode, 143);
    assert.deepEqual(events, [
      "start third",
      "end third",
      "start second",
      "end second",
      "start first",
      "end first",
      // server was spawned first, so it goes last; its pool the same way inside.
      "start pool/third",
      "end pool/third",
      "start pool/second",
      "end pool/second",
      "start pool/first",
      "end pool/first",
    ]);
  });

  it("is concurrent when asked: every sibling starts before any ends, and a subtree still ends before its parent", async () => {
    const events: string[] = [];
    const running = program(events, "concurrent");
    running.signal("SIGTERM");
    assert.equal((await running).exitCode, 143);
    const settled = running.events.filter((e) => e.event === "settle").map((e) => e.path);
    // The root's four children start their teardown together; server waits for its pool.
    assert.deepEqual(events.slice(0, 6).sort(), [
      "start first",
      "start pool/first",
      "start pool/second",
      "start pool/third",
      "start second",
      "start third",
    ]);
    assert.deepEqual(events.slice(6).sort(), [
      "end first",
      "end pool/first",
      "end pool/second",
      "end pool/third",
      "end second",
      "end third",
    ]);
    assert.ok(settled.indexOf("main/server/pool") < settled.indexOf("main/server"), settled.join(" "));
    assert.equal(settled.at(-1), "main");
  });
});

describe("join", () => {
  it("does not return until every child has finished and every cleanup has run", async () => {
    const events: string[] = [];
    const value = await run(function* () {
      const result = yield* group(function* (g) {
        g.spawn(function* () {
          yield* onTeardown(async () => {
            await tick();
            events.push("slow cleanup finished");
          });
          yield* sleep(5);
          events.push("slow child finished");
        });
        return "body value";
      });
      events.push(`group returned ${result}`);
      return result;
    });
    assert.equal(value, "body value");
    assert.deepEqual(events, ["slow child finished", "slow cleanup finished", "group returned body value"]);
  });

  it("gives a task's value to whoever waits for it, after its cleanups", async () => {
    const events: string[] = [];
    const value = await run(function* (g) {
      const task = g.spawn(function* () {
        yield* onTeardown(() => {
          events.push("cleanup");
        });
        return 42;
      });
      const result = yield* task;
      events.push(`got ${result}`);
      return result;
    });
    assert.equal(value, 42);
    assert.deepEqual(events, ["cleanup", "got 42"]);
  });
});

describe("registering a cleanup is not a halt point", () => {
  it("keeps the cleanup of a start()ed child that registers it right after ready(), when the parent halts at once", async () => {
    const events: string[] = [];
    await run(function* (g) {
      yield* g.start(
        function* (ready) {
          ready(undefined);
          yield* onTeardown(() => {
            events.push("child cleanup");
          });
          yield* suspend();
        },
        { name: "child" },
      );
      events.push("start returned");
      yield* g.halt();
    });
    assert.deepEqual(events, ["start returned", "child cleanup"]);
  });

  it("keeps the cleanup of a group body that registers it right after waking a parent that halts the group", async () => {
    const events: string[] = [];
    await run(function* (root) {
      const opened = withResolvers<Group>();
      root.spawn(
        function* () {
          yield* group(
            function* (g) {
              opened.resolve(g);
              yield* onTeardown(() => {
                events.push("body cleanup");
              });
              yield* suspend();
            },
            { name: "inner" },
          );
        },
        { name: "owner" },
      );
      const inner = yield* opened.operation;
      yield* inner.halt();
      events.push("halt returned");
    });
    assert.deepEqual(events, ["body cleanup", "halt returned"]);
  });
});
