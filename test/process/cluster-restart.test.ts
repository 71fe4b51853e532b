// cluster() restarting crashed workers and surviving a failed reload, with real
// processes (test/fixtures/cluster-server.ts) and /proc.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  isRunning,
  killStarted,
  lines,
  servedBy,
  startCluster,
  stopCluster,
  track,
} from "../helpers/cluster.ts";
import { startFixture } from "../helpers/fixture.ts";
import { freePort } from "../helpers/free-port.ts";
import { get, waitUntil } from "../helpers/http-client.ts";

afterEach(killStarted);

describe("cluster(): crashes and restarts in real processes", () => {
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
    track(fixture);
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
});
