// serve() at the edges of HTTP/1.1, over real sockets: pipelined requests,
// clients that leave, slow readers, write after end, upgraded connections,
// Expect: 100-continue, the accept backlog, request targets in absolute
// form, and the shutdown delay that main() runs before the drain.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { text } from "node:stream/consumers";
import { describe, it } from "node:test";
import { sleep, suspend, until } from "effection";
import { onTeardown, run, useTaskPath } from "unwind";
import { type MountedHandler, mount, type RequestHandler, serve } from "unwind/http";
import { type Drainable, useDrainables } from "../helpers/drainables.ts";
import { replied, send, waitUntil } from "../helpers/http-client.ts";
import { get, openRaw, openSlowReader } from "../helpers/raw-http.ts";
import { serveInRoot } from "../helpers/serving.ts";

/** Records start, end and cleanup (with the halt reason) of each request; sleeps for `?ms=`. */
function recording(events: string[]): RequestHandler {
  return function* (req, res) {
    const url = req.url ?? "";
    events.push(`start ${url}`);
    yield* onTeardown((reason) => {
      events.push(`cleanup ${url}${reason ? ` (${reason.kind})` : ""}`);
    });
    const ms = Number(new URL(url, "http://x").searchParams.get("ms") ?? 0);
    if (ms > 0) yield* sleep(ms);
    res.end(`done ${url}\n`);
    events.push(`end ${url}`);
  };
}

/** Status, body and Connection header of each response. */
const summary = (responses: { status: number; body: string; headers: Record<string, string> }[]) =>
  responses.map(({ status, body, headers }) => [status, body, headers.connection]);

describe("serve(): pipelined requests", () => {
  it("lets every request read before the drain finish; only the newest response closes the connection", async () => {
    const events: string[] = [];
    const { root, server } = await serveInRoot(recording(events));
    const raw = await openRaw(server.url);
    // Three requests in one write: Node reads them all and runs their
    // handlers at once; it sends the responses in order.
    raw.socket.write(get("/a?ms=150") + get("/b?ms=100") + get("/c?ms=50"));
    await waitUntil(() => events.length === 3, "the three handlers to start");
    await root.halt();
    const end = await raw.ended;
    assert.deepEqual(summary(end.responses), [
      [200, "done /a?ms=150\n", "keep-alive"],
      [200, "done /b?ms=100\n", "keep-alive"],
      [200, "done /c?ms=50\n", "close"],
    ]);
    assert.deepEqual([end.error, end.rest], [undefined, ""]);
    assert.deepEqual(events.slice(0, 3), ["start /a?ms=150", "start /b?ms=100", "start /c?ms=50"]);
    assert.deepEqual(events.filter((e) => e.startsWith("end ")).sort(), [
      "end /a?ms=150",
      "end /b?ms=100",
      "end /c?ms=50",
    ]);
  });

  it("answers each pipelined request halted at the drain deadline with a whole 503; only the newest closes", async () => {
    const events: string[] = [];
    const { root, server } = await serveInRoot(recording(events), { drainTimeout: 100 });
    const raw = await openRaw(server.url);
    raw.socket.write(get("/a?ms=60000") + get("/b?ms=60000") + get("/c?ms=60000"));
    await waitUntil(() => events.length === 3, "the three handlers to start");
    await root.halt();
    const end = await raw.ended;
    const shuttingDown = "the server is shutting down\n";
    assert.deepEqual(summary(end.responses), [
      [503, shuttingDown, "keep-alive"],
      [503, shuttingDown, "keep-alive"],
      [503, shuttingDown, "close"],
    ]);
    assert.deepEqual(
      end.responses.map((r) => r.headers["retry-after"]),
      ["1", "1", "1"],
    );
    assert.deepEqual([end.error, end.rest], [undefined, ""]);
    assert.deepEqual(events.slice(3).sort(), [
      "cleanup /a?ms=60000 (timeout)",
      "cleanup /b?ms=60000 (timeout)",
      "cleanup /c?ms=60000 (timeout)",
    ]);
  });

  it("halts every request of a connection whose client goes away, not only the first", async () => {
    const events: string[] = [];
    const { root, server } = await serveInRoot(recording(events));
    const raw = await openRaw(server.url);
    raw.socket.write(get("/a?ms=60000") + get("/b?ms=60000") + get("/c?ms=60000"));
    await waitUntil(() => events.length === 3, "the three handlers to start");
    raw.socket.destroy();
    await waitUntil(() => events.length === 6, "the three cleanups");
    assert.deepEqual(events.slice(3).sort(), [
      "cleanup /a?ms=60000 (client-disconnected)",
      "cleanup /b?ms=60000 (client-disconnected)",
      "cleanup /c?ms=60000 (client-disconnected)",
    ]);
    assert.equal(server.inFlight, 0);
    await root.halt();
  });
});

describe("serve(): responses still being sent", () => {
  const size = 8 * 1024 * 1024;

  it("keeps a response that ended but is still flushing to a slow reader in flight until its last byte is out", async () => {
    const events: string[] = [];
    let response: ServerResponse | undefined;
    const { root, server } = await serveInRoot(
      function* (_req, res) {
        res.end(Buffer.alloc(size, "x")); // answered at once: no request scope
        response = res;
        events.push("handler answered");
      },
      {
        onDrain: ({ inFlight }) => {
          const flushing = response?.writableEnded === true && !response.writableFinished;
          events.push(
            `drain began, ${inFlight} in flight, response ${flushing ? "flushing" : "not flushing"}`,
          );
        },
      },
    );
    const reader = await openSlowReader(server.url, "/big");
    await waitUntil(() => events.length === 1, "the handler");
    const halted = root.halt().then(() => events.push("root halted"));
    await waitUntil(() => server.draining, "the drain");
    events.push("reader reads");
    reader.socket.resume();
    await reader.closed;
    await halted;
    assert.equal(reader.bodyBytes, size, "the whole body arrived");
    assert.deepEqual(events, [
      "handler answered",
      "drain began, 0 in flight, response flushing",
      "reader reads",
      "root halted",
    ]);
  });

  it("cuts a response still flushing when drainTimeout runs out", async () => {
    let answered = false;
    const { root, server } = await serveInRoot(
      function* (_req, res) {
        res.end(Buffer.alloc(size, "x"));
        answered = true;
      },
      { drainTimeout: 100 },
    );
    const reader = await openSlowReader(server.url, "/big");
    await waitUntil(() => answered, "the handler");
    await root.halt(); // the reader never reads: the drain gives up after 100 ms
    reader.socket.resume();
    await reader.closed;
    assert.ok(reader.bodyBytes < size, `${reader.bodyBytes} of ${size} bytes`);
  });
});

describe("serve(): errors after the response", () => {
  it("reports a write after end as the request's error, with its path and phase, and keeps serving", async () => {
    const reports: string[] = [];
    const { root, server } = await serveInRoot(
      function* (req, res) {
        if (req.url === "/later") yield* sleep(1); // this one in a request scope
        res.end("first\n");
        res.end("second\n");
      },
      {
        onError: (error, info) =>
          reports.push(`${info.path} (${info.phase}): ${(error as NodeJS.ErrnoException).code}`),
      },
    );
    assert.equal(replied(await send(`${server.url}/now`)).body, "first\n");
    assert.equal(replied(await send(`${server.url}/later`)).body, "first\n");
    await waitUntil(() => reports.length === 2, "the two reports");
    assert.equal(replied(await send(`${server.url}/now`)).status, 200);
    await root.halt();
    assert.deepEqual(reports.slice(0, 2), [
      "main/http/GET /now #1 (run): ERR_STREAM_WRITE_AFTER_END",
      "main/http/GET /later #2 (run): ERR_STREAM_WRITE_AFTER_END",
    ]);
  });
});

describe("serve(): upgraded connections", () => {
  it("lets the drain wait for requests, not for an upgraded connection, and closes that one at the end", async () => {
    const events: string[] = [];
    let upgradedSocket: Socket | undefined;
    const handler = recording(events);
    const { root, server } = await serveInRoot(
      function* (req, res) {
        yield* handler(req, res);
        events.push(`upgraded connection open: ${upgradedSocket?.destroyed === false}`);
      },
      { onDrain: ({ inFlight }) => events.push(`drain began, ${inFlight} in flight`) },
    );
    server.server.on("upgrade", (_req, socket: Socket) => {
      upgradedSocket = socket;
      socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n");
      socket.on("data", (data) => socket.write(data));
    });
    const upgraded = await openRaw(server.url);
    upgraded.socket.write(get("/ws", "Upgrade: echo", "Connection: Upgrade"));
    await waitUntil(() => upgraded.responses.length === 1, "the 101");
    const work = send(`${server.url}/work?ms=200`);
    await waitUntil(() => events.length === 1, "the request to start");
    await root.halt(); // with the upgraded connection open, this used to wait forever
    events.push(`root halted, upgraded connection open: ${upgradedSocket?.destroyed === false}`);
    await upgraded.ended;
    assert.equal(replied(await work).status, 200);
    assert.equal(upgraded.responses[0]?.status, 101);
    assert.deepEqual(events, [
      "start /work?ms=200",
      "drain began, 1 in flight",
      "end /work?ms=200",
      "upgraded connection open: true",
      "cleanup /work?ms=200",
      "root halted, upgraded connection open: false",
    ]);
  });

  it("lets onDrain say goodbye to an upgraded connection before the server destroys it", async () => {
    const events: string[] = [];
    const upgradedSockets = new Set<Socket>();
    const { root, server } = await serveInRoot(
      function* (_req, res) {
        res.end();
      },
      {
        // The drain's first moment: a WebSocket server would send its close frame here.
        onDrain: () => {
          events.push(`saying goodbye to ${upgradedSockets.size}`);
          for (const socket of upgradedSockets) socket.end("goodbye\n");
        },
      },
    );
    server.server.on("upgrade", (_req, socket: Socket) => {
      upgradedSockets.add(socket);
      socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n");
    });
    const upgraded = await openRaw(server.url);
    upgraded.socket.write(get("/ws", "Upgrade: echo", "Connection: Upgrade"));
    await waitUntil(() => upgraded.responses.length === 1, "the 101");
    await root.halt();
    events.push("root halted");
    const end = await upgraded.ended;
    assert.deepEqual([end.responses[0]?.status, end.rest, end.error], [101, "goodbye\n", undefined]);
    assert.deepEqual(events, ["saying goodbye to 1", "root halted"]);
  });

  it("closes a connection that never sent a whole request head (slowloris) when its scope ends", async () => {
    const { root, server } = await serveInRoot(function* (_req, res) {
      res.end();
    });
    const accepted = once(server.server, "connection");
    const slow = await openRaw(server.url);
    slow.socket.write("GET / HTTP/1.1\r\nHo");
    await accepted;
    await root.halt();
    const end = await slow.ended;
    assert.deepEqual(end.responses, []);
  });
});

describe("serve(): Expect: 100-continue", () => {
  const post = (path: string) =>
    [`POST ${path} HTTP/1.1`, "Host: test", "Content-Length: 5", "Expect: 100-continue", "", ""].join("\r\n");

  it("says 100 Continue while serving, then runs the handler on the body", async () => {
    const { root, server } = await serveInRoot(function* (req, res) {
      res.end(`got ${yield* until(text(req))}\n`);
    });
    const raw = await openRaw(server.url);
    raw.socket.write(post("/upload"));
    await waitUntil(() => raw.responses.length === 1, "the 100 Continue");
    raw.socket.write("hello");
    await waitUntil(() => raw.responses.length === 2, "the answer");
    assert.deepEqual(
      raw.responses.map((r) => [r.status, r.body]),
      [
        [100, ""],
        [200, "got hello\n"],
      ],
    );
    raw.socket.destroy();
    await root.halt();
  });

  it("answers 503 at once during the drain: the client never uploads its body", async () => {
    const events: string[] = [];
    const { root, server } = await serveInRoot(recording(events));
    const raw = await openRaw(server.url); // opened before the drain, idle
    const work = send(`${server.url}/work?ms=300`); // keeps the drain going
    await waitUntil(() => events.length === 1, "the request to start");
    const halted = root.halt();
    await waitUntil(() => server.draining, "the drain");
    raw.socket.write(post("/upload"));
    const end = await raw.ended;
    await halted;
    assert.deepEqual(summary(end.responses), [[503, "the server is shutting down\n", "close"]]);
    assert.equal(replied(await work).status, 200);
    assert.deepEqual(events, ["start /work?ms=300", "end /work?ms=300", "cleanup /work?ms=300"]);
  });
});

describe("serve(): the accept backlog at the drain's start", () => {
  it("resets connections the kernel accepted but Node had not picked up yet; refuses later ones", async () => {
    const { root, server, drainable } = await serveInRoot(function* (_req, res) {
      res.end("ok\n");
    });
    const outcomes: Promise<string>[] = [];
    for (let i = 0; i < 3; i++) {
      const socket = connect(server.port, "127.0.0.1");
      socket.on("connect", () => socket.write(get("/")));
      outcomes.push(
        new Promise((resolve) => {
          socket.on("data", (chunk: Buffer) => resolve(chunk.toString("latin1").split("\r\n")[0] ?? ""));
          socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
        }),
      );
    }
    // net.connect() connects on the next tick; once it has, the kernel has
    // completed the handshakes (loopback) and queued the connections for
    // accept(), which Node only calls when the event loop polls again.
    await new Promise((resolve) => process.nextTick(resolve));
    void drainable.beginDrain(); // stops listening before that
    assert.deepEqual(await Promise.all(outcomes), ["ECONNRESET", "ECONNRESET", "ECONNRESET"]);
    assert.deepEqual(await send(`${server.url}/`), { error: "ECONNREFUSED" });
    await root.halt();
  });
});

describe("serve(): request targets", () => {
  it("matches the readiness path with a query and in absolute form", async () => {
    let scopes = 0;
    const { root, server } = await serveInRoot(
      function* (_req, res) {
        scopes++;
        res.end("handler\n");
      },
      { readinessPath: "/ready" },
    );
    const raw = await openRaw(server.url);
    raw.socket.write(
      get("/ready?probe=1") +
        "GET http://user:secret@test/ready HTTP/1.1\r\nHost: test\r\n\r\n" +
        get("/ready#x") +
        get("/readyz"),
    );
    await waitUntil(() => raw.responses.length === 4, "four answers");
    assert.deepEqual(
      raw.responses.map((r) => r.body),
      ["ready\n", "ready\n", "ready\n", "handler\n"],
    );
    assert.equal(scopes, 1);
    raw.socket.destroy();
    await root.halt();
  });

  it("leaves credentials and the query of an absolute-form target out of task names and error reports", async () => {
    const seen: string[] = [];
    const { root, server } = await serveInRoot(
      function* (req, res) {
        seen.push(yield* useTaskPath());
        if (req.url?.includes("/fail")) throw new Error("boom");
        res.end();
      },
      { onError: (_error, info) => seen.push(`report ${info.path}: ${info.method} ${info.url}`) },
    );
    const raw = await openRaw(server.url);
    raw.socket.write(
      "GET http://user:secret@test/users?token=t HTTP/1.1\r\nHost: test\r\n\r\n" +
        "GET http://user:secret@test:8080/fail?token=t HTTP/1.1\r\nHost: test\r\n\r\n",
    );
    await waitUntil(() => raw.responses.length === 2, "two answers");
    raw.socket.destroy();
    await root.halt();
    assert.deepEqual(seen, [
      "main/http/GET http://test/users #1",
      "main/http/GET http://test:8080/fail #2",
      "report main/http/GET http://test:8080/fail #2: GET http://test:8080/fail?token=t",
    ]);
  });
});

describe("serve(): the shutdown delay", () => {
  it("answers readiness with 503 while a new connection still gets a 200; the drain then goes as always", async () => {
    const events: string[] = [];
    const { root, server, drainable } = await serveInRoot(recording(events), {
      readinessPath: "/ready",
      shutdownDelay: 30_000,
      onDrain: ({ inFlight }) => events.push(`drain began, ${inFlight} in flight`),
    });
    assert.equal(drainable.shutdownDelay, 30_000);
    drainable.beginShutdownDelay(); // what main() does at its first signal
    drainable.beginShutdownDelay(); // idempotent
    const ready = replied(await send(`${server.url}/ready`));
    const fresh = replied(await send(`${server.url}/fresh`)); // a new connection
    assert.deepEqual([ready.status, ready.body], [503, "draining\n"]);
    assert.deepEqual([fresh.status, fresh.body], [200, "done /fresh\n"]);
    assert.equal(server.draining, false);

    const inflight = send(`${server.url}/slow?ms=200`);
    await waitUntil(() => events.includes("start /slow?ms=200"), "the slow request");
    const halted = root.halt().then(() => events.push("root halted"));
    await waitUntil(() => server.draining, "the drain");
    const refused = await send(`${server.url}/late`);
    const slow = replied(await inflight);
    await halted;
    assert.deepEqual(refused, { error: "ECONNREFUSED" });
    assert.deepEqual([slow.status, slow.headers.connection], [200, "close"]);
    assert.deepEqual(events, [
      "start /fresh",
      "end /fresh",
      "cleanup /fresh",
      "start /slow?ms=200",
      "drain began, 1 in flight",
      "end /slow?ms=200",
      "cleanup /slow?ms=200",
      "root halted",
    ]);
  });

  it("mount(): the readiness listener answers 503 while the mounted handler still serves", async () => {
    let ready!: (mounted: { api: MountedHandler; drainable: Drainable }) => void;
    const made = new Promise<{ api: MountedHandler; drainable: Drainable }>((resolve) => {
      ready = resolve;
    });
    const root = run(function* () {
      const api = yield* mount(
        function* (_req, res) {
          res.end("served\n");
        },
        { readinessPath: "/ready", shutdownDelay: 10_000 },
      );
      const [drainable] = yield* useDrainables();
      assert.ok(drainable);
      ready({ api, drainable });
      yield* suspend();
    });
    const { api, drainable } = await made;
    const server = createServer((req, res) =>
      req.url?.startsWith("/ready") ? api.readiness(req, res) : api.listener(req, res),
    );
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      assert.equal(replied(await send(`${url}/ready?probe=1`)).status, 200);
      assert.equal(drainable.shutdownDelay, 10_000);
      drainable.beginShutdownDelay();
      const probe = replied(await send(`${url}/ready?probe=2`));
      const work = replied(await send(`${url}/work`));
      assert.deepEqual([probe.status, work.status, work.body, api.draining], [503, 200, "served\n", false]);
    } finally {
      await root.halt();
      server.closeAllConnections();
      server.close();
    }
  });

  it("rejects a shutdownDelay that is not a number of milliseconds", () => {
    const noop: RequestHandler = function* () {};
    assert.throws(
      () => serve(noop, { shutdownDelay: -1 }),
      /^RangeError: serve\(\): options.shutdownDelay must be a number of milliseconds >= 0, got -1$/,
    );
    assert.throws(
      () => mount(noop, { shutdownDelay: Number.NaN }),
      /^RangeError: mount\(\): options.shutdownDelay must be a number of milliseconds >= 0, got NaN$/,
    );
  });
});
