import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SpanKind, trace } from "@opentelemetry/api";
import { sleep, suspend, until } from "effection";
import { group, onTeardown } from "unwind";
import { replied, send, waitUntil } from "../helpers/http-client.ts";
import { activeSpanId, nameOf, spanNamed, spanTree, tracedPerTest } from "../helpers/otel.ts";
import { openRaw, get as rawGet } from "../helpers/raw-http.ts";
import { serveInRoot } from "../helpers/serving.ts";

describe("unwind/otel: request scopes on real sockets", () => {
  const traced = tracedPerTest();

  it("gives each request a server span with its HTTP attributes; concurrent requests each see only their own spans", async () => {
    traced.install();
    const seen: string[] = [];
    const note = (where: string) => seen.push(`${where}: ${activeSpanId()}`);
    let arrived = 0;
    let bothArrived!: () => void;
    const together = new Promise<void>((resolve) => {
      bothArrived = resolve;
    });
    const serving = await serveInRoot(function* (req, res) {
      const label = req.url?.slice(1) ?? "?";
      note(`${label} start`);
      if (++arrived === 2) bothArrived();
      // Both requests are in flight from here on: their steps interleave.
      yield* until(together);
      note(`${label} after wait`);
      yield* group(
        function* (g) {
          g.spawn(
            function* () {
              note(`${label} lookup`);
              yield* sleep(label === "a" ? 2 : 1);
              note(`${label} lookup again`);
            },
            { name: "lookup" },
          );
        },
        { name: `work-${label}` },
      );
      note(`${label} end`);
      res.writeHead(label === "a" ? 200 : 404, { "content-type": "text/plain" });
      res.end(`${label}\n`);
    });
    const [a, b] = await Promise.all([send(`${serving.server.url}/a`), send(`${serving.server.url}/b`)]);
    assert.equal(replied(a).status, 200);
    assert.equal(replied(b).status, 404);
    await serving.root.halt();
    const spans = traced.spans();
    // Each request is a trace of its own (linked to the server's span).
    assert.deepEqual(spanTree(spans), [
      "GET /a (request, done) status 200",
      "  work-a (group, done)",
      "    lookup (task, done)",
      "GET /b (request, done) status 404",
      "  work-b (group, done)",
      "    lookup (task, done)",
      "main (group, halted) halted: halted",
      "  http (group, halted) halted: halted",
    ]);
    const requestA = spanNamed(spans, "GET /a");
    assert.equal(requestA.kind, SpanKind.SERVER);
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(requestA.attributes).filter(([key]) => !key.startsWith("unwind.halt")),
      ),
      {
        "unwind.path": "main/http/GET /a #1",
        "unwind.kind": "request",
        "http.request.method": "GET",
        "url.path": "/a",
        "network.protocol.version": "1.1",
        "http.response.status_code": 200,
        "unwind.state": "done",
      },
    );
    assert.equal(requestA.status.code, 0, "a 404 or a 200 is no error of the server");
    assert.deepEqual(
      requestA.links.map((link) => link.context.spanId),
      [spanNamed(spans, "http").spanContext().spanId],
    );
    assert.notEqual(requestA.spanContext().traceId, spanNamed(spans, "GET /b").spanContext().traceId);
    const named = seen.map((line) => {
      const [where, id] = line.split(": ") as [string, string];
      return `${where}: ${nameOf(spans, id)}`;
    });
    for (const label of ["a", "b"]) {
      assert.deepEqual(
        named.filter((line) => line.startsWith(`${label} `)),
        [
          `${label} start: GET /${label}`,
          `${label} after wait: GET /${label}`,
          `${label} lookup: lookup`,
          `${label} lookup again: lookup`,
          `${label} end: GET /${label}`,
        ],
      );
    }
    // The lookups are the right ones: each under its own request.
    const lookups = spans.filter((span) => span.name === "lookup");
    for (const lookup of lookups) {
      const work = spans.find((span) => span.spanContext().spanId === lookup.parentSpanContext?.spanId);
      const request = spans.find((span) => span.spanContext().spanId === work?.parentSpanContext?.spanId);
      assert.equal(
        lookup.attributes["unwind.path"],
        `${request?.attributes["unwind.path"]}/${work?.name}/lookup`,
      );
    }
  });

  it("continues the caller's trace from its traceparent header", async () => {
    traced.install();
    const serving = await serveInRoot(function* (_req, res) {
      yield* sleep(1);
      res.end("ok\n");
    });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const callerSpan = "00f067aa0ba902b7";
    const reply = await send(`${serving.server.url}/traced`, {
      headers: { traceparent: `00-${traceId}-${callerSpan}-01` },
    });
    assert.equal(replied(reply).status, 200);
    await serving.root.halt();
    const request = spanNamed(traced.spans(), "GET /traced");
    assert.equal(request.spanContext().traceId, traceId);
    assert.equal(request.parentSpanContext?.spanId, callerSpan);
    assert.equal(request.parentSpanContext?.isRemote, true);
  });

  it("shows a client that went away as a halted request span, ended once its teardown has finished", async () => {
    traced.install();
    let waiting = false;
    const endedInTeardown: boolean[] = [];
    const serving = await serveInRoot(function* (_req, _res) {
      yield* onTeardown(async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        endedInTeardown.push(traced.spans().some((span) => span.name === "GET /report"));
      });
      yield* group(
        function* (g) {
          yield* g.spawn(
            function* () {
              yield* sleep(1);
            },
            { name: "auth" },
          );
          g.spawn(
            function* () {
              waiting = true;
              yield* suspend();
            },
            { name: "query" },
          );
        },
        { name: "report" },
      );
    });
    const connection = await openRaw(serving.server.url);
    connection.socket.write(rawGet("/report"));
    await waitUntil(() => waiting, "the handler to wait");
    connection.socket.destroy();
    await waitUntil(
      () => traced.spans().some((span) => span.name === "GET /report"),
      "the request's span to end",
    );
    await serving.root.halt();
    const spans = traced.spans();
    // The trace shown in the README.
    assert.deepEqual(spanTree(spans).slice(0, 4), [
      "GET /report (request, halted) halted: client-disconnected",
      "  report (group, halted) halted: client-disconnected",
      "    auth (task, done)",
      "    query (task, halted) halted: client-disconnected",
    ]);
    assert.deepEqual(endedInTeardown, [false]);
  });

  it("records a failing handler as an ERROR with its exception and a 500, and traces a handler that never waits", async () => {
    traced.install();
    const serving = await serveInRoot(
      function* (req, res) {
        if (req.url === "/quick") {
          res.end("quick\n");
          return;
        }
        yield* sleep(1);
        throw new Error("no such user");
      },
      { onError: () => {} },
    );
    assert.equal(replied(await send(`${serving.server.url}/quick`)).status, 200);
    assert.equal(replied(await send(`${serving.server.url}/users/7`)).status, 500);
    await serving.root.halt();
    const spans = traced.spans();
    assert.deepEqual(spanTree(spans).slice(0, 2), [
      "GET /quick (request, done) status 200",
      "GET /users/7 (request, done) status 500 ERROR [run: no such user]",
    ]);
  });

  it("stops tracing a request in flight when uninstalled: its span ends, its next steps run in no span", async () => {
    const uninstall = traced.install();
    const seen: string[] = [];
    const serving = await serveInRoot(function* (_req, res) {
      yield* sleep(1);
      seen.push(trace.getActiveSpan() ? "a span" : "none");
      uninstall();
      yield* sleep(1);
      seen.push(trace.getActiveSpan() ? "a span" : "none");
      res.end("ok\n");
    });
    assert.equal(replied(await send(`${serving.server.url}/cut`)).status, 200);
    await serving.root.halt();
    assert.deepEqual(seen, ["a span", "none"]);
    const request = spanNamed(traced.spans(), "GET /cut");
    assert.deepEqual(
      request.events.map((event) => event.name),
      ["unwind.uninstalled"],
    );
  });
});
