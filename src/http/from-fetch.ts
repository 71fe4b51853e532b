import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type Operation, until } from "effection";
import { returnsOperation } from "../core/arguments.ts";
import { useCancelSignal } from "../ops/use-cancel-signal.ts";
import type { RequestHandler } from "./request-handler.ts";
import { checkHandler } from "./request-options.ts";

/**
 * A handler in the style of the Fetch API: a `Request` in, a `Response` out.
 * `request.signal` is the request scope's cancel signal.
 *
 * @example
 * ```ts
 * import type { FetchHandler } from "unwind/http";
 *
 * const echo: FetchHandler = function* (request) {
 *   return new Response(`you asked for ${new URL(request.url).pathname}\n`);
 * };
 * ```
 */
export type FetchHandler = (request: Request) => Operation<Response>;

/**
 * Turns a fetch-style handler into one that `serve()` and `mount()` run:
 * the `node:http` request becomes a `Request` (its body streamed, its
 * `signal` the cancel signal of the request scope) and the `Response` is
 * written back, its body streamed with back-pressure and stopped if the
 * scope is halted.
 *
 * @param handler A generator function from a `Request` to a `Response`.
 * @returns A handler for `serve()` or `mount()`.
 *
 * @example
 * ```ts
 * import { main } from "unwind";
 * import { fromFetch, serve } from "unwind/http";
 * import { suspend } from "effection";
 *
 * await main(function* () {
 *   yield* serve(fromFetch(function* (request) {
 *     return Response.json({ method: request.method, url: request.url });
 *   }), { port: 8080 });
 *   yield* suspend();
 * });
 * ```
 */
export function fromFetch(handler: FetchHandler): RequestHandler {
  checkHandler("fromFetch()", handler, "function* (request) { ... }");
  handler = returnsOperation("fromFetch()", "handler", handler);
  return function* fetchStyle(req, res) {
    const signal = yield* useCancelSignal();
    const response = yield* handler(toRequest(req, signal));
    if (!(response instanceof Response)) {
      throw new TypeError(`fromFetch(): the handler must return a Response, got ${typeof response}`);
    }
    yield* writeResponse(response, res, signal);
  };
}

function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    for (const value of values ?? []) headers.append(name, value);
  }
  const method = req.method ?? "GET";
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(url, {
    method,
    headers,
    signal,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" as const } : {}),
  });
}

function* writeResponse(response: Response, res: ServerResponse, signal: AbortSignal): Operation<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, response.statusText, headers);
  if (!response.body) {
    res.end();
    return;
  }
  // Aborted with the scope: a halted request stops streaming at once.
  const body = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>);
  yield* until(pipeline(body, res, { signal }));
}
