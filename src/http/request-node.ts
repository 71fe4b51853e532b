import type { IncomingMessage, ServerResponse } from "node:http";
import type { Operation } from "effection";
import { HaltReason } from "../core/halt-reason.ts";
import { type ObservedExchange, observing } from "../core/observer.ts";
import { TaskNode } from "../core/task-node.ts";
import { swallowedHaltError } from "../core/task-run.ts";
import type { TaskFailure, TaskParent } from "../core/types.ts";
import type { ClientBound } from "./connections.ts";
import { answerError, endResponse } from "./responses.ts";

/** Where a request scope reports its errors and its end, and how it refuses (a `RequestDispatcher`). */
export interface RequestHost {
  report(error: unknown, req: IncomingMessage, path: string, phase: "run" | "teardown"): void;
  requestEnded(request: RequestNode): void;
  /** Answers a request halted before it sent anything with a 503. */
  answerShuttingDown(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * The scope of one HTTP request: a task of the server's group, so it costs
 * one effection task (a whole `group()` per request costs about three, and
 * cut the request rate accordingly: benchmarks/RESULTS.md). It is still a
 * full unwind scope: halt reason, cancel signal, cleanups and nested groups.
 *
 * Its errors never fail the server's group: they are reported and answered
 * with a 500, so one broken request does not touch the others.
 */
export class RequestNode extends TaskNode<void> implements ClientBound {
  constructor(
    group: TaskParent<TaskNode<unknown>>,
    name: string,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    private readonly host: RequestHost,
  ) {
    super(group, name);
  }

  /** For a tracer (observer.ts): the exchange this scope answers. */
  get exchange(): ObservedExchange {
    const { req, res } = this;
    return {
      method: req.method ?? "GET",
      target: req.url ?? "/",
      httpVersion: req.httpVersion,
      headers: req.headers,
      sentStatus: res.headersSent ? res.statusCode : undefined,
    };
  }

  // The request scope's body is the rest of the handler, run as any task's
  // is (`TaskRun`: it sees a halt the handler swallowed, and runs each step
  // in the scope's span when traced); what the handler left undone is
  // done as the body ends, however it ends.

  override bodyReturned(): void {
    const unfinished = endResponse(this.res);
    if (unfinished) this.report(unfinished, "run");
  }

  override bodyFailed(error: unknown, halted: boolean): void {
    this.report(error, halted ? "teardown" : "run");
    answerError(this.res);
  }

  override bodySwallowedHalt(): void {
    this.report(swallowedHaltError(this.path), "teardown");
  }

  bodyEnded(): void {
    this.handled = true;
    // Halted (drain timeout, server halted): answer if the client is still there.
    const { res } = this;
    const reason = this.haltReason;
    if (reason && reason.kind !== "client-disconnected" && !res.writableEnded) {
      if (!res.headersSent) this.host.answerShuttingDown(this.req, res);
      else res.destroy();
    }
  }

  private report(error: unknown, phase: "run" | "teardown"): void {
    observing.current?.failed(this, error, phase);
    this.host.report(error, this.req, this.path, phase);
  }

  /** Set once the handler is over: a connection that closes after that halts nothing. */
  private handled = false;

  /** The connection closed: before the response was sent, that means the client left. */
  clientLeft(): void {
    if (!this.handled && !this.res.writableFinished) {
      this.haltInBackground(HaltReason.clientDisconnected());
    }
  }

  override settle(): Operation<void> {
    const first = !this.settled;
    const done = super.settle();
    if (first) this.host.requestEnded(this);
    return done;
  }

  override cleanupFailed(error: unknown): void {
    this.report(error, "teardown");
  }

  override adopt(failures: readonly TaskFailure[]): void {
    // Errors of a nested group: its own trace has them already.
    for (const failure of failures) this.host.report(failure.error, this.req, this.path, failure.phase);
  }
}
