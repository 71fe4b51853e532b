// A root made inside a running task would belong to nobody: run() and
// main() refuse it while the task's code runs, and say what to use instead.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sleep, until } from "effection";
import { group, main, onTeardown, run } from "unwind";

const refusal =
  /^run\(\) was called inside a running unwind task: .* g\.spawn\(\(\) => work\(\)\) for a task, or yield\* group\(body\) for a nested group$/;

/** What calling `make()` does: the message of what it throws, or "made a root". */
function attempt(make: () => unknown): string {
  try {
    const made = make() as PromiseLike<unknown> & { halt?: () => Promise<void> };
    void made.halt?.();
    return "made a root";
  } catch (error) {
    return (error as Error).message;
  }
}

describe("run() inside a running task", () => {
  it("throws in a task's body, pointing to g.spawn() and group()", async () => {
    const seen = await run(function* (g) {
      const task = g.spawn(function* () {
        yield* sleep(1);
        return attempt(() => run(function* () {}));
      });
      return yield* task;
    });
    assert.match(seen ?? "", refusal);
  });

  it("throws in a group body", async () => {
    const seen = await run(function* () {
      return yield* group(function* () {
        return attempt(() => run(function* () {}));
      });
    });
    assert.match(seen ?? "", refusal);
  });

  it("throws in the synchronous part of a cleanup", async () => {
    const seen: string[] = [];
    await run(function* () {
      yield* onTeardown(() => {
        seen.push(attempt(() => run(function* () {})));
      });
    });
    assert.equal(seen.length, 1);
    assert.match(seen[0] ?? "", refusal);
  });

  it("makes main() reject the same way", async () => {
    const seen = await run(function* (g) {
      return yield* g.spawn(function* () {
        try {
          yield* until(main(function* () {}, { exit: false }));
          return "main() ran";
        } catch (error) {
          return (error as Error).message;
        }
      });
    });
    assert.match(seen ?? "", /^main\(\) was called inside a running unwind task: /);
  });

  it("leaves run() outside any task alone, also in a callback of a root that ended", async () => {
    assert.equal(
      await run(function* () {
        return "outside";
      }),
      "outside",
    );
    const second = await run(function* () {}).then(() =>
      run(function* () {
        return "second";
      }),
    );
    assert.equal(second, "second");
  });

  it("is not caught from an async callback inside a task (documented)", async () => {
    const seen = await run(function* (g) {
      const made = new Promise<string>((resolve) =>
        setImmediate(() => resolve(attempt(() => run(function* () {})))),
      );
      return yield* g.spawn(function* () {
        return yield* until(made);
      });
    });
    assert.equal(seen, "made a root");
  });
});
