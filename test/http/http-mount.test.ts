import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { text } from "node:stream/consumers";
import { describe, it } from "node:test";
import { sleep, suspend, until as untilPromise } from "effection";
import express from "express";
import fastify from "fastify";
import { onTeardown, run, useCancelSignal } from "unwind";
import {
  type FetchHandler,
  fromFetch,
  type MountedHandler,
  mount,
  type RequestHandler,
  type RequestOptions,
  serve,
} from "unwind/http";
import { replied, send, waitUntil } from "../helpers/http-client.ts";
import { openRaw } from "../helpers/raw-http.ts";

/** Mounts `handler` in a root of its own; resolves with the mounted handler. */
async function mounted(handler: RequestHandler, options: RequestOptions = {}) {
  let ready!: (value: MountedHandler) => void;
  const mountedHandler = new Promise<MountedHandler>((resolve) => {
    ready = resolve;
  });
  const root = run(function* () {
    ready(yield* mount(handler, options));
    yield* suspend();
  });
  return { root, api: await mountedHandler };
}

async function listen(server: Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

describe("mount(): unwind request scopes in a server unwind does not own", () => {
  it("node:http: one scope per request, 500 on error, client disconnect halts the scope", async () => {
    const events: string[] = [];
    const { root, api } = await mounted(
      function* (req, res) {
        events.push(`start ${req.url}`);
        yield* onTeardown((reason) => {
          events.push(`cleanup ${req.url}${reason ? ` (${reason.kind})` : ""}`);
        });
        if (req.url === "/boom") throw new Error("boom");
        if (req.url === "/slow") yield* sleep(10_000);
        res.end(`hello ${req.url}`);
      },
      {
        name: "api",
        onError: (error, info) => events.push(`error ${info.path}: ${(error as Error).message}`),
      },
    );
    const server = createServer(api.listener);
    const url = await listen(server);
    try {
      assert.equal(replied(await send(`${url}/a`)).body, "hello /a");
      assert.equal(replied(await send(`${url}/boom`)).status, 500);
      assert.ok("error" in (await send(`${url}/slow`, { abortAfterMs: 50 })));
      await waitUntil(() => events.includes("cleanup /slow (client-disconnected)"), "the cleanup");
      assert.equal(replied(await send(`${url}/b`)).body, "hello /b");
    } finally {
      await root.halt();
      await close(server);
    }
    assert.deepEqual(events, [
      "start /a",
      "cleanup /a",
      "start /boom",
      "error main/api/GET /boom #2: boom",
      "cleanup /boom",
      "start /slow",
      "cleanup /slow (client-disconnected)",
      "start /b",
      "cleanup /b",
    ]);
  });

  it("Express: the handler runs as a route in its own scope, next to Express's own routes", async () => {
    const { root, api } = await mounted(function* (req, res) {
      const signal = yield* useCancelSignal();
      res.setHeader("content-type", "application/json");
      // Express's own additions to req are there (params of the route).
      const { id } = (req as typeof req & { params: { id: string } }).params;
      res.end(JSON.stringify({ id, aborted: signal.aborted }));
    });
    const app = express();
    app.get("/users/:id", api.listener);
    app.get("/health", (_req, res) => {
      res.send("express route");
    });
    const server = createServer(app);
    const url = await listen(server);
    try {
      const user = replied(await send(`${url}/users/42`));
      assert.deepEqual([user.status, JSON.parse(user.body)], [200, { id: "42", aborted: false }]);
      assert.equal(replied(await send(`${url}/health`)).body, "express route");
      assert.equal(replied(await send(`${url}/missing`)).status, 404);
    } finally {
      await root.halt();
      await close(server);
    }
  });

  it("Fastify: a hijacked route runs in its own scope; a client that leaves halts it", async () => {
    const events: string[] = [];
    const { root, api } = await mounted(function* (req, res) {
      events.push(`start ${req.url}`);
      yield* onTeardown((reason) => {
        events.push(`cleanup ${req.url}${reason ? ` (${reason.kind})` : ""}`);
      });
      if (req.url === "/slow") yield* sleep(10_000);
      res.end(`fastify ${req.url}`);
    });
    const app = fastify();
    for (const path of ["/fast", "/slow"]) {
      app.get(path, (request, reply) => {
        reply.hijack(); // the response is ours from here on
        api.listener(request.raw, reply.raw);
      });
    }
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    try {
      assert.equal(replied(await send(`${url}/fast`)).body, "fastify /fast");
      assert.ok("error" in (await send(`${url}/slow`, { abortAfterMs: 50 })));
      await waitUntil(() => events.includes("cleanup /slow (client-disconnected)"), "the cleanup");
    } finally {
      await root.halt();
      await app.close();
    }
    assert.deepEqual(events, [
      "start /fast",
      "cleanup /fast",
      "start /slow",
      "cleanup /slow (client-disconnected)",
    ]);
  });

  it("Expect: 100-continue through checkContinue: 100 Continue while serving, a 503 at once from the drain on", async () => {
    const { root, api } = await mounted(function* (req, res) {
      res.end(`got ${yield* untilPromise(text(req))}\n`);
    });
    const server = createServer(api.listener);
    server.on("checkContinue", api.checkContinue);
    const url = await listen(server);
    const post = [
      `POST /upload HTTP/1.1`,
      "Host: test",
      "Content-Length: 5",
      "Expect: 100-continue",
      "",
      "",
    ].join("\r\n");
    try {
      const serving = await openRaw(url);
      serving.socket.write(post);
      await waitUntil(() => serving.responses.length === 1, "the 100 Continue");
      serving.socket.write("hello");
      await waitUntil(() => serving.responses.length === 2, "the answer");
      assert.deepEqual(
        serving.responses.map((r) => [r.status, r.body]),
        [
          [100, ""],
          [200, "got hello\n"],
        ],
      );
      serving.socket.destroy();
      const draining = await openRaw(url);
      await run(function* () {
        yield* api.drain();
      });
      draining.socket.write(post);
      const end = await draining.ended;
      assert.deepEqual(
        end.responses.map((r) => [r.status, r.body, r.headers.connection]),
        [[503, "the server is shutting down\n", "close"]],
      );
    } finally {
      await root.halt();
      await close(server);
    }
  });

  it("drains: readiness turns 503, new requests get a 503 with Connection: close, in-flight ones finish", async () => {
    const events: string[] = [];
    const { root, api } = await mounted(
      function* (req, res) {
        events.push(`start ${req.url}`);
        yield* sleep(100);
        res.end(`done ${req.url}`);
        events.push(`end ${req.url}`);
      },
      { readinessPath: "/ready" },
    );
    const server = createServer((req, res) =>
      req.url === "/ready" ? api.readiness(req, res) : api.listener(req, res),
    );
    const url = await listen(server);
    try {
      assert.equal(replied(await send(`${url}/ready`)).status, 200);
      const inflight = send(`${url}/work`);
      await waitUntil(() => events.length === 1, "the request to start");
      const drained = run(function* () {
        yield* api.drain();
        events.push("drained");
      });
      const ready = replied(await send(`${url}/ready`));
      const late = replied(await send(`${url}/late`));
      const work = replied(await inflight);
      await drained;
      assert.deepEqual([ready.status, ready.body, ready.headers.connection], [503, "draining\n", "close"]);
      assert.deepEqual([late.status, late.headers.connection], [503, "close"]);
      assert.deepEqual([work.status, work.body, work.headers.connection], [200, "done /work", "close"]);
      assert.deepEqual(events, ["start /work", "end /work", "drained"]);
    } finally {
      await root.halt();
      await close(server);
    }
  });
});

describe("fromFetch(): fetch-style handlers", () => {
  const echo: FetchHandler = function* (request) {
    const body = yield* untilPromise(request.text());
    const headers = new Headers({ "content-type": "application/json", "x-echo": "yes" });
    headers.append("set-cookie", "a=1");
    headers.append("set-cookie", "b=2");
    return new Response(
      JSON.stringify({
        method: request.method,
        url: request.url,
        header: request.headers.get("x-test"),
        body,
      }),
      { status: 201, headers },
    );
  };

  it("turns the request into a Request and writes the Response back", async () => {
    let url = "";
    const root = run(function* () {
      url = (yield* serve(fromFetch(echo))).url;
      yield* suspend();
    });
    await waitUntil(() => url !== "", "the server");
    try {
      const reply = replied(
        await send(`${url}/echo?q=1`, { method: "POST", body: "ping", headers: { "x-test": "t" } }),
      );
      assert.equal(reply.status, 201);
      assert.equal(reply.headers["x-echo"], "yes");
      assert.deepEqual(reply.headers["set-cookie"], ["a=1", "b=2"]);
      assert.deepEqual(JSON.parse(reply.body), {
        method: "POST",
        url: `${url}/echo?q=1`,
        header: "t",
        body: "ping",
      });
    } finally {
      await root.halt();
    }
  });

  it("aborts request.signal when the client goes away", async () => {
    const events: string[] = [];
    let url = "";
    const root = run(function* () {
      url = (yield* serve(
        fromFetch(function* (request) {
          events.push("start");
          request.signal.addEventListener("abort", () => {
            events.push(`aborted (${(request.signal.reason as { kind: string }).kind})`);
          });
          yield* suspend();
          return new Response("never");
        }),
      )).url;
      yield* suspend();
    });
    await waitUntil(() => url !== "", "the server");
    try {
      assert.ok("error" in (await send(`${url}/`, { abortAfterMs: 50 })));
      await waitUntil(() => events.length === 2, "the abort");
      assert.deepEqual(events, ["start", "aborted (client-disconnected)"]);
    } finally {
      await root.halt();
    }
  });

  it("streams a Response body and fails clearly when the handler returns no Response", async () => {
    const reports: string[] = [];
    let url = "";
    const root = run(function* () {
      url = (yield* serve(
        fromFetch(function* (request) {
          if (request.url.endsWith("/wrong")) return "text" as unknown as Response;
          const stream = new ReadableStream<Uint8Array>({
            start(controller) {
              for (const part of ["one ", "two ", "three"])
                controller.enqueue(new TextEncoder().encode(part));
              controller.close();
            },
          });
          return new Response(stream);
        }),
        { onError: (error) => reports.push((error as Error).message) },
      )).url;
      yield* suspend();
    });
    await waitUntil(() => url !== "", "the server");
    try {
      assert.equal(replied(await send(`${url}/stream`)).body, "one two three");
      assert.equal(replied(await send(`${url}/wrong`)).status, 500);
      assert.deepEqual(reports, ["fromFetch(): the handler must return a Response, got string"]);
    } finally {
      await root.halt();
    }
  });
});
