import type { IncomingMessage, ServerResponse } from "node:http";
import type { Operation } from "effection";

/**
 * An HTTP handler as `serve()` and `mount()` run it: an operation over
 * `node:http`'s request and response, running in its own request scope.
 * Inside it, `useCancelSignal()` aborts when the client goes away or the
 * server stops waiting for it, and `onTeardown()` cleanups run when the
 * request scope ends. A thrown error becomes a 500 (when nothing was sent
 * yet) and is reported; it never touches other requests.
 *
 * @example
 * ```ts
 * import type { RequestHandler } from "unwind/http";
 *
 * const hello: RequestHandler = function* (_req, res) {
 *   res.writeHead(200, { "content-type": "text/plain" });
 *   res.end("hello\n");
 * };
 * ```
 */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Operation<void>;

/**
 * What an error report of `serve()` / `mount()` says about the request.
 *
 * @example
 * ```ts
 * import { main } from "unwind";
 * import { type RequestErrorInfo, serve } from "unwind/http";
 * import { suspend } from "effection";
 *
 * function report(error: unknown, info: RequestErrorInfo): void {
 *   console.error(`${info.method} ${info.url} failed (${info.phase}, ${info.path}):`, error);
 * }
 *
 * await main(function* () {
 *   yield* serve(function* () {
 *     throw new Error("boom"); // a 500 for the client, a report for us
 *   }, { port: 8080, onError: report });
 *   yield* suspend();
 * });
 * ```
 */
export interface RequestErrorInfo {
  /** The request's method, such as `GET`. */
  readonly method: string;
  /** The request's URL as the client sent it (path and query). */
  readonly url: string;
  /** The request scope's task path, such as `main/http/GET /users`. */
  readonly path: string;
  /** `run`: the handler threw; `teardown`: one of its cleanups threw. */
  readonly phase: "run" | "teardown";
}
