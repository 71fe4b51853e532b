// examples/cluster as a real process group: a reload under load (every
// request answered), then SIGTERM (every worker drained, exit 143).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import { afterEach, describe, it } from "node:test";
import { type Fixture, startScript } from "../helpers/fixture.ts";
import { freePort } from "../helpers/free-port.ts";
import { waitUntil } from "../helpers/http-client.ts";

let example: Fixture | undefined;
afterEach(() => example?.child.kill("SIGKILL"));

const isRunning = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
};

/** One request on a fresh connection: `200 <body>`, or the client's error code. */
function get(url: string): Promise<string> {
  return new Promise((resolve) => {
    const request = http
      .get(url, { agent: false }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve(`${res.statusCode} ${body}`));
        res.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      })
      .on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    // A request that hangs is a failure to see, not a test that never ends.
    request.setTimeout(15_000, () => request.destroy(new Error("no reply in 15 s")));
  });
}

describe("the cluster example (examples/cluster)", () => {
  it("reloads its workers under load without failing a request, then drains them on SIGTERM", {
    timeout: 90_000,
  }, async () => {
    const port = await freePort();
    example = startScript("examples/cluster/main.ts", { PORT: String(port) });
    const { stdout } = example;
    await example.waitFor(/^primary \d+: 2 workers on /);
    const primary = Number(/^primary (\d+):/.exec(stdout.find((l) => l.startsWith("primary ")) ?? "")?.[1]);
    // A wait that fails at once, with everything the example printed, when
    // the example reports a failure on stderr (a reload that failed, say).
    const until = async (check: () => boolean, what: string, ms?: number) => {
      try {
        await waitUntil(
          () => {
            if (example?.stderr()) throw new Error(`stderr while waiting for ${what}`);
            return check();
          },
          what,
          ms,
        );
      } catch (error) {
        const printed = `stdout:\n${stdout.join("\n")}\nstderr:\n${example?.stderr()}`;
        throw new Error(`${(error as Error).message}\n${printed}`);
      }
    };
    const pids = () =>
      stdout.flatMap((line) => /^worker-\d \(pid (\d+)\): listening$/.exec(line)?.[1] ?? []).map(Number);
    await until(() => pids().length === 2, "both workers' lines");
    const old = pids();

    const replies: string[] = [];
    let stopped = false;
    const clients = Array.from({ length: 4 }, async () => {
      while (!stopped) replies.push(await get(`http://127.0.0.1:${port}/`));
    });
    await until(() => replies.length >= 40, "load");
    process.kill(primary, "SIGURG");
    await until(() => pids().length === 4 && old.every((pid) => !isRunning(pid)), "the reload", 60_000);
    const atReload = replies.length;
    await until(() => replies.length >= atReload + 40, "load after the reload");
    stopped = true;
    await Promise.all(clients);

    assert.deepEqual(
      replies.filter((reply) => !/^200 hello from worker-\d \(pid \d+\)\n$/.test(reply)),
      [],
      "every request answered 200",
    );
    const fresh = pids().slice(2);
    const servedBy = new Set(replies.map((reply) => Number(/pid (\d+)/.exec(reply)?.[1])));
    for (const pid of [...old, ...fresh]) assert.ok(servedBy.has(pid), `pid ${pid} served`);

    process.kill(primary, "SIGTERM");
    const { code, stderr } = await example.exited;
    assert.equal(code, 143, stderr);
    assert.equal(stderr, "");
    const stops = stdout.filter((line) => line.endsWith(": drained and stopped"));
    assert.equal(stops.length, 4, stdout.join("\n"));
    for (const pid of fresh) assert.equal(isRunning(pid), false, `worker ${pid} is gone`);
  });
});
