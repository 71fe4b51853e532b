// cluster() with real processes: a primary under main() and its node:cluster
// workers (test/fixtures/cluster-server.ts), real signals, real sockets on
// 127.0.0.1, and /proc to check that no worker is left behind.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type Fixture, startFixture } from "../helpers/fixture.ts";
import { freePort } from "../helpers/free-port.ts";
import { waitUntil } from "../helpers/http-client.ts";

const trace = new URL("../fixtures/http-trace.mjs", import.meta.url).href;
const started = new Set<{ fixture: Fixture; pids: Set<number> }>();

afterEach(() => {
  // A failed test must not leave its processes behind: only the ones it started.
  for (const { fixture, pids } of started) {
    for (const pid of pids) if (isRunning(pid)) process.kill(pid, "SIGKILL");
    fixture.child.kill("SIGKILL");
  }
  started.clear();
});

/** Is `pid` a live process (not gone, not a zombie)? */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

interface Cluster {
  fixture: Fixture;
  base: string;
  primary: number;
  /** Every worker pid that printed `listening`, in order. */
  workers(): number[];
  /** The pids that served in slot `worker-<n>`, oldest first. */
  slot(n: number): number[];
  /** Waits for the primary's exit; the exit status and every line. */
  exited: Fixture["exited"];
}

async function startCluster(env: Record<string, string> = {}, detached = false): Promise<Cluster> {
  const port = await freePort();
  const nodeOptions = [process.env.NODE_OPTIONS, `--import=${trace}`].filter(Boolean).join(" ");
  const fixture = startFixture(
    "cluster-server",
    { ...env, PORT: String(port), NODE_OPTIONS: nodeOptions },
    { detached },
  );
  const pids = new Set<number>();
  started.add({ fixture, pids });
  const base = `http://127.0.0.1:${port}`;
  await fixture.waitFor(new RegExp(`^primary \\d+ listening ${base} workers `));
  const primaryLine = fixture.stdout.find((line) => line.startsWith("primary ")) ?? "";
  const primary = Number(primaryLine.split(" ")[1]);
  const workers = () => {
    const found = fixture.stdout
      .map((line) => /^worker worker-\d+ (\d+) listening$/.exec(line)?.[1])
      .filter((pid): pid is string => pid !== undefined)
      .map(Number);
    for (const pid of found) pids.add(pid);
    return found;
  };
  // The primary listens once node:cluster reports each worker listening; the
  // worker's own line may come a moment later.
  await waitUntil(() => workers().length >= Number(env.WORKERS ?? 2), "each worker's listening line");
  const slot = (n: number) =>
    fixture.stdout
      .map((line) => new RegExp(`^worker worker-${n} (\\d+) listening$`).exec(line)?.[1])
      .filter((pid): pid is string => pid !== undefined)
      .map(Number);
  return { fixture, base, primary, workers, slot, exited: fixture.exited };
}

interface Reply {
  path: string;
  reused: boolean;
  status?: number | undefined;
  connection?: string | undefined;
  body?: string;
  error?: string;
}

function get(base: string, path: string, agent: http.Agent | false = false): Promise<Reply> {
  return new Promise((resolve) => {
    const req = http.get(base + path, { agent }, (res) => {
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
  });
}

/** The requests (their urls) that a worker read. */
const acceptedIn = (stdout: string[]) =>
  new Set(
    stdout.filter((line) => line.startsWith("accepted ")).map((line) => line.slice("accepted ".length)),
  );

/** The pid in a `done ... from <pid>` body. */
const servedBy = (reply: Reply) => Number(/ from (\d+)\n$/.exec(reply.body ?? "")?.[1]);
const lines = (stdout: string[], pattern: RegExp) => stdout.filter((line) => pattern.test(line));

describe("cluster() in real processes", () => {
  it("SIGTERM to the primary drains every worker (in-flight requests finish), then the primary exits 143 and no worker is left", {
    timeout: 60_000,
  }, async () => {
    const c = await startCluster({ WORKERS: "2" });
    const [w1, w2] = c.workers();
    assert.ok(w1 && w2, "two workers");
    const replies = [get(c.base, "/work?ms=700&n=1"), get(c.base, "/work?ms=700&n=2")];
    await c.fixture.waitFor("accepted /work?ms=700&n=1");
    await c.fixture.waitFor("accepted /work?ms=700&n=2");
    process.kill(c.primary, "SIGTERM");
    const { code, stdout, stderr } = await c.exited;
    assert.equal(code, 143, stderr);
    assert.equal(stderr, "");
    for (const reply of await Promise.all(replies)) {
      assert.deepEqual([reply.status, reply.connection, reply.error], [200, "close", undefined], reply.path);
      assert.match(reply.body ?? "", /^done \/work\?ms=700&n=\d from \d+\n$/);
    }
    for (const pid of [w1, w2]) {
      assert.equal(lines(stdout, new RegExp(`^worker ${pid} draining`)).length, 1, stdout.join("\n"));
      assert.equal(lines(stdout, new RegExp(`^worker ${pid} stopped$`)).length, 1, stdout.join("\n"));
      assert.equal(isRunning(pid), false, `worker ${pid} is gone`);
    }
    const inFlight = lines(stdout, /draining \d+ in flight/).map((line) => Number(line.split(" ")[3]));
    assert.equal(
      inFlight.reduce((a, b) => a + b, 0),
      2,
      "both requests were in flight at the drain",
    );
  });

  it("Ctrl-C (SIGINT to the whole process group) is one request for each worker, not two; a second Ctrl-C is the next one", {
    timeout: 60_000,
  }, async () => {
    const c = await startCluster({ WORKERS: "2" }, true);
    const workers = c.workers();
    // Cut only by a second request: its drain then halts it (503).
    const slow = get(c.base, "/work?ms=60000&n=slow");
    const quick = get(c.base, "/work?ms=1000&n=quick");
    await c.fixture.waitFor("accepted /work?ms=60000&n=slow");
    await c.fixture.waitFor("accepted /work?ms=1000&n=quick");
    process.kill(-c.fixture.child.pid!, "SIGINT");
    // The primary forwards its SIGINT: with it, each worker hears this Ctrl-C
    // twice, and still the quick request finishes (its drain is not skipped).
    const quickReply = await quick;
    assert.deepEqual([quickReply.status, quickReply.connection], [200, "close"]);
    await waitUntil(() => lines(c.fixture.stdout, /draining/).length === 2, "both workers draining");
    process.kill(-c.fixture.child.pid!, "SIGINT");
    const slowReply = await slow;
    assert.deepEqual([slowReply.status, slowReply.connection], [503, "close"], JSON.stringify(slowReply));
    const { code, stdout, stderr } = await c.exited;
    assert.equal(code, 130, stderr);
    for (const pid of workers) {
      assert.equal(lines(stdout, new RegExp(`^worker ${pid} draining`)).length, 1);
      assert.equal(lines(stdout, new RegExp(`^worker ${pid} stopped$`)).length, 1);
      assert.equal(isRunning(pid), false, `worker ${pid} is gone`);
    }
  });

  it("SIGTERM to the primary alone (as Kubernetes sends it) reaches every worker, and so does the second one", {
    timeout: 60_000,
  }, async () => {
    const c = await startCluster({ WORKERS: "2" });
    const workers = c.workers();
    const slow = get(c.base, "/work?ms=60000&n=slow");
    const quick = get(c.base, "/work?ms=1000&n=quick");
    await c.fixture.waitFor("accepted /work?ms=60000&n=slow");
    await c.fixture.waitFor("accepted /work?ms=1000&n=quick");
    process.kill(c.primary, "SIGTERM");
    const quickReply = await quick;
    assert.deepEqual([quickReply.status, quickReply.connection], [200, "close"]);
    process.kill(c.primary, "SIGTERM");
    const slowReply = await slow;
    assert.deepEqual([slowReply.status, slowReply.connection], [503, "close"], JSON.stringify(slowReply));
    const { code, stderr } = await c.exited;
    assert.equal(code, 143, stderr);
    for (const pid of workers) assert.equal(isRunning(pid), false, `worker ${pid} is gone`);
  });

  it("restarts a crashed worker and goes on serving", { timeout: 60_000 }, async () => {
    const c = await startCluster({ WORKERS: "2" });
    const before = c.workers();
    const crash = await get(c.base, "/crash");
    assert.ok(crash.error, "the crashing worker answered nothing");
    await waitUntil(() => c.workers().length === 3, "a third worker listening", 30_000);
    const after = c.workers();
    const crashed = before.find((pid) => !isRunning(pid));
    assert.ok(crashed, "one of the first workers is gone");
    const serving = new Set<number>();
    for (let i = 0; i < 8; i++) serving.add(servedBy(await get(c.base, `/work?n=${i}`)));
    assert.deepEqual([...serving].sort(), after.filter((pid) => pid !== crashed).sort());
    process.kill(c.primary, "SIGTERM");
    const { code, stderr } = await c.exited;
    assert.equal(code, 143, stderr);
    assert.equal(stderr, "");
    for (const pid of after) assert.equal(isRunning(pid), false, `worker ${pid} is gone`);
  });

  it("gives up on a worker that crashes at every start: the primary exits 1 with every failure", {
    timeout: 60_000,
  }, async () => {
    const port = await freePort();
    const fixture = startFixture("cluster-server", {
      PORT: String(port),
      WORKERS: "1",
      MAX_RESTARTS: "2",
      RESTART_WITHIN_MS: "60000",
      CRASH_AT_START_IF: fileURLToPath(import.meta.url), // exists
    });
    started.add({ fixture, pids: new Set() });
    const { code, stdout, stderr } = await fixture.exited;
    assert.equal(code, 1, stderr);
    const crashed = lines(stdout, /^worker \d+ crashes at start$/).map((line) => Number(line.split(" ")[1]));
    assert.equal(crashed.length, 3, stdout.join("\n"));
    assert.match(
      stderr,
      /main\/cluster \(run\):\n\s+RestartIntensityError: main\/cluster: more than 2 restarts within 60000 ms \(2 in all\)/,
    );
    for (const pid of crashed) {
      assert.match(
        stderr,
        new RegExp(
          `ClusterWorkerError: main/cluster/worker-1: worker process ${pid} exited with code 1 before it listened`,
        ),
      );
      assert.equal(isRunning(pid), false);
    }
  });

  it("keeps a slot's old worker when its replacement fails to start at a reload, and says so", {
    timeout: 60_000,
  }, async () => {
    const flag = join(mkdtempSync(join(tmpdir(), "unwind-cluster-")), "crash");
    const c = await startCluster({ WORKERS: "2", CRASH_AT_START_IF: flag });
    const old = [1, 2].map((n) => c.slot(n)[0] as number);
    writeFileSync(flag, "");
    process.kill(c.primary, "SIGURG");
    await c.fixture.waitFor(/crashes at start$/);
    await waitUntil(() => /reload failed/.test(c.fixture.stderr()), "the reload's error");
    assert.match(
      c.fixture.stderr(),
      /^main\/cluster: reload failed: main\/cluster\/worker-1: worker process \d+ exited with code 1 before it listened/,
    );
    const serving = new Set<number>();
    for (let i = 0; i < 6; i++) serving.add(servedBy(await get(c.base, `/work?n=${i}`)));
    assert.deepEqual([...serving].sort(), [...old].sort(), "the old workers still serve");
    rmSync(flag);
    await stopCluster(c);
  });

  it("leaves no worker behind when the primary is killed with SIGKILL", { timeout: 60_000 }, async () => {
    const c = await startCluster({ WORKERS: "2" });
    const workers = c.workers();
    process.kill(c.primary, "SIGKILL");
    await c.exited;
    await waitUntil(() => workers.every((pid) => !isRunning(pid)), "every worker gone", 10_000);
  });
});

describe("cluster() under load", () => {
  /**
   * `clients` loops, each sending one request after the other until
   * `stop()` (or its first reply other than a 200): on a fresh connection
   * each time, or with `keepAlive` on one kept-alive connection while the
   * server keeps it open. Every reply is kept.
   */
  function load(base: string, clients: number, keepAlive = false) {
    const replies: Reply[] = [];
    let stopped = false;
    let sequence = 0;
    const loops = Array.from({ length: clients }, async () => {
      const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false;
      try {
        while (!stopped) {
          const reply = await get(base, `/work?ms=20&id=${++sequence}`, agent);
          replies.push(reply);
          if (reply.status !== 200) return; // the final drain: this client is done
        }
      } finally {
        if (agent) agent.destroy();
      }
    });
    return {
      replies,
      count: () => replies.length,
      stop: async () => {
        stopped = true;
        await Promise.all(loops);
        return replies;
      },
    };
  }

  it("a reload (SIGURG) replaces every worker one at a time without failing a request", {
    timeout: 90_000,
  }, async () => {
    const c = await startCluster({ WORKERS: "2" });
    const old = [1, 2].map((n) => c.slot(n)[0] as number);
    const traffic = load(c.base, 8);
    await waitUntil(() => traffic.count() >= 50, "load running", 20_000);
    process.kill(c.primary, "SIGURG");
    await waitUntil(
      () => c.workers().length === 4 && old.every((pid) => !isRunning(pid)),
      "the reload",
      60_000,
    );
    const fresh = [1, 2].map((n) => c.slot(n)[1] as number);
    const atReload = traffic.count();
    await waitUntil(() => traffic.count() >= atReload + 50, "load after the reload", 20_000);
    const replies = await traffic.stop();
    assert.deepEqual(
      replies.filter((r) => r.status !== 200 || r.error),
      [],
      "every request answered 200",
    );
    const by = new Set(replies.map(servedBy));
    for (const pid of [...old, ...fresh]) assert.ok(by.has(pid), `worker ${pid} served`);
    // The old workers drained: one after the other, each after its successor listened.
    const { stdout } = await stopCluster(c);
    const order = stdout
      .filter((line) => /^worker (worker-\d+ \d+ listening|\d+ stopped)$/.test(line))
      .slice(2, 6);
    assert.deepEqual(order, [
      `worker worker-1 ${fresh[0]} listening`,
      `worker ${old[0]} stopped`,
      `worker worker-2 ${fresh[1]} listening`,
      `worker ${old[1]} stopped`,
    ]);
  });

  it("a reload under keep-alive load fails no request a worker read; only requests sent on a connection as it was closed idle are reset", {
    timeout: 90_000,
  }, async () => {
    const c = await startCluster({ WORKERS: "2" });
    const old = [1, 2].map((n) => c.slot(n)[0] as number);
    const traffic = load(c.base, 8, true);
    await waitUntil(() => traffic.count() >= 50, "load running", 20_000);
    process.kill(c.primary, "SIGURG");
    await waitUntil(
      () => c.slot(2).length === 2 && old.every((pid) => !isRunning(pid)),
      "the reload",
      60_000,
    );
    const atReload = traffic.count();
    await waitUntil(() => traffic.count() >= atReload + 50, "load after the reload", 20_000);
    const replies = await traffic.stop();
    const { stdout } = await stopCluster(c);
    const accepted = acceptedIn(stdout);
    // serve()'s drain closes idle keep-alive connections at once: a request
    // the client sent on one in that instant is reset before any server read
    // it (the race of every keep-alive timeout; safe to retry).
    const failed = replies.filter(
      (r) => r.status !== 200 && !(r.reused && r.error === "ECONNRESET" && !accepted.has(r.path)),
    );
    assert.deepEqual(failed, [], "every other request answered 200");
    assert.ok(replies.filter((r) => r.status === 200).length >= 100);
  });

  it("a shutdown under load answers every request a worker read: 200, or 503 with Connection: close once draining", {
    timeout: 90_000,
  }, async () => {
    const c = await startCluster({ WORKERS: "2" });
    const workers = c.workers();
    const traffic = load(c.base, 8);
    await waitUntil(() => traffic.count() >= 100, "load running", 20_000);
    process.kill(c.primary, "SIGTERM");
    const { code, stdout, stderr } = await c.exited;
    const replies = await traffic.stop();
    assert.equal(code, 143, stderr);
    assert.equal(stderr, "");
    const accepted = acceptedIn(stdout);
    const outcome = (r: Reply) => {
      if (r.status === 200 && !r.error && r.body?.startsWith(`done ${r.path} from `)) return "200";
      if (r.status === 503 && r.connection === "close" && !r.error) return "503 close";
      // Never read by a worker: refused once no worker listened, or a
      // connection node:cluster's primary had accepted and closed unread.
      if (!accepted.has(r.path) && (r.error === "ECONNREFUSED" || r.error === "ECONNRESET"))
        return "not read";
      return `failed: ${JSON.stringify(r)}`;
    };
    const failed = replies.map(outcome).filter((o) => o.startsWith("failed"));
    assert.deepEqual(failed, [], "no request a worker read failed, and no other 5xx");
    for (const r of replies)
      if (accepted.has(r.path)) assert.ok(r.status === 200 || r.status === 503, r.path);
    assert.ok(replies.filter((r) => outcome(r) === "200").length >= 100);
    for (const pid of workers) assert.equal(isRunning(pid), false, `worker ${pid} is gone`);
  });
});

async function stopCluster(c: Cluster) {
  process.kill(c.primary, "SIGTERM");
  const exited = await c.exited;
  assert.equal(exited.code, 143, exited.stderr);
  for (const pid of c.workers()) assert.equal(isRunning(pid), false, `worker ${pid} is gone`);
  return exited;
}
