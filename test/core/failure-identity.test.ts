// Every failure is kept: a failure is the record made where the error
// happened, not its value. Only one failure reaching a group by two routes
// is merged.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sleep, suspend } from "effection";
import { group, onTeardown, run, type TaskHandle } from "unwind";
import { groupErrorOf } from "../helpers/thrown.ts";

const shared = new Error("shared");
const equalValues: Array<[string, unknown]> = [
  ['the string "boom"', "boom"],
  ["undefined", undefined],
  ["0", 0],
  ["one shared Error object", shared],
];

describe("equal thrown values are separate failures", () => {
  for (const [what, value] of equalValues) {
    it(`keeps both failures when two tasks throw ${what}`, async () => {
      const error = await groupErrorOf(
        run(function* (g) {
          g.spawn(
            function* () {
              yield* sleep(1);
              throw value;
            },
            { name: "a" },
          );
          // Halted by a's failure, it fails too, with the same value.
          g.spawn(
            function* () {
              try {
                yield* suspend();
              } finally {
                // biome-ignore lint/correctness/noUnsafeFinally: the behaviour under test
                throw value;
              }
            },
            { name: "b" },
          );
          yield* suspend();
        }),
      );
      assert.deepEqual(
        error.failures.map((f) => [f.path, f.phase, f.error]),
        [
          ["main/a", "run", value],
          ["main/b", "teardown", value],
        ],
      );
      assert.deepEqual(error.errors, [value, value]);
    });

    it(`keeps both under policy: "supervise" when two tasks throw ${what}, and calls onError for each`, async () => {
      const reported: string[] = [];
      const error = await groupErrorOf(
        run(
          function* (g) {
            g.spawn(
              function* () {
                throw value;
              },
              { name: "a" },
            );
            g.spawn(
              function* () {
                yield* sleep(1);
                throw value;
              },
              { name: "b" },
            );
          },
          {
            policy: "supervise",
            onError: (thrown, task) => reported.push(`${task.path} ${String(thrown === value)}`),
          },
        ),
      );
      assert.deepEqual(reported, ["main/a true", "main/b true"]);
      assert.deepEqual(
        error.failures.map((f) => f.path),
        ["main/a", "main/b"],
      );
    });
  }

  it("keeps the same value thrown in two nested groups, each with its own path", async () => {
    const error = await groupErrorOf(
      run(
        function* (g) {
          for (const name of ["left", "right"]) {
            g.spawn(
              function* () {
                yield* group(
                  function* (inner) {
                    inner.spawn(
                      function* () {
                        throw shared;
                      },
                      { name: "leaf" },
                    );
                  },
                  { name: "inner" },
                );
              },
              { name },
            );
          }
        },
        { policy: "supervise" },
      ),
    );
    assert.deepEqual(
      error.failures.map((f) => [f.path, f.error]),
      [
        ["main/left/inner/leaf", shared],
        ["main/right/inner/leaf", shared],
      ],
    );
  });

  it("keeps a task's failure and a cleanup's failure with the same value", async () => {
    const error = await groupErrorOf(
      run(function* (g) {
        g.spawn(
          function* () {
            yield* onTeardownThrowing("boom");
            throw "boom";
          },
          { name: "a" },
        );
      }),
    );
    assert.deepEqual(
      error.failures.map((f) => [f.path, f.phase, f.error]),
      [
        ["main/a", "run", "boom"],
        ["main/a", "teardown", "boom"],
      ],
    );
  });
});

describe("one failure reaching a group twice is reported once", () => {
  it('merges a task that rethrows what `yield* handle` threw, even for "boom"', async () => {
    const events: string[] = [];
    const error = await groupErrorOf(
      run(
        function* (g) {
          const failing = g.spawn(
            function* () {
              yield* sleep(1);
              throw "boom";
            },
            { name: "failing" },
          );
          g.spawn(
            function* () {
              try {
                yield* failing;
              } catch (thrown) {
                events.push(`waiter caught ${String(thrown)}`);
                throw thrown;
              }
            },
            { name: "waiter" },
          );
          // A third task throwing the same value is a failure of its own.
          g.spawn(
            function* () {
              yield* sleep(1);
              throw "boom";
            },
            { name: "other" },
          );
        },
        { policy: "supervise" },
      ),
    );
    assert.deepEqual(
      error.failures.map((f) => f.path),
      ["main/failing", "main/other"],
    );
    assert.deepEqual(events, ["waiter caught boom"]);
  });

  it("merges it when the rethrow comes back up through a nested group's GroupError", async () => {
    let failing: TaskHandle<void> | undefined;
    const reported: string[] = [];
    const error = await groupErrorOf(
      run(
        function* (g) {
          failing = g.spawn(
            function* () {
              throw shared;
            },
            { name: "failing" },
          );
          g.spawn(
            function* () {
              yield* group(
                function* (inner) {
                  inner.spawn(
                    function* () {
                      yield* failing as TaskHandle<void>;
                    },
                    { name: "waiter" },
                  );
                },
                { name: "inner" },
              );
            },
            { name: "worker" },
          );
        },
        { policy: "supervise", onError: (_, task) => reported.push(task.path) },
      ),
    );
    assert.deepEqual(
      error.failures.map((f) => f.path),
      ["main/failing"],
    );
    assert.deepEqual(reported, ["main/failing"], "onError once: it is one failure");
  });

  it("merges it when a nested group halted from outside hands it to its owner", async () => {
    const error = await groupErrorOf(
      run(
        function* (g) {
          const failing = g.spawn(
            function* () {
              throw shared;
            },
            { name: "failing" },
          );
          const worker = g.spawn(
            function* () {
              yield* group(
                function* (inner) {
                  inner.spawn(
                    function* () {
                      yield* failing;
                    },
                    { name: "waiter" },
                  );
                  yield* suspend();
                },
                { name: "inner", policy: "supervise" },
              );
            },
            { name: "worker" },
          );
          yield* sleep(1);
          yield* worker.halt(); // inner cannot throw: it hands its failures to worker
        },
        { policy: "supervise" },
      ),
    );
    assert.deepEqual(
      error.failures.map((f) => f.path),
      ["main/failing"],
    );
  });
});

function onTeardownThrowing(value: unknown) {
  return onTeardown(() => {
    throw value;
  });
}
