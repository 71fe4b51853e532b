// Misuse fails where it is written: serve(), mount() and fromFetch() check
// the handler and the options at the call; a handler that returns no
// operation fails its request (a 500, reported to onError) with the same
// kind of message. The casts write what TypeScript would reject.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { suspend } from "effection";
import { run } from "unwind";
import {
  fromFetch,
  type HttpServer,
  mount,
  type RequestHandler,
  type ServeOptions,
  serve,
} from "unwind/http";
import { replied, send } from "../helpers/http-client.ts";
import { loose, PROMISES, TIMER_LIMIT } from "../helpers/misuse.ts";
import { thrown } from "../helpers/thrown.ts";

const hello: RequestHandler = function* (_req, res) {
  res.end("hello\n");
};

describe("serve(handler, options) at the call", () => {
  it("rejects a handler that is not a generator function: async, missing, an operation", () => {
    assert.deepEqual(
      [
        thrown(() => serve(loose(async function handle() {}))),
        thrown(() => serve(loose(undefined))),
        thrown(() => serve(loose(hello(loose({}), loose({}))))),
      ],
      [
        `TypeError: serve(): handler must be a generator function (function* (req, res) { ... }), got an async function (handle); ${PROMISES}`,
        "TypeError: serve(): handler must be a generator function (function* (req, res) { ... }), got undefined",
        "TypeError: serve(): handler must be a generator function (function* (req, res) { ... }), got an operation (a generator object, the result of calling a generator function); pass a function that makes it: serve(function* (req, res) { ... })",
      ],
    );
  });

  it("says it got a string when the port comes straight from process.env", () => {
    assert.deepEqual(
      [
        thrown(() => serve(hello, { port: loose("8080") })),
        thrown(() => serve(hello, { port: 70_000 })),
        thrown(() => serve(hello, { port: 80.5 })),
      ],
      [
        'TypeError: serve(): options.port must be an integer from 0 to 65535, got a string ("8080"); convert it first: Number("8080")',
        "RangeError: serve(): options.port must be an integer from 0 to 65535, got 70000",
        "RangeError: serve(): options.port must be an integer from 0 to 65535, got 80.5",
      ],
    );
  });

  it("rejects each option that is not what it says", () => {
    const cases: ServeOptions[] = [
      { host: "" },
      { server: loose("keepAlive") },
      { drainTimeout: 2 ** 31 },
      { drainTimeout: -1 },
      { readinessPath: "ready" },
      { readinessPath: loose(true) },
      { onError: loose("log") },
      { onDrain: loose(1) },
      { name: "api/v1" },
    ];
    assert.deepEqual(
      [
        ...cases.map((options) => thrown(() => serve(hello, options))),
        thrown(() => serve(hello, loose(8080))),
      ],
      [
        'RangeError: serve(): options.host must be a non-empty string, got a string ("")',
        'TypeError: serve(): options.server must be an object, got a string ("keepAlive")',
        `RangeError: serve(): options.drainTimeout must be at most ${TIMER_LIMIT}, got 2147483648`,
        "RangeError: serve(): options.drainTimeout must be a number of milliseconds >= 0, got -1",
        'RangeError: serve(): options.readinessPath must start with "/", got a string ("ready")',
        'TypeError: serve(): options.readinessPath must start with "/", got true',
        'TypeError: serve(): options.onError must be a function, got a string ("log")',
        "TypeError: serve(): options.onDrain must be a function, got 1",
        'RangeError: serve(): options.name must be a non-empty string without "/", got a string ("api/v1"); "/" separates the names in a task path',
        "TypeError: serve(): options must be an object such as { port: 8080 }, got 8080",
      ],
    );
  });
});

describe("mount(handler, options) and fromFetch(handler) at the call", () => {
  it("mount() checks the handler and the request options", () => {
    assert.deepEqual(
      [
        thrown(() => mount(loose(async () => {}))),
        thrown(() => mount(hello, { drainTimeout: loose("5s") })),
        thrown(() => mount(hello, loose(null))),
      ],
      [
        `TypeError: mount(): handler must be a generator function (function* (req, res) { ... }), got an async function; ${PROMISES}`,
        'TypeError: mount(): options.drainTimeout must be a number of milliseconds >= 0, got a string ("5s"); convert it with Number()',
        "TypeError: mount(): options must be an object such as { drainTimeout: 20_000 }, got null",
      ],
    );
  });

  it("fromFetch() rejects an async fetch handler and a missing one", () => {
    assert.deepEqual(
      [
        thrown(() => fromFetch(loose(async (_request: Request) => new Response("hi")))),
        thrown(() => fromFetch(loose(42))),
      ],
      [
        `TypeError: fromFetch(): handler must be a generator function (function* (request) { ... }), got an async function; ${PROMISES}`,
        "TypeError: fromFetch(): handler must be a generator function (function* (request) { ... }), got 42",
      ],
    );
  });
});

describe("a handler that returns no operation, when a request runs it", () => {
  /** Serves `handler` until `use` is done; returns what onError received. */
  async function serving(handler: RequestHandler, use: (server: HttpServer) => Promise<void>) {
    const reports: string[] = [];
    let listening!: (server: HttpServer) => void;
    const up = new Promise<HttpServer>((resolve) => {
      listening = resolve;
    });
    const root = run(function* () {
      listening(
        yield* serve(handler, {
          onError: (error, info) =>
            reports.push(`${info.phase} ${(error as Error).name}: ${(error as Error).message}`),
        }),
      );
      yield* suspend();
    });
    try {
      await use(await up);
    } finally {
      await root.halt();
    }
    return reports;
  }

  it("answers 500 and reports that a plain handler returned undefined", async () => {
    const statuses: number[] = [];
    const reports = await serving(
      loose(function plain() {}),
      async (server) => {
        statuses.push(replied(await send(`${server.url}/`)).status);
      },
    );
    assert.deepEqual(statuses, [500]);
    assert.deepEqual(reports, [
      "run TypeError: serve(): handler (plain) returned undefined instead of an operation; make it a generator function (function* () { ... }) or return the operation (() => worker())",
    ]);
  });

  it("answers 500 and reports that a fetch handler returned a Promise", async () => {
    const statuses: number[] = [];
    const handler = fromFetch(loose((_request: Request) => Promise.resolve(new Response("hi"))));
    const reports = await serving(handler, async (server) => {
      statuses.push(replied(await send(`${server.url}/`)).status);
    });
    assert.deepEqual(statuses, [500]);
    assert.deepEqual(reports, [
      `run TypeError: fromFetch(): handler returned a Promise instead of an operation (an async function?); ${PROMISES}`,
    ]);
  });
});
