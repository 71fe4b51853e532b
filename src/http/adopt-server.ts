import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Operation } from "effection";
import { callback, checkOptions, describeValue, milliseconds, type OptionRules } from "../core/arguments.ts";
import { onTeardown } from "../core/on-teardown.ts";
import { Connections } from "./connections.ts";
import { stopListening } from "./stop-listening.ts";

/**
 * Options of `adoptServer()`.
 *
 * @example
 * ```ts
 * import fastify from "fastify";
 * import { main } from "unwind";
 * import { type AdoptServerOptions, adoptServer } from "unwind/http";
 * import { suspend, until } from "effection";
 *
 * await main(function* () {
 *   const app = fastify();
 *   const options: AdoptServerOptions = { closeTimeout: 3_000, close: () => app.close() };
 *   yield* adoptServer(app.server, options);
 *   yield* until(app.listen({ port: 8080 }));
 *   yield* suspend();
 * });
 * ```
 */
export interface AdoptServerOptions {
  /**
   * Milliseconds that connections still sending a response get once the
   * scope ends; then every connection left is destroyed. Default 5 000.
   */
  closeTimeout?: number;
  /**
   * The framework's own close, run when the scope ends (for Fastify:
   * `() => app.close()`, so that its `onClose` hooks run). The server has
   * then already stopped accepting; the returned promise is waited for.
   */
  close?: () => void | Promise<void>;
}

export const adoptRules = { closeTimeout: milliseconds(), close: callback } satisfies OptionRules;

/**
 * Makes the current scope the owner of a server that unwind did not
 * create (`node:http`, Express, Fastify), from now until the scope ends;
 * call it right after the server is made, before it accepts anything.
 * When the scope ends the server stops accepting, idle connections are
 * closed, a connection still sending a response is closed once its last
 * byte is out, and after `closeTimeout` ms whatever is left is destroyed:
 * a client that trickles its request head (slowloris), an upgraded
 * connection (WebSocket), a reader too slow to finish. `server.close()`
 * alone would wait for those forever (Node's `headersTimeout` ends only
 * the first, after a minute).
 *
 * With `mount()`, adopt the server before mounting: cleanups run newest
 * first, so the mounted handler drains its requests before the server
 * closes.
 *
 * @param server the server, listening or about to
 * @returns `server`
 *
 * @example
 * ```ts
 * import express from "express";
 * import { main } from "unwind";
 * import { adoptServer, mount } from "unwind/http";
 * import { suspend } from "effection";
 *
 * await main(function* () {
 *   const app = express();
 *   yield* adoptServer(app.listen(8080), { closeTimeout: 5_000 });
 *   const hello = yield* mount(function* (_req, res) {
 *     res.end("hello\n"); // in its own request scope
 *   });
 *   app.get("/hello", hello.listener);
 *   yield* suspend(); // SIGTERM: /hello drains, then the server closes
 * });
 * ```
 *
 * @example
 * ```ts
 * import fastify from "fastify";
 * import { main } from "unwind";
 * import { adoptServer, mount } from "unwind/http";
 * import { suspend, until } from "effection";
 *
 * await main(function* () {
 *   const app = fastify();
 *   yield* adoptServer(app.server, { close: () => app.close() });
 *   const hello = yield* mount(function* (_req, res) {
 *     res.end("hello\n");
 *   });
 *   app.get("/hello", (request, reply) => {
 *     reply.hijack(); // the response is the request scope's
 *     hello.listener(request.raw, reply.raw);
 *   });
 *   yield* until(app.listen({ port: 8080 }));
 *   yield* suspend();
 * });
 * ```
 */
export function adoptServer<S extends Server>(server: S, options: AdoptServerOptions = {}): Operation<S> {
  if (typeof server?.on !== "function" || typeof server.close !== "function") {
    throw new TypeError(
      `adoptServer(): server must be a node:http server (what Express's app.listen() returns, Fastify's app.server), got ${describeValue(server)}`,
    );
  }
  checkOptions("adoptServer()", options, adoptRules, "{ closeTimeout: 5_000 }");
  const { closeTimeout = 5_000, close } = options;
  return {
    *[Symbol.iterator]() {
      const connections = new Connections(true);
      const onRequest = (req: IncomingMessage, res: ServerResponse) => connections.requestArrived(req, res);
      server.on("connection", connections.accept);
      server.on("request", onRequest);
      yield* onTeardown(async () => {
        try {
          await closeOwned(server, connections, closeTimeout, close);
        } finally {
          server.off("connection", connections.accept);
          server.off("request", onRequest);
        }
      });
      return server;
    },
  };
}

async function closeOwned(
  server: Server,
  connections: Connections,
  closeTimeout: number,
  close: (() => void | Promise<void>) | undefined,
): Promise<void> {
  // 'close' comes once the listener is closed and the last connection is gone.
  const closed = new Promise<void>((resolve) => server.once("close", () => resolve()));
  // Still resolving its host: stop once bound.
  if (!server.listening) server.once("listening", () => stopListening(server));
  stopListening(server);
  // Closes idle connections now, the others once their response is out; the
  // server's 'close' says when the last one is gone.
  connections.startDrain(() => {});
  const deadline = setTimeout(() => {
    connections.destroyAll();
    // Connections accepted before the server was adopted, too.
    server.closeAllConnections();
  }, closeTimeout);
  try {
    await Promise.all([closed, close?.()]);
  } finally {
    clearTimeout(deadline);
  }
}
