// An embedded fake MPD (Music Player Daemon) server for the MPD client demo
// and its tests. It speaks just enough of MPD's line-based text protocol
// (greeting, ping, status, currentsong, play/pause/stop, setvol, idle/noidle,
// close) on a loopback port, and can misbehave on purpose (slow handshake,
// dropped connections, ACK errors) so that reconnects, timeouts and
// cancellation can be shown and tested without a real MPD.
// Plain Node (node:net): it does not use unwind or effection.
import { createServer, type Server, type Socket } from "node:net";

/**
 * Options of {@link startFakeMpd}; every field is optional.
 *
 * @example
 * const mpd = await startFakeMpd({ handshakeDelayMs: 200, dropFirst: 1, ack: { stop: { code: 4, message: "no" } } });
 */
export interface FakeMpdOptions {
  /** Loopback address to listen on: "127.0.0.1" (default), "::1", "localhost" or another 127.x.y.z. */
  host?: string;
  /** Port to listen on; 0 (default) picks a free port, see {@link FakeMpd.port}. */
  port?: number;
  /** Version sent in the greeting `OK MPD <version>`; default "0.23.5". */
  version?: string;
  /** Wait this long after accepting a connection before sending the greeting. */
  handshakeDelayMs?: number;
  /** The first N accepted connections are destroyed at once, before any handshake. */
  dropFirst?: number;
  /** On every connection, after receiving this many commands, destroy the socket without answering the last one. */
  dropAfterCommands?: number;
  /** Commands (by name) that answer `ACK [code@0] {name} message` instead of doing anything. */
  ack?: Record<string, { code: number; message: string }>;
  /**
   * Aborting it while the server starts closes what was opened, then
   * rejects with `signal.reason` (pass `abortable()`'s signal).
   */
  signal?: AbortSignal;
}

/**
 * A running fake MPD server, from {@link startFakeMpd}.
 *
 * @example
 * const mpd = await startFakeMpd();
 * try {
 *   // connect a client to mpd.host:mpd.port, send "idle", then:
 *   await mpd.waitForCommand("idle");
 *   mpd.emitChange("player"); // the client reads "changed: player" and "OK"
 * } finally {
 *   await mpd.close();
 * }
 */
export interface FakeMpd {
  /** The address it listens on, e.g. "127.0.0.1". */
  readonly host: string;
  /** The port it listens on (the one picked when `port` was 0). */
  readonly port: number;
  /** Every command line received (without the newline), in order, over all connections. */
  readonly commands: string[];
  /** Connections accepted so far (including dropped ones). */
  readonly connections: number;
  /** Connections currently open. */
  readonly open: number;
  /** Record a change in `subsystem` ("player", "mixer", ...): wakes idle clients. */
  emitChange(subsystem: string): void;
  /** Resolves when the server has received `command` (exact line) — for tests; resolves at once if already received. */
  waitForCommand(command: string): Promise<void>;
  /** Stops listening and destroys every open connection; resolves when closed. */
  close(): Promise<void>;
}

type PlayerState = "stop" | "play" | "pause";

/** What the server knows about one accepted (not dropped) connection. */
interface Connection {
  readonly socket: Socket;
  /** Input not yet split into lines (a partial line). */
  buffer: string;
  /** Greeting sent: lines are handled from now on. */
  greeted: boolean;
  /** No more input is handled (closing, closed or dropped). */
  done: boolean;
  /** Commands received on this connection. */
  received: number;
  /** Subsystems changed since the last idle answer, in the order they first changed. */
  readonly pending: Set<string>;
  /** While idle: the subsystems it waits for (null: any); undefined when not idle. */
  idle: Set<string> | null | undefined;
  handshakeTimer: NodeJS.Timeout | undefined;
  /** Resolves on the socket's 'close' event. */
  readonly closed: Promise<void>;
}

const SONG = [
  "file: demo/unwind-blues.flac",
  "Title: Unwind Blues",
  "Artist: The Structured Concurrents",
  "Pos: 0",
  "Id: 1",
];

/**
 * Starts a fake MPD server on a loopback port and resolves once it listens.
 * Player state (stop/play/pause, volume 50, one song) is shared by all its
 * connections; each connection has its own pending idle changes. It rejects
 * if `host` is not a loopback address or the port cannot be bound, and
 * with `signal.reason`, after closing the port, if `signal` aborts first.
 *
 * @example
 * import { connect } from "node:net";
 * const mpd = await startFakeMpd();
 * const socket = connect(mpd.port, mpd.host);
 * socket.setEncoding("utf8").on("data", (text) => process.stdout.write(text)); // "OK MPD 0.23.5\nOK\n"
 * socket.write("ping\n");
 * // ...
 * await mpd.close();
 */
export async function startFakeMpd(options: FakeMpdOptions = {}): Promise<FakeMpd> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopback(host)) throw new RangeError(`fake MPD listens on loopback only, not on "${host}"`);
  const version = options.version ?? "0.23.5";
  const handshakeDelayMs = checkCount("handshakeDelayMs", options.handshakeDelayMs ?? 0, 0);
  const dropFirst = checkCount("dropFirst", options.dropFirst ?? 0, 0);
  const dropAfterCommands =
    options.dropAfterCommands === undefined
      ? undefined
      : checkCount("dropAfterCommands", options.dropAfterCommands, 1);
  const acks = new Map(Object.entries(options.ack ?? {}));

  const commands: string[] = [];
  const waiters = new Map<string, Array<{ resolve: () => void; reject: (error: Error) => void }>>();
  const live = new Set<Connection>();
  let accepted = 0;
  let state: PlayerState = "stop";
  let volume = 50;
  let closing: Promise<void> | undefined;

  const write = (connection: Connection, lines: readonly string[]) => {
    const { socket } = connection;
    if (socket.destroyed || !socket.writable) return;
    socket.write(lines.map((line) => `${line}\n`).join(""));
  };

  /** Answers a waiting idle with its matching pending changes, then forgets all pending changes (as MPD does). */
  const answerIdle = (connection: Connection) => {
    const filter = connection.idle;
    const changed = [...connection.pending].filter((name) => !filter || filter.has(name));
    connection.pending.clear();
    connection.idle = undefined;
    write(connection, [...changed.map((name) => `changed: ${name}`), "OK"]);
  };

  const emitChange = (subsystem: string) => {
    for (const connection of live) {
      if (connection.done) continue;
      connection.pending.add(subsystem);
      const filter = connection.idle;
      if (filter !== undefined && (filter === null || filter.has(subsystem))) answerIdle(connection);
    }
  };

  const drop = (connection: Connection) => {
    connection.done = true;
    connection.socket.destroy();
  };

  const record = (line: string) => {
    commands.push(line);
    const waiting = waiters.get(line);
    if (waiting) {
      waiters.delete(line);
      for (const waiter of waiting) waiter.resolve();
    }
  };

  /** Handles one command line; returns the lines to answer (none: no answer). */
  const execute = (connection: Connection, name: string, args: string[]): string[] => {
    const ack = acks.get(name);
    if (ack) return [`ACK [${ack.code}@0] {${name}} ${ack.message}`];
    switch (name) {
      case "ping":
        return ["OK"];
      case "status":
        return [
          `volume: ${volume}`,
          "repeat: 0",
          "random: 0",
          "single: 0",
          "consume: 0",
          "playlist: 2",
          "playlistlength: 1",
          `state: ${state}`,
          "song: 0",
          "songid: 1",
          "OK",
        ];
      case "currentsong":
        return [...SONG, "OK"];
      case "play":
        state = "play";
        emitChange("player");
        return ["OK"];
      case "pause": {
        const arg = args[0];
        if (arg !== undefined && arg !== "0" && arg !== "1") {
          return [`ACK [2@0] {pause} Boolean (0/1) expected: ${arg}`];
        }
        if (state !== "stop") {
          const pause = arg === undefined ? state === "play" : arg === "1";
          state = pause ? "pause" : "play";
        }
        emitChange("player");
        return ["OK"];
      }
      case "stop":
        state = "stop";
        emitChange("player");
        return ["OK"];
      case "setvol": {
        const arg = args[0];
        if (arg === undefined || args.length > 1) {
          return [`ACK [2@0] {setvol} wrong number of arguments for "setvol"`];
        }
        const value = /^\d+$/.test(arg) ? Number(arg) : Number.NaN;
        if (!(value >= 0 && value <= 100)) return ["ACK [2@0] {setvol} Invalid volume value"];
        volume = value;
        emitChange("mixer");
        return ["OK"];
      }
      case "idle":
        connection.idle = args.length === 0 ? null : new Set(args);
        if (
          [...connection.pending].some((change) => connection.idle === null || connection.idle?.has(change))
        ) {
          answerIdle(connection);
        }
        return [];
      case "noidle":
        return []; // not idle: MPD ignores it, without an answer
      case "close":
        connection.done = true;
        connection.socket.end(() => connection.socket.destroy());
        return [];
      default:
        return [`ACK [5@0] {${name}} unknown command "${name}"`];
    }
  };

  const handleLine = (connection: Connection, line: string) => {
    record(line);
    connection.received += 1;
    if (dropAfterCommands !== undefined && connection.received >= dropAfterCommands) {
      drop(connection);
      return;
    }
    const words = splitWords(line);
    const name = words[0] ?? "";
    if (connection.idle !== undefined) {
      // While idle, MPD only accepts "noidle"; anything else closes the connection.
      if (name === "noidle" && words.length === 1) answerIdle(connection);
      else drop(connection);
      return;
    }
    if (name === "") {
      write(connection, ["ACK [5@0] {} No command given"]);
      return;
    }
    write(connection, execute(connection, name, words.slice(1)));
  };

  const handleInput = (connection: Connection) => {
    if (!connection.greeted) return; // input sent before the greeting waits for it
    let end = connection.buffer.indexOf("\n");
    while (end >= 0 && !connection.done) {
      const line = connection.buffer.slice(0, end);
      connection.buffer = connection.buffer.slice(end + 1);
      handleLine(connection, line);
      end = connection.buffer.indexOf("\n");
    }
  };

  const greet = (connection: Connection) => {
    connection.handshakeTimer = undefined;
    if (connection.done) return;
    connection.greeted = true;
    write(connection, [`OK MPD ${version}`]);
    handleInput(connection);
  };

  const server: Server = createServer((socket) => {
    accepted += 1;
    socket.on("error", () => {}); // a bad client must not crash the server; 'close' follows
    if (accepted <= dropFirst || closing) {
      socket.destroy();
      return;
    }
    const connection: Connection = {
      socket,
      buffer: "",
      greeted: false,
      done: false,
      received: 0,
      pending: new Set(),
      idle: undefined,
      handshakeTimer: undefined,
      closed: new Promise((resolve) => socket.once("close", () => resolve())),
    };
    live.add(connection);
    socket.once("close", () => {
      connection.done = true;
      clearTimeout(connection.handshakeTimer);
      live.delete(connection);
    });
    socket.setEncoding("utf8"); // a UTF-8 character split over two chunks stays whole
    socket.on("data", (chunk: string) => {
      if (connection.done) return;
      connection.buffer += chunk;
      try {
        handleInput(connection);
      } catch {
        drop(connection); // a bug in one connection's handling must not take the server down
      }
    });
    if (handshakeDelayMs > 0)
      connection.handshakeTimer = setTimeout(() => greet(connection), handshakeDelayMs);
    else greet(connection);
  });
  server.on("error", () => {}); // errors after listening (rare) must not crash the process

  const { signal } = options;
  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    server.once("error", failed);
    server.listen({ host, port: options.port ?? 0 }, () => {
      server.off("error", failed);
      // Aborted while starting: close the port before saying so, so that
      // whoever waits for this promise knows that nothing is left open.
      if (signal?.aborted) server.close(() => reject(signal.reason));
      else resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("fake MPD: unexpected server address");

  const close = (): Promise<void> => {
    closing ??= (async () => {
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      const socketsClosed = [...live].map((connection) => {
        drop(connection);
        return connection.closed;
      });
      for (const [command, waiting] of waiters) {
        for (const waiter of waiting)
          waiter.reject(new Error(`fake MPD closed before receiving "${command}"`));
      }
      waiters.clear();
      await Promise.all([serverClosed, ...socketsClosed]);
    })();
    return closing;
  };

  return {
    host: address.address,
    port: address.port,
    commands,
    get connections() {
      return accepted;
    },
    get open() {
      return live.size;
    },
    emitChange,
    waitForCommand(command: string) {
      if (commands.includes(command)) return Promise.resolve();
      if (closing) return Promise.reject(new Error(`fake MPD closed before receiving "${command}"`));
      return new Promise<void>((resolve, reject) => {
        const waiting = waiters.get(command) ?? [];
        waiting.push({ resolve, reject });
        waiters.set(command, waiting);
      });
    },
    close,
  };
}

/** Splits a command line into words; a double-quoted word may hold spaces and `\"` / `\\` escapes. */
function splitWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const match of line.matchAll(pattern)) {
    const quoted = match[1];
    words.push(quoted === undefined ? (match[2] ?? "") : quoted.replace(/\\(.)/g, "$1"));
  }
  return words;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`fake MPD: ${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}
