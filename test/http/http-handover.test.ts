// A server handing its traffic over (a cluster's reload): main() in a
// cluster worker gets the primary's shutdown request with `handOver`, and
// serve() then stops accepting but serves what still reaches it on open
// connections (each answer with Connection: close) instead of refusing it,
// and its drain lasts until those connections have closed. In-process: the
// primary's message is emitted on `process`; the sockets are real.
import assert from "node:assert/strict";
import http from "node:http";
import { afterEach, beforeEach, describe, it } from "node:test";
import { sleep, suspend } from "effection";
import { main, onTeardown } from "unwind";
import { serve } from "unwind/http";
import { CLUSTER_WORKER_ENV } from "../../src/program/cluster-membership.ts";
import { type Failed, type Reply, send, waitUntil } from "../helpers/http-client.ts";
import { get, openRaw } from "../helpers/raw-http.ts";

const handOver = { unwind: "shutdown", signal: "SIGTERM", request: 1, handOver: true };
const status = (reply: Reply | Failed) =>
  "error" in reply ? reply.error : `${reply.status} ${reply.headers.connection} ${reply.body.trim()}`;

describe("serve() handing over (a cluster worker's reload)", () => {
  const realSend = process.send;
  beforeEach(() => {
    process.env[CLUSTER_WORKER_ENV] = "worker-1";
    Reflect.set(process, "send", () => true);
  });
  afterEach(() => {
    delete process.env[CLUSTER_WORKER_ENV];
    Reflect.set(process, "send", realSend);
  });

  it("finishes the request in flight, serves the next one of an idle keep-alive connection with Connection: close, refuses new connections", async () => {
    const events: string[] = [];
    let url = "";
    let inFlightNow = () => 0;
    const outcome = main(
      function* () {
        const server = yield* serve(
          function* (req, res) {
            const ms = Number(new URL(req.url ?? "/", "http://x").searchParams.get("ms") ?? 0);
            yield* sleep(ms);
            res.end(`done ${req.url}\n`);
          },
          { onDrain: ({ inFlight }) => events.push(`draining, ${inFlight} in flight`) },
        );
        url = server.url;
        inFlightNow = () => server.inFlight;
        yield* suspend();
      },
      { exit: false },
    );
    await waitUntil(() => url !== "", "the server");
    const keptAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      assert.equal(status(await send(`${url}/first`, { agent: keptAlive })), "200 keep-alive done /first");
      // Its connection is now idle: a plain drain would close it at once.
      const inFlight = send(`${url}/slow?ms=300`);
      await waitUntil(() => inFlightNow() === 1, "the slow request in flight");
      process.emit("message", handOver, undefined);
      await waitUntil(() => events.length === 1, "the drain");
      const [next, fresh] = await Promise.all([
        send(`${url}/next`, { agent: keptAlive }),
        send(`${url}/fresh`),
      ]);
      assert.equal(status(next), "200 close done /next");
      assert.equal(status(fresh), "ECONNREFUSED");
      assert.equal(status(await inFlight), "200 close done /slow?ms=300");
      const ended = await outcome;
      assert.deepEqual(events, ["draining, 1 in flight"]);
      assert.deepEqual([ended.status, ended.exitCode], ["signal", 143]);
    } finally {
      keptAlive.destroy();
    }
  });

  /** A server under main() that records its drain, its requests and main's teardown into `events`. */
  function serving(events: string[], drainTimeout: number) {
    let url = "";
    let accepted = 0;
    const outcome = main(
      function* () {
        yield* onTeardown(() => void events.push("main tears down"));
        const server = yield* serve(
          function* (req, res) {
            events.push(`handler ${req.url}`);
            yield* sleep(1);
            res.end(`done ${req.url}\n`);
          },
          { drainTimeout, onDrain: ({ inFlight }) => events.push(`draining, ${inFlight} in flight`) },
        );
        server.server.on("connection", () => accepted++);
        url = server.url;
        yield* suspend();
      },
      { exit: false },
    );
    return { outcome, url: () => url, accepted: () => accepted };
  }

  it("serves a request sent after the hand-over on a connection accepted before it, and ends the drain only once that connection closed", async () => {
    const events: string[] = [];
    const server = serving(events, 10_000);
    await waitUntil(() => server.url() !== "", "the server");
    const early = await openRaw(server.url());
    await waitUntil(() => server.accepted() === 1, "the connection accepted");
    process.emit("message", handOver, undefined);
    await waitUntil(() => events.length === 1, "the drain");
    // Had the drain ended at once, the teardown would have destroyed this connection.
    early.socket.write(get("/late"));
    const { responses, error } = await early.ended;
    const ended = await server.outcome;
    assert.deepEqual(
      responses.map((r) => `${r.status} ${r.headers.connection} ${r.body.trim()}`),
      ["200 close done /late"],
    );
    assert.equal(error, undefined);
    assert.deepEqual(events, ["draining, 0 in flight", "handler /late", "main tears down"]);
    assert.deepEqual([ended.status, ended.exitCode], ["signal", 143]);
  });

  it("ends the drain at the server's drainTimeout when a connection never sends a request", async () => {
    const events: string[] = [];
    const server = serving(events, 200);
    await waitUntil(() => server.url() !== "", "the server");
    const silent = await openRaw(server.url());
    await waitUntil(() => server.accepted() === 1, "the connection accepted");
    process.emit("message", handOver, undefined);
    const ended = await server.outcome;
    const { responses } = await silent.ended;
    assert.deepEqual(responses, []);
    assert.deepEqual(events, ["draining, 0 in flight", "main tears down"]);
    assert.deepEqual([ended.status, ended.exitCode], ["signal", 143]);
  });
});
