// internalGroup() is group() for unwind's own operations (mapLimit,
// serveJobs, the servers of "unwind/http"); not exported from the package.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { suspend, until } from "effection";
import { run } from "unwind";
import { internalGroup } from "../../src/core/group.ts";

describe("internalGroup()", () => {
  it("runs its drain at the start of the teardown, before any child is halted, and takes only one", async () => {
    const events: string[] = [];
    let second: unknown;
    const root = run(function* () {
      yield* internalGroup(function* (g) {
        g.spawn(
          function* () {
            try {
              yield* suspend();
            } finally {
              events.push("child halted");
            }
          },
          { name: "child" },
        );
        g.drainChildrenFirst(() => until(Promise.resolve().then(() => void events.push("drained"))));
        try {
          g.drainChildrenFirst(() => until(Promise.resolve()));
        } catch (error) {
          second = error;
        }
        yield* suspend();
      });
    });
    await new Promise((resolve) => setImmediate(resolve));
    await root.halt();
    assert.deepEqual(events, ["drained", "child halted"]);
    assert.match(String(second), /group main already has a drain/);
  });
});
