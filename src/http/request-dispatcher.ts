import type { IncomingMessage, ServerResponse } from "node:http";
import type { Effect, Operation } from "effection";
import { observing } from "../core/observer.ts";
import type { TaskNode } from "../core/task-node.ts";
import type { GroupInternal } from "../core/types.ts";
import type { Connections } from "./connections.ts";
import type { RequestDrain } from "./request-drain.ts";
import type { RequestErrorInfo, RequestHandler } from "./request-handler.ts";
import { type RequestHost, RequestNode } from "./request-node.ts";
import type { RequestSettings } from "./request-options.ts";
import { targetName, targetsPath, withoutUserinfo } from "./request-target.ts";
import { answerError, answerShuttingDown, endResponse, respond } from "./responses.ts";
import { resume } from "./resume.ts";

/**
 * Turns each request into a run of the handler: the readiness path is
 * answered without one, a request that arrives once the drain began gets a
 * 503 (unless the drain hands over), every other runs the handler, in a
 * request scope under `group` once it waits. Errors of a request, even
 * after it was answered, are reported with its path; they never reach the
 * group.
 */
export class RequestDispatcher implements RequestHost {
  private sequence = 0;

  constructor(
    private readonly group: GroupInternal<TaskNode<unknown>>,
    private readonly handler: RequestHandler,
    private readonly settings: RequestSettings,
    private readonly drain: RequestDrain,
    private readonly connections: Connections,
  ) {}

  /** The `node:http` request listener. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    this.connections.requestArrived(req, res);
    const url = req.url ?? "/";
    const readinessPath = this.settings.readinessPath;
    if (readinessPath !== undefined && targetsPath(url, readinessPath)) {
      this.answerReadiness(res);
      return;
    }
    if (!this.drain.serving || this.group.state !== "running") {
      answerShuttingDown(res, true); // the newest response of its connection: it just arrived
      return;
    }
    const sequence = ++this.sequence;
    // Writing after end() (or ending twice) emits 'error' on the response,
    // and nobody else listens: it would take the process down.
    res.on("error", (error) => this.report(error, req, this.pathOf(req, sequence), "run"));
    if (observing.current) {
      // Traced (unwind/otel): every request gets its scope, so its first
      // step too runs inside the request's span.
      this.launch(req, res, sequence, () => this.handler(req, res));
      return;
    }
    // A handler's first step runs right here, on the request's own stack. A
    // handler that answers without ever waiting needs no scope (nothing can
    // cancel it, it registered no cleanup), so it costs what a plain
    // node:http handler costs. Only one that waits gets its request scope,
    // which goes on from where it stopped. (Rejected: a scope for every
    // request, one effection task even when unused; its cost is in
    // benchmarks/RESULTS.md, "HTTP: serve()".)
    let steps: Iterator<Effect<unknown>, void, unknown>;
    let first: IteratorResult<Effect<unknown>, void>;
    try {
      steps = this.handler(req, res)[Symbol.iterator]();
      first = steps.next();
    } catch (error) {
      this.report(error, req, this.pathOf(req, sequence), "run");
      answerError(res);
      return;
    }
    if (first.done) {
      const unfinished = endResponse(res);
      if (unfinished) this.report(unfinished, req, this.pathOf(req, sequence), "run");
      return;
    }
    this.launch(req, res, sequence, () => resume(steps, first));
  };

  /** Runs `rest` of the handler in a request scope under the group. */
  private launch(
    req: IncomingMessage,
    res: ServerResponse,
    sequence: number,
    rest: () => Operation<void>,
  ): void {
    const request = new RequestNode(this.group, nameOf(req, sequence), req, res, this);
    this.drain.admit(request);
    this.connections.bind(req, request);
    this.group.launch(request, rest);
  }

  /**
   * `Expect: 100-continue`: the client waits for a go-ahead before it sends
   * its body. Node would send it before any listener runs; a draining server
   * must not, or the client uploads for nothing: it gets the 503 at once.
   */
  readonly checkContinue = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.drain.serving && this.group.state === "running") res.writeContinue();
    this.listener(req, res);
  };

  /** The readiness path's own listener (`mount()`'s `readiness`). */
  readonly readiness = (req: IncomingMessage, res: ServerResponse): void => {
    this.connections.requestArrived(req, res);
    this.answerReadiness(res);
  };

  /** A readiness probe: 200 while serving, 503 from the shutdown delay (or the drain) on. */
  private answerReadiness(res: ServerResponse): void {
    if (this.drain.ready && this.group.state === "running") respond(res, 200, "ready\n");
    else respond(res, 503, "draining\n", true);
  }

  answerShuttingDown(req: IncomingMessage, res: ServerResponse): void {
    answerShuttingDown(res, this.connections.isNewest(req, res));
  }

  requestEnded(request: RequestNode): void {
    this.connections.unbind(request.req, request);
    this.drain.requestEnded(request);
  }

  report(error: unknown, req: IncomingMessage, path: string, phase: "run" | "teardown"): void {
    const info: RequestErrorInfo = {
      method: req.method ?? "GET",
      url: withoutUserinfo(req.url ?? "/"),
      path,
      phase,
    };
    const onError = this.settings.onError ?? printError;
    try {
      onError(error, info);
    } catch (thrown) {
      // The error handler itself failed: print both rather than lose either.
      printError(error, info);
      printError(thrown, info);
    }
  }

  private pathOf(req: IncomingMessage, sequence: number): string {
    return `${this.group.path}/${nameOf(req, sequence)}`;
  }
}

/** `GET /users #12`: method and path, without the query or any credentials (secrets). */
function nameOf(req: IncomingMessage, sequence: number): string {
  return `${req.method} ${targetName(req.url ?? "/")} #${sequence}`;
}

function printError(error: unknown, info: RequestErrorInfo): void {
  const what = info.phase === "run" ? "failed" : "cleanup failed";
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${info.path}: ${info.method} ${info.url} ${what}: ${detail}\n`);
}
