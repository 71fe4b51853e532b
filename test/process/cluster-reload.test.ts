// cluster() reloading under steady load, with real processes
// (test/fixtures/cluster-server.ts), sockets on 127.0.0.1 and /proc.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { isRunning, killStarted, load, servedBy, startCluster, stopCluster } from "../helpers/cluster.ts";
import { waitUntil } from "../helpers/http-client.ts";

afterEach(killStarted);

describe("cluster(): reload under load", () => {
  it("a reload (SIGURG) replaces every worker one at a time, each new one listening before the old one drains; every request answered 200", {
    timeout: 90_000,
  }, async () => {
    const c = await startCluster({ WORKERS: "2" });
    const old = [1, 2].map((n) => c.slot(n)[0] as number);
    const traffic = load(c.base, 8);
    await waitUntil(() => traffic.count() >= 30, "load running", 20_000);
    process.kill(c.primary, "SIGURG");
    await waitUntil(
      () => c.workers().length === 4 && old.every((pid) => !isRunning(pid)),
      "the reload",
      60_000,
    );
    const fresh = [1, 2].map((n) => c.slot(n)[1] as number);
    const atReload = traffic.count();
    await waitUntil(() => traffic.count() >= atReload + 30, "load after the reload", 20_000);
    const replies = await traffic.stop();
    assert.deepEqual(
      replies.filter((r) => r.status !== 200 || r.error),
      [],
      "every request answered 200",
    );
    assert.ok(replies.filter((r) => r.status === 200).length >= 60);
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

  it("a reload under keep-alive load: every request answered 200 (the old workers hand their open connections over)", {
    timeout: 90_000,
  }, async () => {
    const c = await startCluster({ WORKERS: "2" });
    const old = [1, 2].map((n) => c.slot(n)[0] as number);
    const traffic = load(c.base, 8, { keepAlive: true });
    await waitUntil(() => traffic.count() >= 30, "load running", 20_000);
    process.kill(c.primary, "SIGURG");
    await waitUntil(
      () => c.slot(2).length === 2 && old.every((pid) => !isRunning(pid)),
      "the reload",
      60_000,
    );
    const atReload = traffic.count();
    await waitUntil(() => traffic.count() >= atReload + 30, "load after the reload", 20_000);
    const replies = await traffic.stop();
    await stopCluster(c);
    assert.deepEqual(
      replies.filter((r) => r.status !== 200 || r.error),
      [],
      "every request answered 200",
    );
    assert.ok(replies.filter((r) => r.status === 200).length >= 60);
  });
});
