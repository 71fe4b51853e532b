// A worker of cluster() asks its primary before it exits, and exits once the
// primary has answered: node:cluster's primary hands connections to a worker
// in messages, and one still on its way would be lost with the worker. Here
// the test is the primary, on a real IPC channel to a real process.
import assert from "node:assert/strict";
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { CLUSTER_WORKER_ENV } from "../../src/program/cluster-membership.ts";

const fixture = fileURLToPath(new URL("../fixtures/main-returns.ts", import.meta.url));

/** Forks the fixture as a cluster worker would be, recording what happens in order. */
function worker(answer: (child: ChildProcess, events: string[]) => void) {
  const events: string[] = [];
  const child = fork(fixture, {
    execArgv: ["--conditions=unwind-source", "--import", "tsx"],
    env: { ...process.env, [CLUSTER_WORKER_ENV]: "worker-1" },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  // stdout is another pipe than the IPC channel: its order against the
  // messages is not kept, so it is collected apart.
  let stdout = "";
  child.stdout?.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  child.on("message", (message: { unwind?: string }) => {
    events.push(`message: ${message.unwind}`);
    if (message.unwind === "exiting") answer(child, events);
  });
  const exited = once(child, "exit").then(([code]) => {
    events.push(`exit ${code}`);
    return { events, stdout, stderr };
  });
  return exited;
}

describe("a cluster worker's exit", () => {
  it("waits for the primary's answer to its exiting message", async () => {
    const { events, stdout, stderr } = await worker((child, events) => {
      // The answer comes late: the worker must still be there for it.
      setTimeout(() => {
        events.push("answered");
        child.send({ unwind: "exit-ok" });
      }, 300);
    });
    assert.equal(stderr, "");
    assert.equal(stdout, "body returned\n");
    assert.deepEqual(events, ["message: listening-for-shutdown", "message: exiting", "answered", "exit 0"]);
  });

  it("exits without an answer too, once it has waited a second (a primary that is stuck)", async () => {
    const { events, stdout, stderr } = await worker(() => {});
    assert.equal(stderr, "");
    assert.equal(stdout, "body returned\n");
    assert.deepEqual(events, ["message: listening-for-shutdown", "message: exiting", "exit 0"]);
  });
});
