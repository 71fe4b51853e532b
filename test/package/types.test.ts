// The types of the inference-heavy API, pinned with expect-type: what
// g.spawn, g.start<R>, group, withTimeout, moveOnAfter, run (Root<T>), main
// (MainOutcome<T> and its narrowing) and serve's handlers infer, and which
// misuse the compiler rejects (`@ts-expect-error`). The checks are types
// only: `npm run typecheck` checks this file, and the test at the bottom
// type-checks it again under `npm test`. The functions are never called.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type Operation, sleep, suspend, until } from "effection";
import { expectTypeOf } from "expect-type";
import {
  type Group,
  type GroupError,
  group,
  type MainOutcome,
  main,
  moveOnAfter,
  onTeardown,
  type Root,
  run,
  type TaskHandle,
  type TaskTree,
  withTimeout,
} from "unwind";
import {
  type FetchHandler,
  fromFetch,
  type HttpServer,
  type MountedHandler,
  mount,
  type RequestHandler,
  serve,
} from "unwind/http";
import { typeCheck } from "../helpers/type-check.ts";

function* worker(): Operation<number> {
  yield* sleep(1);
  return 1;
}

export function* groupTypes(): Operation<void> {
  // group() returns the body's value.
  expectTypeOf(
    group(function* () {
      return "done" as const;
    }),
  ).toEqualTypeOf<Operation<"done">>();

  yield* group(function* (g) {
    expectTypeOf(g).toEqualTypeOf<Group>();

    // g.spawn: a handle typed by what the operation returns.
    const handle = g.spawn(worker, { name: "worker" });
    expectTypeOf(handle).toEqualTypeOf<TaskHandle<number>>();
    expectTypeOf(handle).toExtend<Operation<number>>();
    expectTypeOf(yield* handle).toEqualTypeOf<number>();
    expectTypeOf(handle.halt()).toEqualTypeOf<Operation<void>>();
    expectTypeOf(handle.path).toEqualTypeOf<string>();

    // g.start<R>: the value given to ready().
    const port = yield* g.start<number>(function* (ready) {
      expectTypeOf(ready).toEqualTypeOf<(value: number) => void>();
      ready(8080);
      yield* suspend();
    });
    expectTypeOf(port).toEqualTypeOf<number>();
    // Or inferred from ready's annotation; without either, R is unknown.
    const name = yield* g.start(function* (ready: (value: string) => void) {
      ready("listener");
    });
    expectTypeOf(name).toEqualTypeOf<string>();
    const untyped = yield* g.start(function* (ready) {
      ready(1);
    });
    expectTypeOf(untyped).toEqualTypeOf<unknown>();

    yield* g.start<number>(function* (ready) {
      // @ts-expect-error ready() takes the R of g.start<R>
      ready("8080");
    });
    // @ts-expect-error an operation is not a function that makes one: g.spawn(() => worker())
    g.spawn(worker());
    // @ts-expect-error an async function makes a Promise, not an operation
    g.spawn(async () => 1);
  });

  // @ts-expect-error teardown is "serial" or "concurrent"
  yield* group(function* () {}, { teardown: "parallel" });
  // @ts-expect-error a cleanup is a plain or async function, not a generator function
  yield* onTeardown(function* () {});
}

export function* timeoutTypes(): Operation<void> {
  expectTypeOf(withTimeout(1_000, worker())).toEqualTypeOf<Operation<number>>();
  expectTypeOf(withTimeout(1_000, sleep(10))).toEqualTypeOf<Operation<void>>();
  // moveOnAfter adds `undefined`: the time may run out.
  expectTypeOf(moveOnAfter(1_000, worker())).toEqualTypeOf<Operation<number | undefined>>();
  expectTypeOf(yield* moveOnAfter(1_000, until(Promise.resolve("page")))).toEqualTypeOf<string | undefined>();
  // @ts-expect-error a function is not an operation: withTimeout(ms, worker())
  withTimeout(1_000, worker);
  // @ts-expect-error a Promise is not an operation: until(promise)
  withTimeout(1_000, Promise.resolve(1));
}

export async function rootTypes(): Promise<void> {
  const root = run(function* () {
    return "done";
  });
  expectTypeOf(root).toEqualTypeOf<Root<string>>();
  // A root that was halted resolves with undefined.
  expectTypeOf(root).toExtend<PromiseLike<string | undefined>>();
  expectTypeOf(await root).toEqualTypeOf<string | undefined>();
  expectTypeOf(root.halt()).toEqualTypeOf<Promise<void>>();
  expectTypeOf(root.inspect()).toEqualTypeOf<TaskTree | undefined>();
}

export async function mainTypes(): Promise<void> {
  const outcome = await main(
    function* () {
      return 42;
    },
    { exit: false },
  );
  expectTypeOf(outcome).toEqualTypeOf<MainOutcome<number>>();
  // @ts-expect-error only an "ok" outcome has a value
  outcome.value;
  if (outcome.status === "ok") {
    expectTypeOf(outcome.value).toEqualTypeOf<number>();
    expectTypeOf(outcome.exitCode).toEqualTypeOf<0>();
  } else if (outcome.status === "error") {
    expectTypeOf(outcome.error).toEqualTypeOf<GroupError>();
    expectTypeOf(outcome.exitCode).toEqualTypeOf<1>();
  } else if (outcome.status === "signal") {
    expectTypeOf(outcome.signal).toEqualTypeOf<NodeJS.Signals>();
    expectTypeOf(outcome.error).toEqualTypeOf<GroupError | undefined>();
  } else {
    expectTypeOf(outcome.status).toEqualTypeOf<"teardown-incomplete">();
    expectTypeOf(outcome.exitCode).toEqualTypeOf<124>();
    expectTypeOf(outcome.stuck).toEqualTypeOf<TaskTree | undefined>();
  }
  // @ts-expect-error signals are names Node knows
  await main(function* () {}, { signals: ["SIGTREM"] });
}

export function* httpTypes(): Operation<void> {
  const hello: RequestHandler = function* (req, res) {
    expectTypeOf(req).toEqualTypeOf<IncomingMessage>();
    expectTypeOf(res).toEqualTypeOf<ServerResponse>();
    res.end("hello\n");
  };
  expectTypeOf(serve).parameter(0).toEqualTypeOf<RequestHandler>();
  expectTypeOf(yield* serve(hello, { port: 8080 })).toEqualTypeOf<HttpServer>();
  expectTypeOf(yield* mount(hello)).toEqualTypeOf<MountedHandler>();
  const fetchStyle = fromFetch(function* (request) {
    expectTypeOf(request).toEqualTypeOf<Request>();
    return new Response("hi");
  });
  expectTypeOf(fetchStyle).toEqualTypeOf<RequestHandler>();
  expectTypeOf(fromFetch).parameter(0).toEqualTypeOf<FetchHandler>();

  // @ts-expect-error an async handler makes a Promise, not an operation
  yield* serve(async (_req, res) => {
    res.end();
  });
  // @ts-expect-error the port is a number (process.env gives strings)
  yield* serve(hello, { port: "8080" });
  // @ts-expect-error a fetch-style handler returns a Response
  fromFetch(function* () {
    return "hi";
  });
}

describe("the public types", () => {
  const file = fileURLToPath(import.meta.url);

  it("hold: this file type-checks under the project's options", () => {
    const problems = typeCheck([{ origin: "types.test.ts", code: readFileSync(file, "utf8"), path: file }]);
    assert.equal(problems.join("\n"), "");
  });

  it("are checked for real: a wrong expectation is reported", () => {
    const code = [
      'import { expectTypeOf } from "expect-type";',
      'import { withTimeout } from "unwind";',
      'import { sleep } from "effection";',
      "expectTypeOf(withTimeout(1, sleep(1))).toEqualTypeOf<string>();",
    ].join("\n");
    const problems = typeCheck([{ origin: "wrong", code }]);
    assert.equal(problems.length, 1);
    assert.match(problems[0] as string, /^wrong, line 4: /);
  });
});
