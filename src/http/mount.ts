import type { IncomingMessage, ServerResponse } from "node:http";
import type { Operation } from "effection";
import { returnsOperation } from "../core/arguments.ts";
import { requestGroup } from "./request-group.ts";
import type { RequestHandler } from "./request-handler.ts";
import { checkRequestOptions, type RequestOptions } from "./request-options.ts";
import { drainView } from "./request-scopes.ts";

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
 * server from accepting connections: close the server in a cleanup
 * registered before the `mount()` (cleanups run newest first).
 *
 * @param handler Runs each request in its own scope: a generator function.
 * @param options `drainTimeout`, `readinessPath`, `onError`, `onDrain`, `name`.
 * @returns An operation with the `listener` to hand to your server, and its drain state.
 *
 * @example
 * ```ts
 * import express from "express";
 * import { main, onTeardown } from "unwind";
 * import { mount } from "unwind/http";
 * import { type Operation, suspend } from "effection";
 *
 * declare function loadUsers(): Operation<{ id: number; name: string }[]>;
 *
 * await main(function* () {
 *   const app = express();
 *   const server = app.listen(8080);
 *   yield* onTeardown(() => new Promise<void>((done) => server.close(() => done())));
 *   const users = yield* mount(function* (_req, res) {
 *     const users = yield* loadUsers(); // in its own request scope
 *     res.setHeader("content-type", "application/json");
 *     res.end(JSON.stringify(users));
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
  return requestGroup(handler, settings, function* (scopes) {
    // Object.assign keeps the view's getters live (it only adds plain fields).
    return Object.assign(drainView(scopes), {
      listener: scopes.listener,
      readiness: (_req: IncomingMessage, res: ServerResponse) => scopes.answerReadiness(res),
    });
  });
}
