import assert from "node:assert/strict";
import http from "node:http";
import { afterEach, describe, it } from "node:test";
import { type Exited, type Fixture, startScript } from "../helpers/fixture.ts";
import { freePort } from "../helpers/free-port.ts";
import { type GetReply, get } from "../helpers/http-client.ts";

// The example of examples/http-server, as a real process. The preloaded
// trace prints `accepted <url>` for every request a server of the process
// has read (the front server's /work, the downstream's /slow).
const trace = new URL("../fixtures/http-trace.mjs", import.meta.url).href;
const running = new Set<Fixture>();

afterEach(() => {
  // A failed test must not leave its server behind.
  for (const fixture of running) fixture.child.kill("SIGKILL");
  running.clear();
});

interface Server {
  fixture: Fixture;
  base: string;
  /** Sends `signal`; resolves with how the process ended and how long it took. */
  terminate(signal?: NodeJS.Signals): Promise<Exited & { ms: number }>;
}

async function startExample(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const nodeOptions = [process.env.NODE_OPTIONS, `--import=${trace}`].filter(Boolean).join(" ");
  const fixture = startScript("examples/http-server/main.ts", {
    ...env,
    PORT: String(port),
    NODE_OPTIONS: nodeOptions,
  });
  running.add(fixture);
  const base = `http://127.0.0.1:${port}`;
  await fixture.waitFor(`listening ${base}`);
  const terminate = async (signal: NodeJS.Signals = "SIGTERM") => {
    const sent = performance.now();
    fixture.child.kill(signal);
    const exited = await fixture.exited;
    return { ...exited, ms: performance.now() - sent };
  };
  return { fixture, base, terminate };
}

/** The program's own lines, without the trace's. */
const own = (stdout: string[]) => stdout.filter((line) => !line.startsWith("accepted "));

describe("the http-server example in a real process", () => {
  it("answers /ready with 200 while serving", { timeout: 20_000 }, async () => {
    const server = await startExample({});
    const reply = await get(server.base, "/ready");
    assert.deepEqual([reply.status, reply.body], [200, "ready\n"]);
    const { code, stdout, stderr } = await server.terminate();
    assert.equal(code, 143, stderr);
    assert.deepEqual(own(stdout), [
      `listening ${server.base}`,
      "draining: 0 in flight",
      "downstream stopped",
    ]);
    assert.equal(stderr, "");
  });

  it("on Ctrl-C, lets the request in flight finish, then exits 130", { timeout: 20_000 }, async () => {
    const server = await startExample({});
    const reply = get(server.base, "/work?ms=1000");
    await server.fixture.waitFor("accepted /slow?ms=1000");
    const { code, stdout, stderr } = await server.terminate("SIGINT");
    assert.equal(code, 130, stderr);
    assert.equal(stderr, "");
    const { status, connection, body, error } = await reply;
    assert.deepEqual(
      { status, connection, body, error },
      { status: 200, connection: "close", body: "done /work?ms=1000\n", error: undefined },
    );
    assert.deepEqual(own(stdout), [
      `listening ${server.base}`,
      "draining: 1 in flight",
      "downstream stopped",
    ]);
  });

  it("drains under keep-alive load: every request it read is answered, none is lost", {
    timeout: 20_000,
  }, async () => {
    const drainTimeout = 3000;
    const server = await startExample({ DRAIN_TIMEOUT_MS: String(drainTimeout) });
    const clients = 20;
    let ok = 0;
    let terminated: Promise<Exited & { ms: number }> | undefined;
    const replies: GetReply[] = [];
    // Each client: one keep-alive connection, one request after the other,
    // until its first non-200 answer (or a bound, should SIGTERM never come).
    const load = Array.from({ length: clients }, async (_, client) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = 0; i < 1000; i++) {
          const reply = await get(server.base, `/work?ms=50&id=${client}-${i}`, agent);
          replies.push(reply);
          if (reply.status !== 200) return;
          if (++ok === 100) terminated = server.terminate();
        }
      } finally {
        agent.destroy();
      }
    });
    await Promise.all(load);
    assert.ok(terminated, "SIGTERM was sent");
    const { code, ms, stdout, stderr } = await terminated;
    assert.equal(code, 143, stderr);
    assert.equal(stderr, "");
    assert.ok(ms < drainTimeout + 5000, `exited ${Math.round(ms)} ms after SIGTERM`);

    // The server's view: which requests it read, before or after the drain began.
    const drainAt = stdout.findIndex((line) => line.startsWith("draining: "));
    assert.ok(drainAt > 0, stdout.join("\n"));
    const acceptedIn = (lines: string[]) =>
      lines.filter((line) => line.startsWith("accepted /work")).map((line) => line.slice("accepted ".length));
    const before = acceptedIn(stdout.slice(0, drainAt));
    const during = acceptedIn(stdout.slice(drainAt));
    assert.equal(
      new Set([...before, ...during]).size,
      before.length + during.length,
      "no request read twice",
    );

    // The clients' view: every reply is one of these four.
    const whole = replies.filter((r) => r.status === 200 && r.body === `done ${r.path}\n` && !r.error);
    const rejected = replies.filter((r) => r.status === 503 && r.connection === "close" && !r.error);
    // A new connection once the server stopped listening.
    const refused = replies.filter((r) => !r.reused && r.error === "ECONNREFUSED");
    // A request sent on a kept-alive connection as the server closed it,
    // idle, at the start of the drain: the server never read it (checked below).
    const closedIdle = replies.filter(
      (r) => r.reused && r.status === undefined && (r.error === "ECONNRESET" || r.error === "EPIPE"),
    );
    const sorted = [whole, rejected, refused, closedIdle].flat();
    assert.deepEqual(
      replies.filter((r) => !sorted.includes(r)),
      [],
      "no other outcome (reset, truncated body, 5xx)",
    );
    assert.equal(replies.length, whole.length + rejected.length + refused.length + closedIdle.length);

    // Read before the drain: finished, whole. Read during it: a clean 503.
    // Not read: refused or closed idle, never half-served.
    const paths = (list: GetReply[]) => list.map((r) => r.path).sort();
    assert.deepEqual(paths(whole), [...before].sort());
    assert.deepEqual(paths(rejected), [...during].sort());
    assert.equal(refused.length + closedIdle.length + rejected.length, clients, "each client stopped once");
    // Those in flight at the drain's start finished, told to close their connection.
    const inFlight = Number(/^draining: (\d+) in flight$/.exec(stdout[drainAt] ?? "")?.[1]);
    const finishedInDrain = whole.filter((r) => r.connection === "close").length;
    assert.ok(finishedInDrain > 0 && finishedInDrain <= inFlight, `${finishedInDrain} of ${inFlight}`);

    // No request was halted: no cleanup line.
    assert.deepEqual(own(stdout), [`listening ${server.base}`, stdout[drainAt], "downstream stopped"]);
  });

  it("halts a request that outlasts the drain: 503, its cleanup, the downstream call cancelled", {
    timeout: 20_000,
  }, async () => {
    const drainTimeout = 500;
    const server = await startExample({ DRAIN_TIMEOUT_MS: String(drainTimeout) });
    const reply = get(server.base, "/work?ms=60000");
    await server.fixture.waitFor("accepted /slow?ms=60000");
    const { code, ms, stdout, stderr } = await server.terminate();
    assert.equal(code, 143, stderr);
    assert.equal(stderr, "");
    assert.ok(ms < drainTimeout + 5000, `exited ${Math.round(ms)} ms after SIGTERM`);
    const { status, connection, body, error } = await reply;
    assert.deepEqual(
      { status, connection, body, error },
      {
        status: 503,
        connection: "close",
        body: "the server is shutting down\n",
        error: undefined,
      },
    );
    const lines = own(stdout);
    // The front's cleanup and the downstream's line: their order is not fixed.
    assert.deepEqual(
      [...lines.slice(0, 2), ...lines.slice(2, 4).sort(), ...lines.slice(4)],
      [
        `listening ${server.base}`,
        "draining: 1 in flight",
        "cleanup GET /work?ms=60000 (timeout)",
        "downstream: /slow?ms=60000 cancelled by the client",
        "downstream stopped",
      ],
    );
  });

  it("halts the request of a client that disconnects, and goes on serving", { timeout: 20_000 }, async () => {
    const server = await startExample({});
    const req = http.get(`${server.base}/work?ms=60000`, { agent: false });
    req.on("error", () => {}); // the socket hang up we cause
    const gone = new Promise<void>((resolve) => req.on("close", resolve));
    await server.fixture.waitFor("accepted /slow?ms=60000");
    req.destroy();
    await gone;
    await server.fixture.waitFor("cleanup GET /work?ms=60000 (client-disconnected)");
    await server.fixture.waitFor("downstream: /slow?ms=60000 cancelled by the client");
    const next = await get(server.base, "/work?ms=10");
    assert.deepEqual([next.status, next.body], [200, "done /work?ms=10\n"]);
    const { code, stdout, stderr } = await server.terminate();
    assert.equal(code, 143, stderr);
    assert.equal(stderr, "");
    const lines = own(stdout);
    assert.deepEqual(
      [lines[0], ...lines.slice(1, 3).sort(), ...lines.slice(3)],
      [
        `listening ${server.base}`,
        "cleanup GET /work?ms=60000 (client-disconnected)",
        "downstream: /slow?ms=60000 cancelled by the client",
        "draining: 0 in flight",
        "downstream stopped",
      ],
    );
  });
});
