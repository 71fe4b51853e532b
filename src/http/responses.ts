import type { ServerResponse } from "node:http";

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
 * A 503 for a request the server will not run (or stopped running) because
 * it shuts down, telling the client to retry elsewhere. `closeConnection`
 * only for the newest response of its connection: a pipelined response
 * behind one that says `Connection: close` would never be sent.
 */
export function answerShuttingDown(res: ServerResponse, closeConnection: boolean): void {
  respond(res, 503, "the server is shutting down\n", closeConnection);
}

/**
 * A short plain-text answer. A 503 tells the client when to retry; with
 * `close`, the connection closes after it (`Connection: close`).
 */
export function respond(res: ServerResponse, status: number, body: string, close = false): void {
  const headers: Record<string, string> = { "content-type": "text/plain; charset=utf-8" };
  if (status === 503) headers["retry-after"] = "1";
  if (close) headers.connection = "close";
  res.writeHead(status, headers);
  res.end(body);
}
