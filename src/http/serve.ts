import { once } from "node:events";
import { createServer, type Server, type ServerOptions } from "node:http";
import type { AddressInfo } from "node:net";
import { type Operation, until } from "effection";
import { returnsOperation } from "../core/arguments.ts";
import { onTeardown } from "../core/on-teardown.ts";
import { Connections } from "./connections.ts";
import { drainView } from "./request-drain.ts";
import { requestGroup } from "./request-group.ts";
import type { RequestHandler } from "./request-handler.ts";
import { checkServeArguments, type RequestOptions } from "./request-options.ts";
import { stopListening } from "./stop-listening.ts";

/**
 * Options of `serve()`.
 *
 * @example
 * ```ts
 * import { main } from "unwind";
 * import { type ServeOptions, serve } from "unwind/http";
 * import { suspend } from "effection";
 *
 * const options: ServeOptions = {
 *   host: "0.0.0.0",
 *   port: Number(process.env.PORT ?? 8080), // a number: "8080" is rejected
 *   readinessPath: "/ready",
 *   shutdownDelay: 5_000,
 *   drainTimeout: 20_000,
 * };
 *
 * await main(function* () {
 *   yield* serve(function* (_req, res) {
 *     res.end("ok\n");
 *   }, options);
 *   yield* suspend();
 * }, { teardownTimeout: 25_000 });
 * ```
 */
export interface ServeOptions extends RequestOptions {
  /** Port to listen on; 0 (the default) picks a free one (see `HttpServer.port`). */
  port?: number;
  /**
   * Address to listen on. Default `127.0.0.1`, which only this machine
   * reaches: use `0.0.0.0` or `::` to serve others (in a Kubernetes pod, or
   * its probes never reach the server).
   */
  host?: string;
  /** Options for `node:http`'s `createServer()` (timeouts, header limits, ...). */
  server?: ServerOptions;
}

/**
 * A running `serve()` server, as its caller sees it.
 *
 * @example
 * ```ts
 * import { main } from "unwind";
 * import { type HttpServer, serve } from "unwind/http";
 * import { suspend } from "effection";
 *
 * await main(function* () {
 *   const server: HttpServer = yield* serve(function* (_req, res) {
 *     res.end("hi\n");
 *   });
 *   console.log(`listening on ${server.url}`); // http://127.0.0.1:43117 (port 0: a free one)
 *   yield* suspend();
 * });
 * ```
 */
export interface HttpServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number;
  /** The address listened on. */
  readonly host: string;
  /** The underlying `node:http` server. */
  readonly server: Server;
  /** True from the first moment of the drain. */
  readonly draining: boolean;
  /** Requests whose scope has not ended yet. */
  readonly inFlight: number;
  /**
   * Drains the server now: stops accepting, lets in-flight requests finish
   * within `drainTimeout` (then halts them), and returns when none is left.
   * The server stays up (answering 503) until its group ends.
   */
  drain(): Operation<void>;
}

/**
 * Starts a `node:http` server inside the current group (a resource: it
 * lives until the scope that called `serve()` ends) and returns once it is
 * listening. Each request runs `handler` in its own request scope, named
 * `<METHOD> <path> #<n>` under the server's group (`main/http/GET /users #12`).
 * (The scope is made when the handler first waits: one that answers without
 * ever yielding runs on the request's own stack and costs no more than a
 * plain `node:http` handler.)
 *
 * - the client going away before the response ended halts the scope with
 *   the reason `client-disconnected` (its `useCancelSignal()` aborts, its
 *   cleanups run), and so for every request pipelined on that connection;
 * - an error thrown by the handler is reported (`onError`, default stderr)
 *   and answered with a 500 if nothing was sent yet; a write after the end
 *   is reported too; other requests go on;
 * - drain, when the server's scope is halted or at `main()`'s first signal
 *   (after its shutdown delay, during which only the readiness path
 *   changes, to 503): the server stops listening, idle keep-alive
 *   connections are closed, the newest response of each connection gets
 *   `Connection: close`, requests arriving on open connections get a 503
 *   (at once for `Expect: 100-continue`); in-flight requests get
 *   `drainTimeout` ms to finish and their responses to reach their client;
 *   then the rest are halted (a 503 if nothing was sent yet). When the
 *   server's scope ends, every connection still open is destroyed, upgraded
 *   ones (`server.server.on("upgrade")`) included: say goodbye to those in
 *   `onDrain`. In a worker of `cluster()` that is being replaced (a
 *   reload) the server hands over instead: it stops listening, serves the
 *   requests that still arrive on its open connections (each with
 *   `Connection: close`) and ends its drain once those connections have
 *   closed (at most `drainTimeout` ms).
 *
 * @param handler Runs each request in its own scope: a generator function
 *   (`function* (req, res) { ... }`), never an async function.
 * @param options `port` (a number: `Number(process.env.PORT)`), `host`,
 *   `drainTimeout`, `readinessPath`, `onError`, `onDrain`, `name`, `server`.
 * @returns An operation that returns once the server listens: its address and
 *   drain state (`HttpServer`).
 *
 * @example
 * ```ts
 * import { main, useCancelSignal } from "unwind";
 * import { serve } from "unwind/http";
 * import { suspend, until } from "effection";
 *
 * await main(function* () {
 *   const server = yield* serve(function* (_req, res) {
 *     const signal = yield* useCancelSignal(); // aborts if the client leaves
 *     const upstream = yield* until(fetch("http://127.0.0.1:9000/slow", { signal }));
 *     res.writeHead(upstream.status, { "content-type": "text/plain" });
 *     res.end(yield* until(upstream.text()));
 *   }, { port: 8080, readinessPath: "/ready" });
 *   console.log(`listening on ${server.url}`);
 *   yield* suspend(); // SIGTERM: drain, then exit 143
 * });
 * ```
 */
export function serve(handler: RequestHandler, options: ServeOptions = {}): Operation<HttpServer> {
  const settings = checkServeArguments(handler, options);
  handler = returnsOperation("serve()", "handler", handler);
  const { port = 0, host = "127.0.0.1" } = options;
  return {
    *[Symbol.iterator]() {
      // A server per run of the operation; it has no handle until listen().
      const server = createServer(options.server ?? {});
      const connections = new Connections(true);
      const source = { connections, stopAccepting: () => stopListening(server) };
      return yield* requestGroup(handler, settings, source, function* (dispatcher, drain, group) {
        // Every connection, even one that never sends a whole request or is upgraded.
        server.on("connection", connections.accept);
        server.on("request", dispatcher.listener);
        server.on("checkContinue", dispatcher.checkContinue);
        // Not events.once(): that would reject (unhandled) on a listen error.
        const closed = new Promise<void>((resolve) => server.once("close", () => resolve()));
        // A cleanup of the group: it runs after every request scope has ended.
        yield* onTeardown(() => {
          // Still resolving the host: close once bound. (close() emits 'close' even when not bound.)
          if (!server.listening) server.once("listening", () => server.close());
          server.close();
          connections.destroyAll();
          return closed;
        });
        server.listen(port, host);
        yield* until(once(server, "listening"));
        server.on("error", (error) => group.fail({ path: group.path, phase: "run", error }));

        const address = server.address() as AddressInfo;
        const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
        // Object.assign keeps the view's getters live (it only adds plain fields).
        return Object.assign(drainView(drain), {
          url: `http://${urlHost}:${address.port}`,
          port: address.port,
          host: address.address,
          server,
        });
      });
    },
  };
}
