import type { IncomingMessage, ServerResponse } from "node:http";
import { type Operation, useScope } from "effection";
import type { TaskFailure } from "../core/group-error.ts";
import type { GroupNode } from "../core/group-node.ts";
import { HaltReason } from "../core/halt-reason.ts";
import { TaskNode } from "../core/task-node.ts";

/** Where a request scope reports its errors and its end (a `RequestScopes`). */
export interface RequestHost {
  report(error: unknown, req: IncomingMessage, path: string, phase: "run" | "teardown"): void;
  requestEnded(request: RequestNode): void;
}

/**
 * The scope of one HTTP request: a task of the server's group, so it costs
 * one effection task (a whole `group()` per request costs about three, which
 * cut the request rate to ~0.4x of a plain effection scope). It is still a
 * full unwind scope: halt reason, cancel signal, cleanups and nested groups.
 *
 * Its errors never fail the server's group: they are reported and answered
 * with a 500, so one broken request does not touch the others.
 */
export class RequestNode extends TaskNode<void> {
  constructor(
    group: GroupNode,
    name: string,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    private readonly host: RequestHost,
  ) {
    super(group, name);
  }

  /**
   * The request scope's body: the rest of the handler, then whatever it
   * left undone. It replaces the task's usual body rather than wrapping it:
   * one generator less on every step of every request.
   */
  override *main(rest: () => Operation<void>): Operation<void> {
    this.enterScope(yield* useScope());
    const { res } = this;
    // 'close' before 'finish' means the client left. (`on`, not `once`: the
    // response is done with after 'close' anyway, and `once` allocates.)
    res.on("close", this.onClose);
    try {
      yield* rest();
      const unfinished = endResponse(res);
      if (unfinished) this.report(unfinished, "run");
    } catch (error) {
      this.report(error, "run");
      answerError(res);
    } finally {
      this.handled = true;
      // Halted (drain timeout, server halted): answer if the client is still there.
      const reason = this.haltReason;
      if (reason && reason.kind !== "client-disconnected" && !res.writableEnded) {
        if (!res.headersSent) respond(res, 503, "the server is shutting down\n", true);
        else res.destroy();
      }
    }
  }

  private report(error: unknown, phase: "run" | "teardown"): void {
    this.host.report(error, this.req, this.path, phase);
  }

  /** Set once the handler is over: a connection that closes after that halts nothing. */
  private handled = false;

  private readonly onClose = (): void => {
    if (!this.handled && !this.res.writableFinished) {
      this.haltInBackground(HaltReason.clientDisconnected());
    }
  };

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
    for (const failure of failures) this.report(failure.error, failure.phase);
  }
}

/**
 * The handler returned: a response it left open is ended for it. Returns the
 * error to report when it had sent nothing (it then gets a 500).
 */
export function endResponse(res: ServerResponse): Error | undefined {
  if (res.writableEnded) return undefined;
  if (res.headersSent) {
    res.end();
    return undefined;
  }
  respond(res, 500, "internal server error\n");
  return new Error("the handler returned without sending a response");
}

/** The handler threw: a 500, or, if the response had started, a cut connection. */
export function answerError(res: ServerResponse): void {
  if (!res.headersSent) respond(res, 500, "internal server error\n");
  // A half-sent body must not pass for a whole one.
  else res.destroy();
}

/**
 * A short plain-text answer. With `close`, the connection closes after it
 * (`Connection: close`) and the client is told to retry elsewhere.
 */
export function respond(res: ServerResponse, status: number, body: string, close = false): void {
  const headers: Record<string, string> = { "content-type": "text/plain; charset=utf-8" };
  if (close) {
    headers.connection = "close";
    headers["retry-after"] = "1";
  }
  res.writeHead(status, headers);
  res.end(body);
}
