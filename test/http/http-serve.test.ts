import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { Agent } from "node:http";
import type { Socket } from "node:net";
import { describe, it, mock } from "node:test";
import { sleep, suspend, until as untilPromise } from "effection";
import {
  Channels,
  inspect,
  onTeardown,
  run,
  type TaskTree,
  type UnwindEvent,
  useCancelSignal,
  useTaskPath,
} from "unwind";
import { type RequestErrorInfo, type RequestHandler, serve } from "unwind/http";
import { replied, send, waitUntil } from "../helpers/http-client.ts";
import { serveInRoot } from "../helpers/serving.ts";

/** A handler that records its life into `events` and sleeps for `?ms=` (default 0). */
function recording(events: string[]): RequestHandler {
  return function* (req, res) {
    const url = req.url ?? "";
    events.push(`start ${url}`);
    const signal = yield* useCancelSignal();
    signal.addEventListener("abort", () =>
      events.push(`abort ${url} (${(signal.reason as { kind: string }).kind})`),
    );
    yield* onTeardown((reason) => {
      events.push(`cleanup ${url}${reason ? ` (${reason.kind})` : ""}`);
    });
    const ms = Number(new URL(url, "http://x").searchParams.get("ms") ?? 0);
    if (ms > 0) yield* sleep(ms);
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`done ${url}\n`);
    events.push(`end ${url}`);
  };
}

describe("serve(): one scope per request", () => {
  it("runs each request in its own scope, named by method, path and number", async () => {
    const paths: string[] = [];
    const { root, server } = await serveInRoot(function* (req, res) {
      paths.push(yield* useTaskPath());
      paths.push(...namesUnder(yield* inspect(), "main/http"));
      res.end(`hi ${req.url}`);
    });
    const reply = replied(await send(`${server.url}/users?token=secret`));
    assert.equal(reply.status, 200);
    assert.equal(reply.body, "hi /users?token=secret");
    // The query is left out of the name: it may hold secrets.
    assert.deepEqual(paths, ["main/http/GET /users #1", "main/http/GET /users #1"]);
    await root.halt();
  });

  it("gives a scope only to a handler that waits: one that answers at once runs on the request's own stack", async () => {
    const spawned: string[] = [];
    const onSpawn = (message: unknown) => {
      const { path } = message as UnwindEvent;
      if (path.startsWith("main/http/")) spawned.push(path);
    };
    subscribe(Channels.spawn, onSpawn);
    try {
      const { root, server } = await serveInRoot(function* (req, res) {
        if (req.url === "/wait") yield* sleep(1);
        res.end(`answered ${req.url}`);
      });
      assert.equal(replied(await send(`${server.url}/now`)).body, "answered /now");
      assert.equal(replied(await send(`${server.url}/wait`)).body, "answered /wait");
      await root.halt();
    } finally {
      unsubscribe(Channels.spawn, onSpawn);
    }
    assert.deepEqual(spawned, ["main/http/GET /wait #2"]);
  });

  it("goes on in the scope where the first step stopped: values, errors and cleanups reach the handler", async () => {
    const events: string[] = [];
    const { root, server } = await serveInRoot(function* (_req, res) {
      events.push("first step"); // runs before the scope exists
      const path = yield* useTaskPath(); // met in the scope
      yield* onTeardown(() => {
        events.push(`cleanup in ${path}`);
      });
      try {
        yield* untilPromise(Promise.reject(new Error("upstream failed")));
      } catch (error) {
        events.push(`caught: ${(error as Error).message}`);
      }
      res.end(String(yield* untilPromise(Promise.resolve(42))));
    });
    assert.equal(replied(await send(`${server.url}/`)).body, "42");
    await root.halt();
    assert.deepEqual(events, ["first step", "caught: upstream failed", "cleanup in main/http/GET / #1"]);
  });

  it("halts the scope of a client that goes away: its cancel signal aborts, then its cleanups run; the server keeps serving", async () => {
    const events: string[] = [];
    const { root, server } = await serveInRoot(recording(events));
    const gone = await send(`${server.url}/slow?ms=10000`, { abortAfterMs: 50 });
    assert.ok("error" in gone);
    await waitUntil(() => events.includes("cleanup /slow?ms=10000 (client-disconnected)"), "the cleanup");
    const next = replied(await send(`${server.url}/next`));
    assert.equal(next.status, 200);
    await root.halt();
    assert.deepEqual(events, [
      "start /slow?ms=10000",
      "abort /slow?ms=10000 (client-disconnected)",
      "cleanup /slow?ms=10000 (client-disconnected)",
      "start /next",
      "end /next",
      "cleanup /next",
    ]);
  });

  it("answers a handler error with a 500, reports it with the request, and other requests go on", async () => {
    const events: string[] = [];
    const reports: Array<[string, RequestErrorInfo]> = [];
    const handler = recording(events);
    const { root, server } = await serveInRoot(
      function* (req, res) {
        if (req.url?.startsWith("/boom")) throw new Error("boom");
        yield* handler(req, res);
      },
      { onError: (error, info) => reports.push([(error as Error).message, info]) },
    );
    const slow = send(`${server.url}/slow?ms=150`);
    await waitUntil(() => events.includes("start /slow?ms=150"), "the slow request to start");
    const boom = replied(await send(`${server.url}/boom?x=1`, { method: "POST", body: "payload" }));
    assert.equal(boom.status, 500);
    assert.equal(boom.body, "internal server error\n");
    assert.deepEqual(reports, [
      ["boom", { method: "POST", url: "/boom?x=1", path: "main/http/POST /boom #2", phase: "run" }],
    ]);
    const after = replied(await send(`${server.url}/after`));
    assert.equal(after.status, 200);
    assert.equal(replied(await slow).body, "done /slow?ms=150\n");
    await root.halt(); // the server's group did not fail: halt resolves
  });

  it("reports a handler that went on after its halt (a yield* inside a finally swallowed it), with its path", async () => {
    const events: string[] = [];
    const reports: Array<[string, RequestErrorInfo]> = [];
    // effection #1190: a yield* in the finally of a generator the handler
    // delegated to turns the halt into a normal return of that generator.
    function* inner() {
      try {
        yield* suspend();
      } finally {
        yield* sleep(1);
      }
    }
    const { root, server } = await serveInRoot(
      function* (_req, res) {
        events.push("start");
        yield* inner();
        events.push("went on after its halt");
        res.end("too late");
      },
      { onError: (error, info) => reports.push([(error as Error).message, info]) },
    );
    const gone = await send(`${server.url}/hold`, { abortAfterMs: 50 });
    assert.ok("error" in gone);
    await waitUntil(() => reports.length > 0, "the report");
    await root.halt();
    assert.deepEqual(events, ["start", "went on after its halt"]);
    assert.deepEqual(reports, [
      [
        "the body of main/http/GET /hold #1 went on after its halt: a yield* inside a finally swallowed it; use onTeardown() for asynchronous cleanup",
        { method: "GET", url: "/hold", path: "main/http/GET /hold #1", phase: "teardown" },
      ],
    ]);
  });

  it("cuts the connection when the handler fails after the headers were sent", async () => {
    const reports: string[] = [];
    const { root, server } = await serveInRoot(
      function* (_req, res) {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("half of it");
        yield* sleep(10);
        throw new Error("midway");
      },
      { onError: (error) => reports.push((error as Error).message) },
    );
    const outcome = await send(`${server.url}/`);
    // The client must not take half a body for a whole one.
    assert.ok("error" in outcome, `expected a cut connection, got ${JSON.stringify(outcome)}`);
    assert.deepEqual(reports, ["midway"]);
    await root.halt();
  });

  it("answers for a handler that returned without responding, and reports it", async () => {
    const reports: string[] = [];
    const { root, server } = await serveInRoot(function* () {}, {
      onError: (error, info) => reports.push(`${info.path}: ${(error as Error).message}`),
    });
    const reply = replied(await send(`${server.url}/forgot`));
    assert.equal(reply.status, 500);
    assert.deepEqual(reports, ["main/http/GET /forgot #1: the handler returned without sending a response"]);
    await root.halt();
  });

  it("reports a cleanup that throws (phase teardown) without failing the server", async () => {
    const reports: string[] = [];
    const { root, server } = await serveInRoot(
      function* (_req, res) {
        yield* onTeardown(() => {
          throw new Error("cleanup broke");
        });
        res.end("ok");
      },
      { onError: (error, info) => reports.push(`${info.phase}: ${(error as Error).message}`) },
    );
    assert.equal(replied(await send(`${server.url}/`)).status, 200);
    await waitUntil(() => reports.length === 1, "the report");
    assert.equal(replied(await send(`${server.url}/`)).status, 200);
    await root.halt();
    assert.deepEqual(reports, ["teardown: cleanup broke", "teardown: cleanup broke"]);
  });

  it("prints errors to stderr with the request when no onError is given", async () => {
    const written: string[] = [];
    const write = mock.method(process.stderr, "write", (chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const { root, server } = await serveInRoot(function* () {
        throw new Error("no handler for this");
      });
      assert.equal(replied(await send(`${server.url}/x?y=1`)).status, 500);
      await root.halt();
    } finally {
      write.mock.restore();
    }
    const text = written.join("");
    assert.match(text, /^main\/http\/GET \/x #1: GET \/x\?y=1 failed: Error: no handler for this/m);
  });
});

describe("serve(): drain", () => {
  it("drains when its scope is halted: idle connections close, new ones are refused, in-flight requests finish with Connection: close", async () => {
    const events: string[] = [];
    const { root, server } = await serveInRoot(recording(events), {
      onDrain: ({ inFlight }) => events.push(`drain began, ${inFlight} in flight`),
    });
    const agent = new Agent({ keepAlive: true });
    // One keep-alive connection left idle before the drain.
    assert.equal(replied(await send(`${server.url}/warm`, { agent })).status, 200);
    const idle = [...Object.values(agent.freeSockets)].flat()[0] as Socket | undefined;
    assert.ok(idle, "a free keep-alive socket");
    idle.on("close", () => events.push("idle connection closed"));

    const inflight = send(`${server.url}/slow?ms=200`);
    await waitUntil(() => events.includes("start /slow?ms=200"), "the slow request to start");
    const halted = root.halt().then(() => events.push("root halted"));
    await waitUntil(() => server.draining, "the drain");
    const refused = await send(`${server.url}/late`);
    const reply = replied(await inflight);
    await halted;
    agent.destroy();

    assert.deepEqual(refused, { error: "ECONNREFUSED" });
    assert.equal(reply.status, 200);
    assert.equal(reply.body, "done /slow?ms=200\n");
    assert.equal(reply.headers.connection, "close");
    assert.deepEqual(events, [
      "start /warm",
      "end /warm",
      "cleanup /warm",
      "start /slow?ms=200",
      "drain began, 1 in flight",
      "idle connection closed",
      "end /slow?ms=200",
      "cleanup /slow?ms=200",
      "root halted",
    ]);
  });

  it("halts what is still in flight after drainTimeout: a 503 with Connection: close, cleanups see the timeout", async () => {
    const events: string[] = [];
    const { root, server } = await serveInRoot(recording(events), { drainTimeout: 100 });
    const stuck = send(`${server.url}/stuck?ms=60000`);
    await waitUntil(() => events.length === 1, "the request to start");
    await root.halt();
    const reply = replied(await stuck);
    assert.equal(reply.status, 503);
    assert.equal(reply.headers.connection, "close");
    assert.equal(reply.headers["retry-after"], "1");
    assert.deepEqual(events, [
      "start /stuck?ms=60000",
      "abort /stuck?ms=60000 (timeout)",
      "cleanup /stuck?ms=60000 (timeout)",
    ]);
  });

  it("cuts a response already started when drainTimeout runs out", async () => {
    const { root, server } = await serveInRoot(
      function* (_req, res) {
        res.writeHead(200);
        res.write("streaming");
        yield* suspend();
      },
      { drainTimeout: 50 },
    );
    const streaming = send(`${server.url}/stream`);
    await waitUntil(() => server.inFlight === 1, "the request to start");
    await root.halt();
    assert.ok("error" in (await streaming));
  });

  it("server.drain() returns once the in-flight requests are done", async () => {
    const events: string[] = [];
    const { root, server } = await serveInRoot(recording(events));
    const inflight = send(`${server.url}/slow?ms=100`);
    await waitUntil(() => events.length === 1, "the request to start");
    const drained = run(function* () {
      yield* server.drain();
      events.push("drained");
    });
    await drained;
    assert.equal(server.draining, true);
    assert.equal(server.inFlight, 0);
    assert.equal(replied(await inflight).status, 200);
    await root.halt();
    assert.deepEqual(events, ["start /slow?ms=100", "end /slow?ms=100", "cleanup /slow?ms=100", "drained"]);
  });

  it("answers the readiness path with 200 while serving, without a request scope", async () => {
    let scopes = 0;
    const { root, server } = await serveInRoot(
      function* (_req, res) {
        scopes++;
        res.end();
      },
      { readinessPath: "/ready" },
    );
    const ready = replied(await send(`${server.url}/ready`));
    assert.deepEqual([ready.status, ready.body, scopes], [200, "ready\n", 0]);
    await root.halt();
  });
});

describe("serve(): options and errors", () => {
  it("rejects bad options where they are written", () => {
    const noop: RequestHandler = function* () {};
    assert.throws(() => serve(noop, { port: 70_000 }), /port must be an integer from 0 to 65535, got 70000/);
    assert.throws(
      () => serve(noop, { drainTimeout: -1 }),
      /drainTimeout must be a number of milliseconds >= 0/,
    );
    assert.throws(() => serve(noop, { readinessPath: "ready" }), /readinessPath must start with "\/"/);
    assert.throws(() => serve(noop, { name: "a/b" }), /name must be a non-empty string without "\/"/);
    assert.throws(() => serve("nope" as unknown as RequestHandler), /handler must be a generator function/);
    assert.throws(() => serve(noop, { onDrain: 1 as unknown as () => void }), /onDrain must be a function/);
  });

  it("fails with the listen error when the port is taken", async () => {
    const { root, server } = await serveInRoot(function* (_req, res) {
      res.end();
    });
    const second = run(function* () {
      yield* serve(function* () {}, { port: server.port });
    });
    await assert.rejects(
      Promise.resolve(second),
      (error: Error) => error.name === "GroupError" && /EADDRINUSE/.test(String(error.message)),
    );
    await root.halt();
  });
});

/** Paths of the nodes right under the node at `path`. */
function namesUnder(tree: TaskTree, path: string): string[] {
  if (tree.path === path) return tree.children.map((child) => child.path);
  return tree.children.flatMap((child) => namesUnder(child, path));
}
