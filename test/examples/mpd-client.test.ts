import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Operation, sleep, until } from "effection";
import { group, run } from "unwind";
import { MpdClient } from "../../examples/mpd/client.ts";
import { type FakeMpd, startFakeMpd } from "../../examples/mpd/fake-server.ts";
import { field, MpdError } from "../../examples/mpd/protocol.ts";
import { startScript } from "../helpers/fixture.ts";
import { freePort } from "../helpers/free-port.ts";

/** Runs `body` with a client connected to `server`; halts everything at the end. */
async function withClient<T>(
  server: { host: string; port: number },
  body: (client: MpdClient) => Operation<T>,
  trace: string[] = [],
): Promise<T | undefined> {
  const client = new MpdClient({ host: server.host, port: server.port, trace: (l) => trace.push(l) });
  let result: T | undefined;
  await run(function* (g) {
    yield* g.start((ready) => client.run(() => ready(undefined)), { name: "mpd" });
    result = yield* body(client);
    // The client runs until halted; g.halt() returns once it has said close.
    yield* g.halt();
  });
  return result;
}

describe("the MPD client against the fake server", () => {
  it("handshakes, pairs each response with its caller among concurrent callers, and says close", async () => {
    const server = await startFakeMpd();
    try {
      const results: string[] = [];
      await withClient(server, function* (client) {
        assert.equal(client.version, "0.23.5");
        yield* group(function* (g) {
          g.spawn(function* () {
            results.push(`status: ${field(yield* client.command("status"), "state")}`);
          });
          g.spawn(function* () {
            results.push(`song: ${field(yield* client.command("currentsong"), "Title")}`);
          });
          g.spawn(function* () {
            results.push(`ping: ${(yield* client.command("ping")).fields.length} fields`);
          });
        });
      });
      assert.deepEqual(results.sort(), ["ping: 0 fields", "song: Unwind Blues", "status: stop"]);
      assert.deepEqual(server.commands, ["status", "currentsong", "ping", "close"]);
    } finally {
      await server.close();
    }
  });

  it("turns an ACK into a typed MpdError", async () => {
    const server = await startFakeMpd({ ack: { play: { code: 50, message: "No such song" } } });
    try {
      const error = await withClient(server, function* (client) {
        try {
          yield* client.command("play 7");
        } catch (e) {
          return e;
        }
        return undefined;
      });
      assert.ok(error instanceof MpdError);
      assert.deepEqual([error.code, error.command, error.text], [50, "play", "No such song"]);
    } finally {
      await server.close();
    }
  });

  it("retries after refused connections until the server is there", async () => {
    const port = await freePort();
    const trace: string[] = [];
    let server: FakeMpd | undefined;
    const client = new MpdClient({ host: "127.0.0.1", port, trace: (l) => trace.push(l), initialDelay: 20 });
    try {
      await run(function* (g) {
        g.spawn(function* () {
          // Start the server only after the client has been refused twice.
          while (trace.filter((l) => l.includes("ECONNREFUSED")).length < 2) yield* sleep(5);
          server = yield* until(startFakeMpd({ port }));
        });
        yield* g.start((ready) => client.run(() => ready(undefined)), { name: "mpd" });
        yield* g.halt();
      });
      assert.ok(
        trace.filter((l) => /could not connect .*ECONNREFUSED.*trying again in \d+ ms/.test(l)).length >= 2,
      );
      assert.ok(trace.some((l) => l.startsWith(`connected to 127.0.0.1:${port}`)));
    } finally {
      await server?.close();
    }
  });

  it("reconnects after a dropped connection and goes on", async () => {
    const server = await startFakeMpd({ dropAfterCommands: 2 });
    const trace: string[] = [];
    try {
      const states = await withClient(
        server,
        function* (client) {
          const seen: string[] = [];
          seen.push(field(yield* client.command("status"), "state") ?? "?");
          // The second command on this connection is dropped unanswered (and not done).
          try {
            yield* client.command("play");
          } catch (error) {
            seen.push((error as Error).name);
          }
          seen.push(field(yield* client.command("status"), "state") ?? "?");
          return seen;
        },
        trace,
      );
      assert.deepEqual(states, ["stop", "ConnectionLost", "stop"]);
      assert.ok(trace.includes("connection lost; reconnecting"));
      assert.ok(server.connections >= 2);
    } finally {
      await server.close();
    }
  });

  it("cancels a pending idle with noidle when halted, then says close", async () => {
    const server = await startFakeMpd();
    const trace: string[] = [];
    try {
      await withClient(
        server,
        function* (client) {
          yield* group(function* (g) {
            g.spawn(() => client.idle("player"));
            yield* sleep(20);
            yield* g.halt();
          });
        },
        trace,
      );
      assert.deepEqual(server.commands, ["idle player", "noidle", "close"]);
      assert.deepEqual(
        trace.filter((l) => !l.startsWith("connected")),
        [
          "sent noidle to cancel the pending idle",
          "MPD answered the cancelled idle",
          "reader stopped (halted)",
          "writer stopped (halted)",
          "sent close",
          "socket closed",
        ],
      );
    } finally {
      await server.close();
    }
  });
});

describe("the MPD example as a real process", () => {
  it("prints the tree on SIGUSR2; on SIGINT while idle: noidle, then close, the teardown trace in tree order, exit 130", async () => {
    const server = await startFakeMpd();
    try {
      const program = startScript("examples/mpd/main.ts", {
        MPD_HOST: server.host,
        MPD_PORT: String(server.port),
      });
      await program.waitFor(
        "Watching for changes. Press t (or send SIGUSR2) for the task tree, Ctrl-C to quit.",
      );
      await server.waitForCommand("idle player mixer");
      program.child.kill("SIGUSR2");
      // One write: once its first line is there, the whole tree is.
      await program.waitFor("task tree (SIGUSR2):");
      program.child.kill("SIGINT");
      const { code, stdout, stderr } = await program.exited;
      assert.equal(code, 130, stderr);
      assert.equal(stderr, "");
      assert.deepEqual(server.commands.slice(-2), ["noidle", "close"]);
      // The tree printed on SIGUSR2 (ages vary): the task mpd runs the
      // client's unnamed group, which holds the writer and the reader.
      const tree = stdout.slice(stdout.indexOf("task tree (SIGUSR2):") + 1);
      assert.deepEqual(
        tree.slice(0, 7).map((line) => line.replace(/ +\d+(ms|\.\ds)$/, " <age>")),
        [
          "main             group 1  running <age>",
          "├─ mpd           task 2   running <age>",
          "│  └─ (unnamed)  group 3  running <age>",
          "│     ├─ writer  task 4   running <age>",
          "│     └─ reader  task 5   running <age>",
          "├─ idle          task 6   running <age>",
          "└─ keys          task 7   running <age>",
        ],
        stdout.join("\n"),
      );
      const timed = stdout
        .filter((l) => /^\s+\+\s*\d+ ms {2}/.test(l))
        .map((l) => l.replace(/^\s+\+\s*\d+ ms {2}/, ""));
      // The diagnostics_channel trace: halts begin top-down, newest sibling
      // first; tasks finish bottom-up.
      assert.deepEqual(
        timed.filter((l) => l.startsWith("▸")),
        [
          "▸ halting main group (received SIGINT)",
          "▸ halting main/keys task (received SIGINT)",
          "▸ halting main/idle task (received SIGINT)",
          "▸ halting main/mpd task (received SIGINT)",
          "▸ halting main/mpd group (received SIGINT)",
          "▸ halting main/mpd/reader task (received SIGINT)",
          "▸ halting main/mpd/writer task (received SIGINT)",
        ],
      );
      assert.deepEqual(
        timed.filter((l) => l.startsWith("✓")).map((l) => l.replace(/ in \d+ ms$/, "")),
        [
          "✓ main/keys task torn down",
          "✓ main/idle task torn down",
          "✓ main/mpd/reader task torn down",
          "✓ main/mpd/writer task torn down",
          "✓ main/mpd group torn down",
          "✓ main/mpd task torn down",
          "✓ main group torn down",
        ],
      );
      const steps = timed.filter((l) => !l.startsWith("▸") && !l.startsWith("✓"));
      assert.deepEqual(steps.slice(-8), [
        "stopped listening for t / SIGUSR2",
        // Inside the idle task, the cancelled idle first, then the task's own cleanup.
        "sent noidle to cancel the pending idle",
        "MPD answered the cancelled idle",
        "stopped watching for changes",
        "reader stopped (received SIGINT)",
        "writer stopped (received SIGINT)",
        "sent close",
        "socket closed",
      ]);
    } finally {
      await server.close();
    }
  });
});
