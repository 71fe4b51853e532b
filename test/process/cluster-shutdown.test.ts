// cluster() shutting down, also under steady load, with real processes: the
// primary and its node:cluster workers (test/fixtures/cluster-server.ts), real
// signals, sockets on 127.0.0.1, and /proc to check that no worker is left.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { acceptedIn, isRunning, killStarted, lines, load, startCluster } from "../helpers/cluster.ts";
import { type GetReply, get, waitUntil } from "../helpers/http-client.ts";

afterEach(killStarted);

describe("cluster(): shutdown in real processes", () => {
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
    // The servers' own drain outlasts the test: only a second request can cut the slow request.
    const c = await startCluster({ WORKERS: "2", SERVE_DRAIN_MS: "120000" }, true);
    const workers = c.workers();
    // Cut only by a second request: the workers then skip their drain and halt it (503).
    const slow = get(c.base, "/work?ms=120000&n=slow");
    const quick = get(c.base, "/work?ms=1000&n=quick");
    await c.fixture.waitFor("accepted /work?ms=120000&n=slow");
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
    const c = await startCluster({ WORKERS: "2", SERVE_DRAIN_MS: "120000" });
    const workers = c.workers();
    const slow = get(c.base, "/work?ms=120000&n=slow");
    const quick = get(c.base, "/work?ms=1000&n=quick");
    await c.fixture.waitFor("accepted /work?ms=120000&n=slow");
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

  it("leaves no worker behind when the primary is killed with SIGKILL", { timeout: 60_000 }, async () => {
    const c = await startCluster({ WORKERS: "2" });
    const workers = c.workers();
    process.kill(c.primary, "SIGKILL");
    await c.exited;
    await waitUntil(() => workers.every((pid) => !isRunning(pid)), "every worker gone", 10_000);
  });

  it("a shutdown under load answers every request a worker read: 200, or 503 with Connection: close once draining", {
    timeout: 90_000,
  }, async () => {
    const c = await startCluster({ WORKERS: "2" });
    const workers = c.workers();
    const traffic = load(c.base, 8, { untilRefused: true });
    await waitUntil(() => traffic.count() >= 100, "load running", 20_000);
    process.kill(c.primary, "SIGTERM");
    const { code, stdout, stderr } = await c.exited;
    const replies = await traffic.stop();
    assert.equal(code, 143, stderr);
    assert.equal(stderr, "");
    const accepted = acceptedIn(stdout);
    const outcome = (r: GetReply) => {
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
