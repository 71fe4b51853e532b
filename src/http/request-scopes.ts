import type { IncomingMessage, ServerResponse } from "node:http";
import { type Effect, type Operation, until } from "effection";
import type { Drainable } from "../core/drain-registry.ts";
import type { GroupNode } from "../core/group-node.ts";
import { HaltReason } from "../core/halt-reason.ts";
import type { RequestErrorInfo, RequestHandler } from "./request-handler.ts";
import { answerError, endResponse, type RequestHost, RequestNode, respond } from "./request-node.ts";
import type { RequestSettings } from "./request-options.ts";
import { resume } from "./resume.ts";

/**
 * Runs each request in its own scope under one group, and drains them:
 * from the drain's first moment new requests get a 503 with
 * `Connection: close`, in-flight ones are told to close their connection
 * and get `drainTimeout` ms to finish; the rest are then halted (a 503 if
 * nothing was sent yet).
 */
export class RequestScopes implements RequestHost, Drainable {
  /** Requests whose scope has not ended yet. */
  readonly inflight = new Set<RequestNode>();
  /** Made when the drain begins; resolves when nothing is in flight any more. */
  private drained: Promise<void> | undefined;
  private resolveDrained: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sequence = 0;
  /** Called once when the drain begins (`serve()` stops accepting there). */
  onDrainStart: (() => void) | undefined;
  /** Called for each response that ends during the drain (`serve()` closes its idle socket). */
  onDrainedResponse: ((res: ServerResponse) => void) | undefined;
  /**
   * Another process takes the traffic over (a cluster's reload, see
   * `Drainable.shutdownRequested`): the drain serves what still arrives,
   * with `Connection: close`, and lasts until the connections have closed.
   */
  handingOver = false;
  /** How many connections are open (`serve()` counts them); a hand-over waits for none. */
  openConnections: (() => number) | undefined;

  constructor(
    readonly group: GroupNode,
    private readonly handler: RequestHandler,
    private readonly options: RequestSettings,
  ) {}

  /** The `node:http` request listener. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url === this.options.readinessPath) {
      this.answerReadiness(res);
      return;
    }
    if ((this.draining && !this.handingOver) || this.group.state !== "running") {
      respond(res, 503, "the server is shutting down\n", true);
      return;
    }
    // Handed over: served as usual, and its connection closes after it.
    if (this.draining) res.setHeader("connection", "close");
    const sequence = ++this.sequence;
    // A handler's first step runs right here, on the request's own stack. A
    // handler that answers without ever waiting needs no scope (nothing can
    // cancel it, it registered no cleanup), so it costs what a plain
    // node:http handler costs. Only one that waits gets its request scope,
    // which goes on from where it stopped. (Rejected: a scope for every
    // request, one effection task of ~100 µs and ~24 KB even when unused.)
    let steps: Iterator<Effect<unknown>, void, unknown>;
    let first: IteratorResult<Effect<unknown>, void>;
    try {
      steps = this.handler(req, res)[Symbol.iterator]();
      first = steps.next();
    } catch (error) {
      this.report(error, req, `${this.group.path}/${nameOf(req, sequence)}`, "run");
      answerError(res);
      return;
    }
    if (first.done) {
      const unfinished = endResponse(res);
      if (unfinished) this.report(unfinished, req, `${this.group.path}/${nameOf(req, sequence)}`, "run");
      return;
    }
    const request = new RequestNode(this.group, nameOf(req, sequence), req, res, this);
    this.inflight.add(request);
    this.group.launch(request, () => resume(steps, first));
  };

  /** A readiness probe: 200 while serving, 503 from the first moment of the drain. */
  answerReadiness(res: ServerResponse): void {
    if (this.draining || this.group.state !== "running") respond(res, 503, "draining\n", true);
    else respond(res, 200, "ready\n");
  }

  requestEnded(request: RequestNode): void {
    this.inflight.delete(request);
    if (!this.draining) return;
    if (this.handingOver) {
      this.checkDrained(); // its connection closes by itself (Connection: close)
      return;
    }
    const { res } = request;
    const closeIdle = this.onDrainedResponse;
    if (closeIdle) {
      if (res.writableFinished || res.destroyed) closeIdle(res);
      else res.once("finish", () => closeIdle(res));
    }
    this.checkDrained();
  }

  report(error: unknown, req: IncomingMessage, path: string, phase: "run" | "teardown"): void {
    const info: RequestErrorInfo = { method: req.method ?? "GET", url: req.url ?? "/", path, phase };
    const onError = this.options.onError ?? printError;
    try {
      onError(error, info);
    } catch (thrown) {
      // The error handler itself failed: print both rather than lose either.
      printError(error, info);
      printError(thrown, info);
    }
  }

  /** True from the first moment of the drain. */
  get draining(): boolean {
    return this.drained !== undefined;
  }

  get drainInProgress(): boolean {
    return this.resolveDrained !== undefined;
  }

  shutdownRequested(_signal: NodeJS.Signals, handOver: boolean): void {
    if (handOver && !this.draining) this.handingOver = true;
  }

  /** A connection of the server closed: a hand-over may be over. */
  connectionClosed(): void {
    this.checkDrained();
  }

  beginDrain(): Promise<void> {
    if (this.drained) return this.drained;
    this.drained = new Promise((resolve) => {
      this.resolveDrained = resolve;
    });
    // Responses not started yet end their connection; the others have their
    // idle connection closed once they finish (onDrainedResponse).
    for (const { res } of this.inflight) {
      if (!res.headersSent) res.setHeader("connection", "close");
    }
    this.onDrainStart?.();
    try {
      this.options.onDrain?.({ inFlight: this.inflight.size });
    } catch (error) {
      // A broken callback must not stop the drain.
      process.stderr.write(`${this.group.path}: onDrain threw: ${String(error)}\n`);
    }
    if (this.inflight.size > 0 || (this.handingOver && (this.openConnections?.() ?? 0) > 0)) {
      this.timer = setTimeout(() => this.skipDrain(), this.options.drainTimeout);
    }
    this.checkDrained();
    return this.drained;
  }

  skipDrain(reason = HaltReason.timeout(this.group.path, this.options.drainTimeout)): void {
    if (!this.draining) void this.beginDrain();
    // No more waiting for connections to close: the teardown closes them.
    this.handingOver = false;
    for (const request of this.inflight) request.haltInBackground(reason);
    this.checkDrained();
  }

  private checkDrained(): void {
    if (!this.draining || this.inflight.size > 0 || !this.resolveDrained) return;
    if (this.handingOver && (this.openConnections?.() ?? 0) > 0) return;
    clearTimeout(this.timer);
    this.resolveDrained();
    this.resolveDrained = undefined;
  }
}

/** What `serve()` and `mount()` show of their drain to the caller. */
export interface DrainView {
  readonly draining: boolean;
  readonly inFlight: number;
  drain(): Operation<void>;
}

/** The caller's live view of `scopes`'s drain, for the handles of `serve()` and `mount()`. */
export function drainView(scopes: RequestScopes): DrainView {
  return {
    get draining() {
      return scopes.draining;
    },
    get inFlight() {
      return scopes.inflight.size;
    },
    drain: () => until(scopes.beginDrain()),
  };
}

/** `GET /users #12`: method and path, without the query (which may hold secrets). */
function nameOf(req: IncomingMessage, sequence: number): string {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  return `${req.method} ${query === -1 ? url : url.slice(0, query)} #${sequence}`;
}

function printError(error: unknown, info: RequestErrorInfo): void {
  const what = info.phase === "run" ? "failed" : "cleanup failed";
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${info.path}: ${info.method} ${info.url} ${what}: ${detail}\n`);
}
