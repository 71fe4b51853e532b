// adoptServer(): a server unwind did not create (node:http, Express,
// Fastify), closed when its scope ends with a deadline that destroys what
// is left. The README's mount() recipes use it.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { describe, it } from "node:test";
import { type Operation, suspend, until } from "effection";
import express from "express";
import fastify from "fastify";
import { type Root, run } from "unwind";
import { adoptServer, mount } from "unwind/http";
import { replied, send, waitUntil } from "../helpers/http-client.ts";
import { get, openRaw, openSlowReader } from "../helpers/raw-http.ts";

/** Runs `body` in a root of its own; resolves with the URL of the server it returns, once listening. */
async function serving(body: () => Operation<Server>): Promise<{ root: Root<void>; url: string }> {
  let ready!: (server: Server) => void;
  const made = new Promise<Server>((resolve) => {
    ready = resolve;
  });
  const root = run(function* () {
    ready(yield* body());
    yield* suspend();
  });
  const server = await made;
  if (!server.listening) await once(server, "listening");
  return { root, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A client that sends part of a request head and then nothing (slowloris). */
async function trickling(url: string) {
  const slow = await openRaw(url);
  slow.socket.write("GET /hello HTTP/1.1\r\nHost: te");
  return slow;
}

describe("adoptServer(): the README's mount() recipes close with a deadline", () => {
  it("Express: a client trickling its request head is destroyed at the deadline, not waited for", async () => {
    const events: string[] = [];
    let accepted = 0;
    const { root, url } = await serving(function* () {
      const app = express();
      const server = yield* adoptServer(app.listen(0, "127.0.0.1"), { closeTimeout: 200 });
      server.on("connection", () => accepted++);
      const hello = yield* mount(function* (_req, res) {
        res.end("hello\n");
      });
      app.get("/hello", hello.listener);
      return server;
    });
    assert.equal(replied(await send(`${url}/hello`)).body, "hello\n");
    const slow = await trickling(url);
    await waitUntil(() => accepted === 2, "the slow connection to be accepted");
    void slow.ended.then(() => events.push("slow client cut"));
    await root.halt(); // server.close() alone would wait for Node's headersTimeout (a minute)
    events.push("root halted");
    const end = await slow.ended;
    assert.deepEqual(end.responses, []);
    assert.deepEqual(events.sort(), ["root halted", "slow client cut"]);
  });

  it("Fastify: its own close runs (onClose hooks), and a trickling client is destroyed at the deadline", async () => {
    const events: string[] = [];
    let accepted = 0;
    const { root, url } = await serving(function* () {
      const app = fastify();
      app.addHook("onClose", async () => {
        events.push("fastify onClose");
      });
      yield* adoptServer(app.server, { closeTimeout: 200, close: () => app.close() });
      app.server.on("connection", () => accepted++);
      const hello = yield* mount(function* (_req, res) {
        res.end("hello\n");
      });
      app.get("/hello", (request, reply) => {
        reply.hijack();
        hello.listener(request.raw, reply.raw);
      });
      yield* until(app.listen({ port: 0, host: "127.0.0.1" }));
      return app.server;
    });
    assert.equal(replied(await send(`${url}/hello`)).body, "hello\n");
    const slow = await trickling(url);
    await waitUntil(() => accepted === 2, "the slow connection to be accepted");
    await root.halt();
    events.push("root halted");
    const end = await slow.ended;
    assert.deepEqual(end.responses, []);
    assert.deepEqual(events, ["fastify onClose", "root halted"]);
  });
});

describe("adoptServer(): what is closed when", () => {
  it("sends a response still flushing when the scope ends to its last byte, then closes the connection", async () => {
    const size = 8 * 1024 * 1024;
    const events: string[] = [];
    const { root, url } = await serving(function* () {
      const server = createServer((_req, res) => {
        res.end(Buffer.alloc(size, "x"));
        events.push("answered");
      });
      server.listen(0, "127.0.0.1");
      return yield* adoptServer(server, { closeTimeout: 60_000 });
    });
    const reader = await openSlowReader(url, "/big");
    await waitUntil(() => events.length === 1, "the answer");
    const halted = root.halt().then(() => events.push("root halted"));
    events.push("reader reads");
    reader.socket.resume();
    await reader.closed;
    await halted;
    assert.equal(reader.bodyBytes, size);
    assert.deepEqual(events, ["answered", "reader reads", "root halted"]);
  });

  it("destroys an upgraded connection at the deadline", async () => {
    let upgradedSocket: Socket | undefined;
    const { root, url } = await serving(function* () {
      const server = createServer((_req, res) => res.end());
      server.on("upgrade", (_req, socket: Socket) => {
        upgradedSocket = socket;
        socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n");
      });
      server.listen(0, "127.0.0.1");
      return yield* adoptServer(server, { closeTimeout: 100 });
    });
    const upgraded = await openRaw(url);
    upgraded.socket.write(get("/ws", "Upgrade: echo", "Connection: Upgrade"));
    await waitUntil(() => upgraded.responses.length === 1, "the 101");
    await root.halt();
    assert.equal(upgradedSocket?.destroyed, true);
    await upgraded.ended;
  });

  it("rejects a bad server, closeTimeout or close at the call", () => {
    const server = createServer();
    assert.throws(() => adoptServer({} as Server), /adoptServer\(\): server must be a node:http server/);
    assert.throws(
      () => adoptServer(server, { closeTimeout: -1 }),
      /^RangeError: adoptServer\(\): options.closeTimeout must be a number of milliseconds >= 0, got -1$/,
    );
    assert.throws(
      () => adoptServer(server, { close: "app.close" as unknown as () => void }),
      /^TypeError: adoptServer\(\): options.close must be a function, got a string \("app.close"\)$/,
    );
  });
});
