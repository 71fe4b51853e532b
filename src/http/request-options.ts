import type { RequestErrorInfo, RequestHandler } from "./request-handler.ts";

/**
 * Options that `serve()` and `mount()` share.
 *
 * @example
 * ```ts
 * const options: RequestOptions = { shutdownDelay: 5_000, drainTimeout: 20_000, readinessPath: "/ready" };
 * ```
 */
export interface RequestOptions {
  /** Name of the group the requests run in (a path segment). Default `http`. */
  name?: string;
  /**
   * Milliseconds that in-flight requests get to finish once the drain began
   * (at the first signal under `main()`, or when the group is halted).
   * Then they are halted: a 503 if nothing was sent yet. Default 5 000;
   * keep it below `main()`'s `teardownTimeout`.
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

/** The handler and the options, checked where they are written; the options with their defaults. */
export function checkRequestOptions(
  caller: string,
  handler: RequestHandler,
  options: RequestOptions,
): RequestSettings {
  if (typeof handler !== "function") throw new TypeError(`${caller}: handler must be a generator function`);
  const { name = "http", drainTimeout = 5_000, shutdownDelay = 0, readinessPath, onError, onDrain } = options;
  if (typeof name !== "string" || name === "" || name.includes("/")) {
    throw new TypeError(
      `${caller}: name must be a non-empty string without "/", got ${JSON.stringify(name)}`,
    );
  }
  for (const [key, ms] of [
    ["drainTimeout", drainTimeout],
    ["shutdownDelay", shutdownDelay],
  ] as const) {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`${caller}: ${key} must be a number of milliseconds >= 0, got ${ms}`);
    }
  }
  if (readinessPath !== undefined && (typeof readinessPath !== "string" || !readinessPath.startsWith("/"))) {
    throw new TypeError(`${caller}: readinessPath must start with "/", got ${JSON.stringify(readinessPath)}`);
  }
  for (const [key, callback] of [
    ["onError", onError],
    ["onDrain", onDrain],
  ] as const) {
    if (callback !== undefined && typeof callback !== "function") {
      throw new TypeError(`${caller}: ${key} must be a function`);
    }
  }
  return { name, drainTimeout, shutdownDelay, readinessPath, onError, onDrain };
}
