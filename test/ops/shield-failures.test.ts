// A shielded operation that fails while its caller is being halted has
// nobody left to throw to: its error is a teardown failure of the task (or
// group body) that called shield(), with that one's path, in the GroupError.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Operation, sleep, suspend, withResolvers } from "effection";
import { type GroupError, group, run, shield } from "unwind";
import { groupErrorOf } from "../helpers/thrown.ts";

function* flushThatFails(started: () => void): Operation<void> {
  started();
  yield* sleep(1);
  throw new Error("flush failed");
}

/** A promise resolved from inside the tree: the flush has started. */
function signalled(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

const summary = (error: GroupError) =>
  error.failures.map((f) => [f.path, f.phase, (f.error as Error).message, f.reason?.kind]);

describe("shield() failures during a halt", () => {
  it("make root.halt() and the root reject with a GroupError charged to main/<group>/<task>", async () => {
    const started = signalled();
    const root = run(function* () {
      yield* group(
        function* (g) {
          g.spawn(() => shield(flushThatFails(started.resolve)), { name: "task" });
          yield* suspend();
        },
        { name: "grp" },
      );
    });
    await started.promise;
    const halted = await groupErrorOf(root.halt());
    assert.deepEqual(summary(halted), [["main/grp/task", "teardown", "flush failed", "halted"]]);
    assert.equal(await groupErrorOf(root), halted);
  });

  it("are charged to the task, not to main, when a sibling's failure caused the teardown", async () => {
    const error = await groupErrorOf(
      run(function* () {
        yield* group(
          function* (g) {
            const started = withResolvers<void>();
            g.spawn(() => shield(flushThatFails(started.resolve)), { name: "task" });
            yield* started.operation;
            g.spawn(
              function* () {
                throw new Error("sibling failed");
              },
              { name: "sibling" },
            );
            yield* suspend();
          },
          { name: "grp" },
        );
      }),
    );
    assert.deepEqual(summary(error), [
      ["main/grp/sibling", "run", "sibling failed", undefined],
      ["main/grp/task", "teardown", "flush failed", "sibling-failed"],
    ]);
  });

  it("in the root's own body are charged to the root group", async () => {
    const started = signalled();
    const root = run(() => shield(flushThatFails(started.resolve)));
    await started.promise;
    assert.deepEqual(summary(await groupErrorOf(root.halt())), [
      ["main", "teardown", "flush failed", "halted"],
    ]);
  });

  it("are thrown to the caller as they are when nothing is being halted", async () => {
    const caught = await run(function* () {
      try {
        yield* shield(flushThatFails(() => {}));
        return "not reached";
      } catch (error) {
        return (error as Error).message;
      }
    });
    assert.equal(caught, "flush failed");
  });
});
