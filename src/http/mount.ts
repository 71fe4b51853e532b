import type { IncomingMessage, ServerResponse } from "node:http";
import type { Operation } from "effection";
import { returnsOperation } from "../core/arguments.ts";
import { Connections } from "./connections.ts";
import { drainView } from "./request-drain.ts";
import { requestGroup } from "./request-group.ts";
import type { RequestHandler } from "./request-handler.ts";
import { checkRequestOptions, type RequestOptions } from "./request-options.ts";

/**
 * An unwind handler mounted into a server that unwind does not own: what
 * `mount()` returns.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { main, onTeardown } from "unwind";
 * import { mount } from "unwind/http";
 * import { suspend } from "effection";
 *
 * await main(function* () {
 *   const server = createServer();
 *   // Registered before mount(): cleanups run newest first, so the server
 *   // closes once the requests have drained.
 *   yield* onTeardown(() => new Promise<void>((done) => server.close(() => done())));
 *   const api = yield* mount(function* (_req, res) {
 *     res.end("hello\n");
 *   });
 *   server.on("request", api.listener).listen(8080);
 *   console.log(api.draining, api.inFlight); // false 0
 *   yield* suspend();
 * });
 * ```
 */
export interface MountedHandler {
  /**
   * A `node:http` request listener, also usable as Express middleware. Each
   * call runs the handler in its own request scope.
   */
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void;
  /** Answers a readiness probe: 200 while serving, 503 from the drain on. */
  readonly readiness: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * For the server's `checkContinue` event (`server.on("checkContinue",
   * mounted.checkContinue)`): a request with `Expect: 100-continue` gets
   * `100 Continue` while serving and then runs as `listener` runs it, but
   * a 503 at once from the drain on, so that the client does not upload a
   * body for nothing. Without it, Node answers 100 Continue itself.
   */
  readonly checkContinue: (req: IncomingMessage, res: ServerResponse) => void;
  /** True from the first moment of the drain. */
  readonly draining: boolean;
  /** Requests whose scope has not ended yet. */
  readonly inFlight: number;
  /**
   * Drains now: new requests get a 503 with `Connection: close`, in-flight
   * ones get `drainTimeout` ms to finish, then are halted. Returns when none
   * is left. Closing the server itself stays the application's job.
   */
  drain(): Operation<void>;
}

/**
 * Mounts an unwind handler into an existing server (`node:http`, Express,
 * Fastify, ...) with the request scopes of `serve()`: each request runs in
 * its own scope under a group of the current scope, is halted when its
 * client goes away, turns errors into 500s, and is drained when that scope
 * ends or at `main()`'s first signal. Unlike `serve()` it cannot stop the
 * server from accepting connections: `adoptServer()` the server before the
 * `mount()` (cleanups run newest first, so the requests drain before the
 * server closes), or close it yourself in a cleanup registered there, with
 * a deadline.
 *
 * @param handler Runs each request in its own scope: a generator function.
 * @param options `drainTimeout`, `readinessPath`, `onError`, `onDrain`, `name`.
 * @returns An operation with the `listener` to hand to your server, and its drain state.
 *
 * @example
 * ```ts
 * import express from "express";
 * import { main } from "unwind";
 * import { adoptServer, mount } from "unwind/http";
 * import { suspend, until } from "effection";
 *
 * await main(function* () {
 *   const app = express();
 *   yield* adoptServer(app.listen(8080), { closeTimeout: 5_000 });
 *   const users = yield* mount(function* (_req, res) {
 *     const list = yield* until(fetch("http://127.0.0.1:9000/users")); // in its own request scope
 *     res.setHeader("content-type", "application/json");
 *     res.end(yield* until(list.text()));
 *   });
 *   app.get("/users", users.listener);
 *   // Fastify: fastify.get("/users", (request, reply) => { reply.hijack(); users.listener(request.raw, reply.raw); });
 *   yield* suspend();
 * });
 * ```
 */
export function mount(handler: RequestHandler, options: RequestOptions = {}): Operation<MountedHandler> {
  const settings = checkRequestOptions("mount()", handler, options);
  handler = returnsOperation("mount()", "handler", handler);
  return {
    *[Symbol.iterator]() {
      // Not its own sockets: it watches those its requests come on, and closes none.
      const source = { connections: new Connections(false) };
      return yield* requestGroup(handler, settings, source, function* (dispatcher, drain) {
        // Object.assign keeps the view's getters live (it only adds plain fields).
        return Object.assign(drainView(drain), {
          listener: dispatcher.listener,
          readiness: dispatcher.readiness,
          checkContinue: dispatcher.checkContinue,
        });
      });
    },
  };
}
