import { once } from "node:events";
import type { Socket } from "node:net";
import { type Operation, scoped, until } from "effection";
import { GroupError, group, onTeardown, withTimeout } from "unwind";
import { AsyncQueue } from "./async-queue.ts";
import { type ConnectOptions, connectWithRetry } from "./connect.ts";
import { MpdError, type MpdResponse, ResponseParser } from "./protocol.ts";

/** The connection went away (MPD restarted, network dropped). */
export class ConnectionLost extends Error {
  override name = "ConnectionLost";
}

interface Pending {
  readonly line: string;
  readonly idle: boolean;
  readonly response: Promise<MpdResponse>;
  resolve(response: MpdResponse): void;
  reject(error: Error): void;
}

/**
 * An MPD client: callers anywhere in the program send commands; one writer
 * task sends them in order; one reader task parses the responses and hands
 * each to its caller (responses come back in the order of the commands).
 * `run()` keeps it connected: it reconnects after a dropped connection.
 *
 * The tasks live in the group of whoever runs `run()`, so the client shuts
 * down with that part of the tree: a pending `idle` is cancelled with
 * `noidle`, then `close` is sent and the socket ends.
 */
export class MpdClient {
  version: string | undefined;
  private readonly queue = new AsyncQueue<Pending>();
  private inFlight: Pending[] = [];
  private socket: Socket | undefined;

  constructor(private readonly options: ConnectOptions) {}

  private get trace(): (line: string) => void {
    return this.options.trace ?? (() => {});
  }

  /** Sends one command and returns its response; an ACK throws an `MpdError`. */
  command(line: string): Operation<MpdResponse> {
    return until(this.enqueue(line, false).response);
  }

  /**
   * Waits for changes (`idle player mixer`) and returns the changed
   * subsystems. Another command sent meanwhile ends the idle early (with no
   * changes): the client sends `noidle` first, as MPD requires. If the
   * caller is halted, the idle is cancelled with `noidle` and its answer
   * awaited, so the connection stays usable and the server is not left idling.
   */
  idle(...subsystems: string[]): Operation<string[]> {
    const client = this;
    return scoped(function* () {
      const pending = client.enqueue(["idle", ...subsystems].join(" "), true);
      yield* onTeardown(async () => {
        if (client.queue.remove(pending)) return; // never sent
        if (!client.inFlight.includes(pending) || !client.socket) return;
        client.socket.write("noidle\n");
        client.trace("sent noidle to cancel the pending idle");
        await pending.response.catch(() => {});
        client.trace("MPD answered the cancelled idle");
      });
      const response = yield* until(pending.response);
      return response.fields.filter(([key]) => key === "changed").map(([, value]) => value);
    });
  }

  private enqueue(line: string, idle: boolean): Pending {
    let resolve!: (response: MpdResponse) => void;
    let reject!: (error: Error) => void;
    const response = new Promise<MpdResponse>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    // A caller that stops waiting must not turn a later failure into an unhandled rejection.
    response.catch(() => {});
    const pending = { line, idle, response, resolve, reject };
    this.queue.push(pending);
    return pending;
  }

  /**
   * Connects, and stays connected until halted: after a dropped connection
   * it connects again (commands waiting in the queue are sent then; those
   * already sent fail with `ConnectionLost`). `ready` is called after the
   * first successful handshake (it can be `g.start()`'s `ready`, which may
   * be called only once).
   */
  *run(ready: () => void = () => {}): Operation<void> {
    let first: (() => void) | undefined = ready;
    const connected = () => {
      first?.();
      first = undefined;
    };
    for (;;) {
      try {
        yield* this.session(connected);
      } catch (error) {
        if (!isConnectionLost(error)) throw error;
        for (const pending of this.inFlight.splice(0))
          pending.reject(new ConnectionLost(`lost: ${pending.line}`));
        this.trace("connection lost; reconnecting");
      }
    }
  }

  /** One connection: handshake, then a writer and a reader until it drops or is halted. */
  private *session(connected: () => void): Operation<void> {
    const { host, port } = this.options;
    const socket = yield* connectWithRetry(this.options);
    this.socket = socket;
    // Registered before the reader and writer exist, so it runs after they
    // have stopped: the last thing said on the connection is `close`.
    yield* onTeardown(async () => {
      this.socket = undefined;
      if (socket.destroyed) return;
      const closed = once(socket, "close");
      socket.end("close\n");
      this.trace("sent close");
      await closed;
      this.trace("socket closed");
    });
    const lines = readLines(socket);
    const greeting = yield* withTimeout(this.options.connectTimeout ?? 3000, lines.take());
    if (greeting === null || !greeting.startsWith("OK MPD ")) {
      throw new Error(`${host}:${port} is not MPD: it said ${JSON.stringify(greeting)}`);
    }
    this.version = greeting.slice("OK MPD ".length);
    this.trace(`connected to ${host}:${port}, MPD ${this.version}`);
    const client = this;
    yield* group(function* (g) {
      g.spawn(() => client.writer(socket), { name: "writer" });
      g.spawn(() => client.reader(lines), { name: "reader" });
      connected();
    });
  }

  private *writer(socket: Socket): Operation<void> {
    yield* onTeardown((reason) => this.trace(`writer stopped (${reason?.message ?? "done"})`));
    for (;;) {
      const next = yield* this.queue.take();
      // MPD answers nothing but `noidle` while idling: end the idle first.
      if (!next.idle && this.inFlight.some((p) => p.idle)) socket.write("noidle\n");
      this.inFlight.push(next);
      socket.write(`${next.line}\n`);
    }
  }

  private *reader(lines: AsyncQueue<string | null>): Operation<void> {
    yield* onTeardown((reason) => this.trace(`reader stopped (${reason?.message ?? "done"})`));
    const parser = new ResponseParser();
    for (;;) {
      const line = yield* lines.take();
      if (line === null) throw new ConnectionLost("MPD closed the connection");
      const result = parser.push(line);
      if (result === undefined) continue;
      const pending = this.inFlight.shift();
      if (!pending) throw new Error(`MPD sent a response nobody asked for (${line})`);
      if (result instanceof MpdError) pending.reject(result);
      else pending.resolve(result);
    }
  }
}

/** The socket's lines; `null` once it has closed. */
function readLines(socket: Socket): AsyncQueue<string | null> {
  const lines = new AsyncQueue<string | null>();
  let partial = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) lines.push(line);
  });
  socket.on("error", () => {}); // reported as a close, below
  socket.once("close", () => lines.push(null));
  return lines;
}

function isConnectionLost(error: unknown): boolean {
  if (error instanceof ConnectionLost) return true;
  return error instanceof GroupError && error.failures.every((f) => f.error instanceof ConnectionLost);
}
