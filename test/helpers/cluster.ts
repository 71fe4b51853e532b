// Starts test/fixtures/cluster-server.ts (a primary and its node:cluster
// workers) and looks at it from outside: its lines, its sockets, /proc.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import { type Fixture, startFixture } from "./fixture.ts";
import { freePort } from "./free-port.ts";
import { type GetReply, get, waitUntil } from "./http-client.ts";

const trace = new URL("../fixtures/http-trace.mjs", import.meta.url).href;
const started = new Set<{ fixture: Fixture; pids: Set<number> }>();

/** For `afterEach`: a failed test must not leave its processes behind (only the ones it started). */
export function killStarted(): void {
  for (const { fixture, pids } of started) {
    for (const pid of pids) if (isRunning(pid)) process.kill(pid, "SIGKILL");
    fixture.child.kill("SIGKILL");
  }
  started.clear();
}

/** Keeps `fixture` (and the worker pids it will print) to kill after the test. */
export function track(fixture: Fixture, pids = new Set<number>()): Set<number> {
  started.add({ fixture, pids });
  return pids;
}

/** Is `pid` a live process (not gone, not a zombie)? */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

export interface Cluster {
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

export async function startCluster(env: Record<string, string> = {}, detached = false): Promise<Cluster> {
  const port = await freePort();
  const nodeOptions = [process.env.NODE_OPTIONS, `--import=${trace}`].filter(Boolean).join(" ");
  const fixture = startFixture(
    "cluster-server",
    { ...env, PORT: String(port), NODE_OPTIONS: nodeOptions },
    { detached },
  );
  const pids = track(fixture);
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

/** The requests (their urls) that a worker read. */
export const acceptedIn = (stdout: string[]) =>
  new Set(
    stdout.filter((line) => line.startsWith("accepted ")).map((line) => line.slice("accepted ".length)),
  );

/** The pid in a `done ... from <pid>` body. */
export const servedBy = (reply: GetReply) => Number(/ from (\d+)\n$/.exec(reply.body ?? "")?.[1]);
export const lines = (stdout: string[], pattern: RegExp) => stdout.filter((line) => pattern.test(line));

/**
 * `clients` loops, each sending one request after the other until
 * `stop()`: on a fresh connection each time, or with `keepAlive` on one
 * kept-alive connection while the server keeps it open. With
 * `untilRefused`, a client also stops at its first reply other than a 200
 * (the final drain: the server is going away). Every reply is kept.
 */
export function load(
  base: string,
  clients: number,
  options: { keepAlive?: boolean; untilRefused?: boolean } = {},
) {
  const replies: GetReply[] = [];
  let stopped = false;
  let sequence = 0;
  const loops = Array.from({ length: clients }, async () => {
    const agent = options.keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false;
    try {
      while (!stopped) {
        const reply = await get(base, `/work?ms=20&id=${++sequence}`, agent);
        replies.push(reply);
        if (options.untilRefused && reply.status !== 200) return;
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

/** SIGTERM to the primary: it must exit 143, leaving no worker. */
export async function stopCluster(c: Cluster) {
  process.kill(c.primary, "SIGTERM");
  const exited = await c.exited;
  assert.equal(exited.code, 143, exited.stderr);
  for (const pid of c.workers()) assert.equal(isRunning(pid), false, `worker ${pid} is gone`);
  return exited;
}
