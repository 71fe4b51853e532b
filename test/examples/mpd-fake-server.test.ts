import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { afterEach, describe, it } from "node:test";
import { type FakeMpd, type FakeMpdOptions, startFakeMpd } from "../../examples/mpd/fake-server.ts";
import { freePort } from "../helpers/free-port.ts";

/** A tiny line-reading MPD client over a real socket. */
class LineClient {
  readonly socket: Socket;
  /** Every line received, in order. */
  readonly received: string[] = [];
  /** Resolves on the socket's 'close' event. */
  readonly closed: Promise<void>;
  private partial = "";
  private read = 0;
  private isClosed = false;
  private readonly waiters: Array<() => void> = [];

  constructor(port: number) {
    this.socket = connect({ host: "127.0.0.1", port });
    this.socket.on("error", () => {}); // resets from the server end in 'close', checked by the tests
    this.socket.setEncoding("utf8");
    this.socket.on("data", (chunk: string) => {
      const parts = (this.partial + chunk).split("\n");
      this.partial = parts.pop() ?? "";
      this.received.push(...parts);
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      this.socket.once("close", () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
  }

  /** The next line not read yet; rejects if the connection closes first. */
  next(): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const line = this.received[this.read];
        if (line !== undefined) {
          this.read += 1;
          resolve(line);
        } else if (this.isClosed) {
          reject(new Error(`connection closed; lines so far: ${JSON.stringify(this.received)}`));
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }

  /** Reads lines up to and including the next `OK` or `ACK ...` line. */
  async response(): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.next();
      lines.push(line);
      if (line === "OK" || line.startsWith("ACK ")) return lines;
    }
  }

  /** Lines received but not read yet. */
  unread(): string[] {
    return this.received.slice(this.read);
  }

  send(...lines: string[]): void {
    this.socket.write(lines.map((line) => `${line}\n`).join(""));
  }

  /** Sends one command and reads its response. */
  async request(line: string): Promise<string[]> {
    this.send(line);
    return this.response();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

const servers: FakeMpd[] = [];
const clients: LineClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(options: FakeMpdOptions = {}): Promise<FakeMpd> {
  const mpd = await startFakeMpd(options);
  servers.push(mpd);
  return mpd;
}

function client(mpd: FakeMpd): LineClient {
  const line = new LineClient(mpd.port);
  clients.push(line);
  return line;
}

/** A client that has read the greeting. */
async function greeted(mpd: FakeMpd): Promise<LineClient> {
  const line = client(mpd);
  assert.equal(await line.next(), "OK MPD 0.23.5");
  return line;
}

const STATUS_STOPPED = [
  "volume: 50",
  "repeat: 0",
  "random: 0",
  "single: 0",
  "consume: 0",
  "playlist: 2",
  "playlistlength: 1",
  "state: stop",
  "song: 0",
  "songid: 1",
  "OK",
];

describe("the fake MPD server", { timeout: 10_000 }, () => {
  it("greets with OK MPD <version>, on loopback", async () => {
    const mpd = await server();
    assert.equal(mpd.host, "127.0.0.1");
    assert.ok(mpd.port > 0);
    await greeted(mpd);
    const custom = await server({ version: "0.24.2" });
    assert.equal(await client(custom).next(), "OK MPD 0.24.2");
    await assert.rejects(startFakeMpd({ host: "0.0.0.0" }), RangeError);
  });

  it("answers ping, status and currentsong in MPD's format", async () => {
    const mpd = await server();
    const mpc = await greeted(mpd);
    assert.deepEqual(await mpc.request("ping"), ["OK"]);
    assert.deepEqual(await mpc.request("status"), STATUS_STOPPED);
    assert.deepEqual(await mpc.request("currentsong"), [
      "file: demo/unwind-blues.flac",
      "Title: Unwind Blues",
      "Artist: The Structured Concurrents",
      "Pos: 0",
      "Id: 1",
      "OK",
    ]);
  });

  it("play changes the shared state and wakes an idle client with changed: player", async () => {
    const mpd = await server();
    const watcher = await greeted(mpd);
    const remote = await greeted(mpd);
    watcher.send("idle");
    await mpd.waitForCommand("idle");
    assert.deepEqual(await remote.request("play 0"), ["OK"]);
    assert.deepEqual(await watcher.response(), ["changed: player", "OK"]);
    const status = await remote.request("status");
    assert.equal(status[7], "state: play");
    // The watcher sees the new state too: the player state is per server.
    assert.deepEqual(await watcher.request("status"), status);
  });

  it("pause toggles or sets play/pause, stop stops, setvol changes the volume", async () => {
    const mpd = await server();
    const mpc = await greeted(mpd);
    const state = async () => (await mpc.request("status"))[7];
    assert.deepEqual(await mpc.request("play"), ["OK"]);
    assert.deepEqual(await mpc.request("pause"), ["OK"]);
    assert.equal(await state(), "state: pause");
    assert.deepEqual(await mpc.request("pause"), ["OK"]);
    assert.equal(await state(), "state: play");
    assert.deepEqual(await mpc.request("pause 1"), ["OK"]);
    assert.equal(await state(), "state: pause");
    assert.deepEqual(await mpc.request('pause "0"'), ["OK"]);
    assert.equal(await state(), "state: play");
    assert.deepEqual(await mpc.request("pause 2"), ["ACK [2@0] {pause} Boolean (0/1) expected: 2"]);
    assert.deepEqual(await mpc.request("stop"), ["OK"]);
    assert.equal(await state(), "state: stop");
    assert.deepEqual(await mpc.request("setvol 80"), ["OK"]);
    assert.equal((await mpc.request("status"))[0], "volume: 80");
    assert.deepEqual(await mpc.request("setvol 101"), ["ACK [2@0] {setvol} Invalid volume value"]);
    assert.deepEqual(await mpc.request("setvol loud"), ["ACK [2@0] {setvol} Invalid volume value"]);
    assert.deepEqual(await mpc.request("setvol"), [
      'ACK [2@0] {setvol} wrong number of arguments for "setvol"',
    ]);
    assert.equal((await mpc.request("status"))[0], "volume: 80");
    // All of these were player/mixer changes, answered at once by the next idle.
    assert.deepEqual(await mpc.request("idle"), ["changed: player", "changed: mixer", "OK"]);
  });

  it("idle with a filter ignores changes of other subsystems", async () => {
    const mpd = await server();
    const watcher = await greeted(mpd);
    const remote = await greeted(mpd);
    watcher.send("idle mixer options");
    await mpd.waitForCommand("idle mixer options");
    assert.deepEqual(await remote.request("play"), ["OK"]);
    mpd.emitChange("database");
    assert.deepEqual(await remote.request("setvol 70"), ["OK"]);
    // Had "player" or "database" woken it, those lines would come first (TCP keeps the order).
    assert.deepEqual(await watcher.response(), ["changed: mixer", "OK"]);
    assert.deepEqual(watcher.unread(), []);
  });

  it("answers idle at once with the changes made since the last idle, then waits again", async () => {
    const mpd = await server();
    const mpc = await greeted(mpd);
    const other = await greeted(mpd);
    assert.deepEqual(await mpc.request("play"), ["OK"]);
    assert.deepEqual(await mpc.request("setvol 20"), ["OK"]);
    mpd.emitChange("database");
    assert.deepEqual(await mpc.request("idle"), [
      "changed: player",
      "changed: mixer",
      "changed: database",
      "OK",
    ]);
    // Pending changes are per connection: the other client still has them; a filter picks some.
    assert.deepEqual(await other.request("idle database mixer"), [
      "changed: mixer",
      "changed: database",
      "OK",
    ]);
    // As in MPD, answering an idle clears every pending change (the filtered-out "player" too).
    mpc.send("idle");
    other.send("idle");
    mpc.send("noidle");
    assert.deepEqual(await mpc.response(), ["OK"]);
    other.send("noidle");
    assert.deepEqual(await other.response(), ["OK"]);
  });

  it("noidle answers a waiting idle, and the connection stays usable", async () => {
    const mpd = await server();
    const mpc = await greeted(mpd);
    mpc.send("idle player");
    await mpd.waitForCommand("idle player");
    mpd.emitChange("mixer"); // not in the filter: the idle keeps waiting
    mpc.send("noidle");
    assert.deepEqual(await mpc.response(), ["OK"]);
    assert.deepEqual(await mpc.request("ping"), ["OK"]);
  });

  it("ignores noidle when not idle: no answer at all", async () => {
    const mpd = await server();
    const mpc = await greeted(mpd);
    mpc.send("noidle", "ping", "currentsong");
    // Had noidle been answered, its OK would come first and "file: ..." would not follow the first OK.
    assert.equal(await mpc.next(), "OK");
    assert.equal(await mpc.next(), "file: demo/unwind-blues.flac");
    assert.deepEqual(mpd.commands, ["noidle", "ping", "currentsong"]);
  });

  it("closes the connection on any command other than noidle while idle", async () => {
    const mpd = await server();
    const mpc = await greeted(mpd);
    mpc.send("idle", "status");
    await mpc.closed;
    assert.deepEqual(mpc.received, ["OK MPD 0.23.5"]);
    assert.deepEqual(mpd.commands, ["idle", "status"]);
  });

  it("answers unknown commands and configured ones with exact ACK lines", async () => {
    const mpd = await server({
      ack: {
        play: { code: 4, message: 'you don\'t have permission for "play"' },
        foo: { code: 3, message: "x" },
      },
    });
    const mpc = await greeted(mpd);
    assert.deepEqual(await mpc.request("frobnicate now"), [
      'ACK [5@0] {frobnicate} unknown command "frobnicate"',
    ]);
    assert.deepEqual(await mpc.request("play 0"), ['ACK [4@0] {play} you don\'t have permission for "play"']);
    assert.deepEqual(await mpc.request("foo"), ["ACK [3@0] {foo} x"]);
    assert.equal((await mpc.request("status"))[7], "state: stop");
  });

  it("close closes the socket without an answer", async () => {
    const mpd = await server();
    const mpc = await greeted(mpd);
    mpc.send("close");
    await mpc.closed;
    assert.deepEqual(mpc.received, ["OK MPD 0.23.5"]);
    assert.deepEqual(mpd.commands, ["close"]);
  });

  it("dropFirst drops the first connections before the handshake; the next one is greeted", async () => {
    const mpd = await server({ dropFirst: 1 });
    const dropped = client(mpd);
    await dropped.closed;
    assert.deepEqual(dropped.received, []);
    await greeted(mpd);
    assert.equal(mpd.connections, 2);
    assert.equal(mpd.open, 1);
  });

  it("dropAfterCommands destroys each connection on its Nth command, without answering it", async () => {
    const mpd = await server({ dropAfterCommands: 2 });
    for (const n of [1, 2]) {
      const mpc = await greeted(mpd);
      assert.deepEqual(await mpc.request("ping"), ["OK"]);
      mpc.send("status");
      await mpc.closed;
      assert.deepEqual(mpc.received, ["OK MPD 0.23.5", "OK"], `connection ${n}`);
    }
    assert.deepEqual(mpd.commands, ["ping", "status", "ping", "status"]);
  });

  it("handshakeDelayMs delays the greeting; commands sent before it are answered after it", async () => {
    const delay = 150;
    const mpd = await server({ handshakeDelayMs: delay });
    const started = performance.now();
    const mpc = client(mpd);
    mpc.send("ping");
    assert.equal(await mpc.next(), "OK MPD 0.23.5");
    const elapsed = performance.now() - started;
    // Node's timers count whole milliseconds of the event loop's clock: allow 2 ms of rounding.
    assert.ok(elapsed >= delay - 2, `greeting after ${elapsed.toFixed(1)} ms, expected >= ${delay} ms`);
    assert.equal(await mpc.next(), "OK");
  });

  it("records every command line in order, over all connections, including partial lines and UTF-8", async () => {
    const mpd = await server();
    const first = await greeted(mpd);
    const second = await greeted(mpd);
    assert.deepEqual(await first.request("status"), STATUS_STOPPED);
    // Several lines in one chunk, and a line split over two writes.
    first.socket.write("ping\nsetvol 10\npi");
    assert.deepEqual(await first.response(), ["OK"]);
    assert.deepEqual(await first.response(), ["OK"]);
    first.socket.write("ng\n");
    assert.deepEqual(await first.response(), ["OK"]);
    // A UTF-8 character split between two writes.
    const bytes = Buffer.from("café\n");
    second.socket.write(Buffer.concat([Buffer.from("ping\n"), bytes.subarray(0, 4)]));
    assert.deepEqual(await second.response(), ["OK"]);
    second.socket.write(bytes.subarray(4));
    assert.deepEqual(await second.response(), ['ACK [5@0] {café} unknown command "café"']);
    second.send("noidle");
    await mpd.waitForCommand("noidle");
    first.send("close");
    await first.closed;
    assert.deepEqual(mpd.commands, [
      "status",
      "ping",
      "setvol 10",
      "ping",
      "ping",
      "café",
      "noidle",
      "close",
    ]);
  });

  it("waitForCommand resolves when a command arrives, or at once if it already did", async () => {
    const mpd = await server();
    const mpc = await greeted(mpd);
    const waiting = mpd.waitForCommand("setvol 30");
    mpc.send("setvol 30");
    await waiting;
    await mpd.waitForCommand("setvol 30");
    assert.deepEqual(await mpc.response(), ["OK"]);
  });

  it("aborted while it starts, closes its port before rejecting with the abort reason", async () => {
    const port = await freePort();
    const controller = new AbortController();
    const starting = startFakeMpd({ port, signal: controller.signal });
    controller.abort(new Error("shutting down"));
    await assert.rejects(starting, /shutting down/);
    const late = new LineClient(port);
    await late.closed;
    assert.deepEqual(late.received, [], "nothing listens on the port any more");
  });

  it("close() destroys open connections, stops listening and rejects pending waits", async () => {
    const mpd = await server();
    const idle = await greeted(mpd);
    const busy = await greeted(mpd);
    idle.send("idle");
    await mpd.waitForCommand("idle");
    assert.equal(mpd.open, 2);
    const never = assert.rejects(mpd.waitForCommand("never sent"), /closed before receiving "never sent"/);
    await mpd.close();
    await Promise.all([idle.closed, busy.closed]);
    assert.equal(mpd.open, 0);
    assert.equal(mpd.connections, 2);
    assert.deepEqual(idle.unread(), []);
    await never;
    const late = new LineClient(mpd.port);
    await late.closed;
    assert.deepEqual(late.received, []);
  });
});
