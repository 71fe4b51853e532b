import { type Agent, get as httpGet, type IncomingHttpHeaders, request } from "node:http";

/** A whole response as the client saw it. */
export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A request that got no whole response: the client's error code (ECONNREFUSED, ECONNRESET, ...). */
export interface Failed {
  readonly error: string;
}

export interface SendOptions {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  /** Default: a fresh connection per request. */
  agent?: Agent | false;
  /** Destroys the request this many ms after it was sent (a client going away). */
  abortAfterMs?: number;
}

/** Sends one request over node:http and resolves with the reply or the client's error; never rejects. */
export function send(url: string, options: SendOptions = {}): Promise<Reply | Failed> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: options.method ?? "GET", headers: options.headers, agent: options.agent ?? false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(options.body);
    if (options.abortAfterMs !== undefined) setTimeout(() => req.destroy(), options.abortAfterMs);
  });
}

/** A GET as a load sees it: which request, on which connection, and how it ended. */
export interface GetReply {
  path: string;
  /** Whether the request went out on a kept-alive connection (not a new one). */
  reused: boolean;
  status?: number | undefined;
  connection?: string | undefined;
  body?: string;
  /** The error code, when no complete response arrived ("truncated" when the response was cut off). */
  error?: string;
}

/** GETs `base + path` and resolves with what came back, or how it failed; never rejects. */
export function get(base: string, path: string, agent: Agent | false = false): Promise<GetReply> {
  return new Promise((resolve) => {
    const req = httpGet(base + path, { agent }, (res) => {
      const head = {
        path,
        reused: req.reusedSocket,
        status: res.statusCode,
        connection: res.headers.connection,
      };
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ ...head, body }));
      res.on("error", (error: NodeJS.ErrnoException) =>
        resolve({ ...head, error: error.code ?? error.message }),
      );
      res.on("close", () => {
        if (!res.complete) resolve({ ...head, error: "truncated" });
      });
    });
    req.on("error", (error: NodeJS.ErrnoException) =>
      resolve({ path, reused: req.reusedSocket, error: error.code ?? error.message }),
    );
    // A hang guard, far above any answer's time: a request left hanging is a failure to report.
    req.setTimeout(15_000, () => req.destroy(new Error("no answer within 15 s")));
  });
}

/** The reply, or a failed assertion naming the client's error. */
export function replied(outcome: Reply | Failed): Reply {
  if ("error" in outcome) throw new Error(`expected a response, got ${outcome.error}`);
  return outcome;
}

/** Resolves once `check()` is true, polling every few ms; rejects after `ms`. */
export async function waitUntil(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
