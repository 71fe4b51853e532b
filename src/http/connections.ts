import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** A request scope as its connection sees it: told when the client goes away. */
export interface ClientBound {
  clientLeft(): void;
}

/** What the ledger knows of one connection. */
interface Connection {
  /**
   * The response to the newest request read on this connection. Node sends
   * a connection's responses in the order of its requests (HTTP/1.1
   * pipelining), so when this one has finished, all of them have.
   */
  newest: ServerResponse | undefined;
  /** The response the drain marked `Connection: close`, while its headers are unsent. */
  marked: ServerResponse | undefined;
  /** Request scopes still running for requests of this connection. */
  scopes: Set<ClientBound> | undefined;
}

/**
 * The connections that requests came on, and what the drain does with them.
 *
 * Node's own tools do not fit a drain that loses nothing: `server.close()`
 * and `closeIdleConnections()` destroy a connection whose response has
 * ended but is still being sent to a slow reader (Node counts it idle once
 * `end()` returned); a response queued behind another on a pipelined
 * connection never hears that its client left; and an upgraded connection
 * (WebSocket) leaves Node's list, so nothing closes it and `server.close()`
 * never finishes. So the ledger keeps its own view:
 *
 * - a client that goes away halts every request scope of its connection;
 * - at the drain's start the newest response of each connection, if its
 *   headers are unsent, gets `Connection: close` (only the newest: Node
 *   drops every response queued behind one that closes the connection);
 *   a request read later on that connection moves the mark to its response;
 * - the drain waits until the newest response of every connection has been
 *   flushed (its `'finish'`) or its connection closed;
 * - a drain that hands over (a cluster's reload) closes no idle connection
 *   and also waits for those, and for the ones that have not sent a
 *   request yet, until they close: a request already on its way on one is
 *   served (with `Connection: close`) rather than reset.
 *
 * When it `ownsSockets` (`serve()`, `adoptServer()`), it also closes each
 * connection once it has nothing left to send in the drain (at once if it
 * was idle), and destroys whatever is left at the end: connections that
 * never sent a whole request (a client trickling its request head),
 * upgraded ones, responses that outlived the deadline. (Connections that
 * never carried a request are left open until then, not closed at the
 * drain's start: a request that arrives on one gets a clean 503, and an
 * upgraded connection looks the same from here.)
 */
export class Connections {
  private readonly open = new Map<Socket, Connection>();
  /** Set at the drain's start: connections whose newest response is not flushed yet. */
  private flushing: Set<Socket> | undefined;
  private onFlushed: (() => void) | undefined;
  /** Set at the drain's start: every open connection is waited for (see `startDrain`). */
  private handingOver = false;

  constructor(private readonly ownsSockets: boolean) {}

  /** A connection the server accepted (`serve()` sees them all; `mount()` only those with requests). */
  readonly accept = (socket: Socket): void => {
    this.connectionOf(socket);
    // Accepted just as the listening stopped, during a hand-over: waited for like the others.
    if (this.handingOver) this.flushing?.add(socket);
  };

  /** A request was read: its response is now the newest of its connection. */
  requestArrived(req: IncomingMessage, res: ServerResponse): void {
    // Absent only with a fake request (an in-process `inject()` of a framework).
    const socket = req.socket as Socket | null;
    if (!socket) return;
    const connection = this.connectionOf(socket);
    connection.newest = res;
    if (this.flushing) {
      this.markClosing(connection, res);
      this.waitForFlush(socket, connection, res);
    }
  }

  /** Is `res` the response to the newest request of its connection (or is the connection unknown)? */
  isNewest(req: IncomingMessage, res: ServerResponse): boolean {
    const connection = this.known(req);
    return connection === undefined || connection.newest === res;
  }

  /** `scope` is told when the connection of `req` closes, until `unbind()`. */
  bind(req: IncomingMessage, scope: ClientBound): void {
    const connection = this.known(req);
    if (connection) (connection.scopes ??= new Set()).add(scope);
  }

  unbind(req: IncomingMessage, scope: ClientBound): void {
    this.known(req)?.scopes?.delete(scope);
  }

  /** True while some connection still has a response to flush, or in a hand-over is still open (only counted from the drain's start). */
  get unflushed(): boolean {
    return this.flushing !== undefined && this.flushing.size > 0;
  }

  /**
   * The drain begins: marks the newest unsent responses `Connection: close`,
   * closes idle connections (when it owns them) and calls `onFlushed` each
   * time the last unflushed response is gone. With `handOver`, idle
   * connections and those without a request yet stay open and count as
   * unflushed until they close: the next request on one is marked like any
   * request read during the drain, and its connection closes after it.
   */
  startDrain(onFlushed: () => void, handOver = false): void {
    if (this.flushing) return;
    this.flushing = new Set();
    this.onFlushed = onFlushed;
    this.handingOver = handOver;
    for (const [socket, connection] of this.open) {
      const res = connection.newest;
      if (handOver && (res === undefined || res.writableFinished)) {
        this.flushing.add(socket);
        continue;
      }
      if (res === undefined) continue; // no request yet, or upgraded: left until the end
      if (res.writableFinished) {
        if (this.ownsSockets) socket.destroy();
        continue;
      }
      this.markClosing(connection, res);
      this.waitForFlush(socket, connection, res);
    }
  }

  /** Destroys every connection still open (when it owns them): the end of the server. */
  destroyAll(): void {
    if (!this.ownsSockets) return;
    for (const socket of this.open.keys()) socket.destroy();
  }

  private known(req: IncomingMessage): Connection | undefined {
    const socket = req.socket as Socket | null;
    return socket ? this.open.get(socket) : undefined;
  }

  private connectionOf(socket: Socket): Connection {
    let connection = this.open.get(socket);
    if (!connection) {
      connection = { newest: undefined, marked: undefined, scopes: undefined };
      this.open.set(socket, connection);
      const known = connection;
      socket.on("close", () => this.closed(socket, known));
    }
    return connection;
  }

  private closed(socket: Socket, connection: Connection): void {
    this.open.delete(socket);
    if (connection.scopes) for (const scope of connection.scopes) scope.clientLeft();
    this.flushed(socket);
  }

  /** Only the newest response of a connection may close it: earlier marks go. */
  private markClosing(connection: Connection, res: ServerResponse): void {
    const previous = connection.marked;
    if (previous !== undefined && previous !== res && !previous.headersSent) {
      previous.removeHeader("connection");
    }
    connection.marked = undefined;
    if (!res.headersSent) {
      res.setHeader("connection", "close");
      connection.marked = res;
    }
  }

  private waitForFlush(socket: Socket, connection: Connection, res: ServerResponse): void {
    this.flushing?.add(socket);
    res.once("finish", () => {
      // A newer response arrived meanwhile: the connection waits for that one.
      if (connection.newest !== res) return;
      if (this.ownsSockets) socket.destroy();
      this.flushed(socket);
    });
  }

  private flushed(socket: Socket): void {
    if (this.flushing?.delete(socket) && this.flushing.size === 0) this.onFlushed?.();
  }
}
