import {
  callback,
  checkOptions,
  describeValue,
  integer,
  milliseconds,
  nonEmptyString,
  type OptionRules,
  operationFactory,
  plainObject,
  segmentName,
} from "../core/arguments.ts";
import type { RequestErrorInfo, RequestHandler } from "./request-handler.ts";

/**
 * Options that `serve()` and `mount()` share.
 *
 * @example
 * ```ts
 * import { main } from "unwind";
 * import { type RequestOptions, serve } from "unwind/http";
 * import { suspend } from "effection";
 *
 * const requests: RequestOptions = { shutdownDelay: 5_000, drainTimeout: 20_000, readinessPath: "/ready" };
 *
 * await main(function* () {
 *   yield* serve(function* (_req, res) {
 *     res.end("ok\n");
 *   }, { ...requests, port: 8080 });
 *   yield* suspend();
 * }, { teardownTimeout: 25_000 });
 * ```
 */
export interface RequestOptions {
  /** Name of the group the requests run in (a path segment). Default `http`. */
  name?: string;
  /**
   * Milliseconds that in-flight requests get to finish once the drain began
   * (at the first signal under `main()`, or when the group is halted).
   * Then they are halted: a 503 if nothing was sent yet. Default 5 000;
   * keep it below `main()`'s `teardownTimeout`. At most 2^31−1 (a larger
   * value is a `RangeError`).
   */
  drainTimeout?: number;
  /**
   * Milliseconds that `main()` keeps serving after its first signal, before
   * the drain, while the readiness path already answers 503: the time load
   * balancers (Kubernetes' endpoints, kube-proxy, ingress controllers) take
   * to stop sending new connections. `main()` waits for the largest
   * `shutdownDelay` among its own and its servers'; a second signal skips
   * it. Default 0. A server whose scope is halted otherwise drains at once.
   */
  shutdownDelay?: number;
  /**
   * A path (such as `/ready`) answered `200 ready` while serving and
   * `503 draining` from the shutdown delay (or the drain) on, without a
   * request scope: a Kubernetes readiness probe. It matches whatever the
   * query, and in absolute form (`http://host/ready`) too.
   */
  readinessPath?: string;
  /** Called for each handler or cleanup error. Default: printed to stderr with the request. */
  onError?: (error: unknown, info: RequestErrorInfo) => void;
  /** Called once, at the first moment of the drain, with the number of requests in flight. */
  onDrain?: (info: { readonly inFlight: number }) => void;
}

/** The options of `serve()` / `mount()` with their defaults, as the request scopes use them. */
export interface RequestSettings {
  readonly name: string;
  readonly drainTimeout: number;
  readonly shutdownDelay: number;
  readonly readinessPath: string | undefined;
  readonly onError: ((error: unknown, info: RequestErrorInfo) => void) | undefined;
  readonly onDrain: ((info: { readonly inFlight: number }) => void) | undefined;
}

export const requestRules = {
  name: segmentName,
  drainTimeout: milliseconds(),
  shutdownDelay: milliseconds(),
  readinessPath,
  onError: callback,
  onDrain: callback,
} satisfies OptionRules;

/** The handler and the options, checked where they are written; the options with their defaults. */
export function checkRequestOptions(
  caller: string,
  handler: RequestHandler,
  options: RequestOptions,
): RequestSettings {
  checkHandler(caller, handler);
  checkOptions(caller, options, requestRules, "{ drainTimeout: 20_000 }");
  return settingsOf(options);
}

export const serveRules = {
  ...requestRules,
  port: integer(0, 65_535),
  host: nonEmptyString,
  server: plainObject,
} satisfies OptionRules;

/** `serve(handler, options)`: the request options, and where to listen. */
export function checkServeArguments(handler: RequestHandler, options: RequestOptions): RequestSettings {
  checkHandler("serve()", handler);
  checkOptions("serve()", options, serveRules, "{ port: 8080 }");
  return settingsOf(options);
}

function settingsOf(options: RequestOptions): RequestSettings {
  const { name = "http", drainTimeout = 5_000, shutdownDelay = 0, readinessPath, onError, onDrain } = options;
  return { name, drainTimeout, shutdownDelay, readinessPath, onError, onDrain };
}

/**
 * A handler is a generator function, or a plain function that returns an
 * operation (what it returns is checked when a request runs it, see
 * `returnsOperation`); an async function never is.
 */
export function checkHandler(
  caller: string,
  handler: unknown,
  example = "function* (req, res) { ... }",
): void {
  const rule = operationFactory(`${caller.slice(0, -2)}(${example})`, `a generator function (${example})`);
  rule(caller, "handler", handler);
}

function readinessPath(caller: string, param: string, value: unknown): void {
  if (typeof value === "string" && value.startsWith("/")) return;
  throw new (typeof value === "string" ? RangeError : TypeError)(
    `${caller}: ${param} must start with "/", got ${describeValue(value)}`,
  );
}
