import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startFixture } from "../helpers/fixture.ts";
import { replied, send } from "../helpers/http-client.ts";

/** Starts the fixture and waits for its "listening <url>" line. */
async function startServer(env: Record<string, string> = {}) {
  const fixture = startFixture("http-drain", env);
  let url = "";
  fixture.child.stdout?.on("data", (chunk: Buffer) => {
    url ||= /^listening (\S+)$/m.exec(String(chunk))?.[1] ?? "";
  });
  await fixture.waitFor(/^listening /);
  return { fixture, url };
}

describe("main({ drainTimeout }): the drain phase before the halt", () => {
  it("lets in-flight requests finish before any task is halted", async () => {
    const { fixture, url } = await startServer({ MAIN_DRAIN_MS: "5000" });
    const work = send(`${url}/work?ms=300`);
    await fixture.waitFor("start /work?ms=300");
    fixture.child.kill("SIGTERM");
    const reply = replied(await work);
    const exited = await fixture.exited;
    assert.equal(exited.code, 143, exited.stderr);
    assert.deepEqual(
      [reply.status, reply.body, reply.headers.connection],
      [200, "done /work?ms=300\n", "close"],
    );
    assert.deepEqual(exited.stdout.slice(1), [
      "start /work?ms=300",
      "end /work?ms=300",
      "cleanup /work?ms=300 (ended)",
      "worker cleanup", // only after the drain: the worker was halted after the request ended
    ]);
  });

  it("without a drain phase (the default) halts in tree order: the newer worker first, then the server drains", async () => {
    const { fixture, url } = await startServer();
    const work = send(`${url}/work?ms=300`);
    await fixture.waitFor("start /work?ms=300");
    fixture.child.kill("SIGTERM");
    const reply = replied(await work);
    const exited = await fixture.exited;
    assert.equal(exited.code, 143, exited.stderr);
    assert.deepEqual([reply.status, reply.headers.connection], [200, "close"]);
    assert.deepEqual(exited.stdout.slice(1), [
      "start /work?ms=300",
      "worker cleanup",
      "end /work?ms=300",
      "cleanup /work?ms=300 (ended)",
    ]);
  });

  it("a second signal while a server drains in the teardown halts its requests; the teardown goes on", async () => {
    const { fixture, url } = await startServer({ SERVE_DRAIN_MS: "30000" });
    const work = send(`${url}/work?ms=60000`);
    await fixture.waitFor("start /work?ms=60000");
    fixture.child.kill("SIGTERM");
    await fixture.waitFor("worker cleanup"); // the teardown has reached the server
    fixture.child.kill("SIGTERM");
    const reply = replied(await work);
    const exited = await fixture.exited;
    assert.equal(exited.code, 143, exited.stderr);
    assert.deepEqual([reply.status, reply.headers.connection], [503, "close"]);
    assert.deepEqual(exited.stdout.slice(1), [
      "start /work?ms=60000",
      "worker cleanup",
      "cleanup /work?ms=60000 (signal)",
    ]);
  });

  it("a second signal skips what is left of the drain: in-flight requests are halted, then teardown goes on", async () => {
    const { fixture, url } = await startServer({ MAIN_DRAIN_MS: "30000", SERVE_DRAIN_MS: "30000" });
    const work = send(`${url}/work?ms=60000`);
    await fixture.waitFor("start /work?ms=60000");
    fixture.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 200));
    fixture.child.kill("SIGINT");
    const reply = replied(await work);
    const exited = await fixture.exited;
    assert.equal(exited.code, 143, exited.stderr);
    assert.deepEqual([reply.status, reply.headers.connection], [503, "close"]);
    assert.deepEqual(exited.stdout.slice(1), [
      "start /work?ms=60000",
      "cleanup /work?ms=60000 (signal)",
      "worker cleanup",
    ]);
  });
});

describe("main({ drainTimeout }) with two servers", () => {
  it("drains the newer server first: its in-flight requests can still call the older one", async () => {
    const fixture = startFixture("http-two-servers", { MAIN_DRAIN_MS: "5000" });
    let url = "";
    fixture.child.stdout?.on("data", (chunk: Buffer) => {
      url ||= /^front (\S+)$/m.exec(String(chunk))?.[1] ?? "";
    });
    await fixture.waitFor(/^front /);
    const work = send(`${url}/work`);
    await fixture.waitFor("front: calling internal in 300 ms");
    fixture.child.kill("SIGTERM");
    const reply = replied(await work);
    const exited = await fixture.exited;
    assert.equal(exited.code, 143, exited.stderr);
    assert.deepEqual([reply.status, reply.body], [200, "front got: internal ok\n"]);
    assert.deepEqual(exited.stdout.slice(2), [
      "front: calling internal in 300 ms",
      "drain main/front (1 in flight)",
      "drain main/internal (0 in flight)",
    ]);
  });
});

/** Asks for `path` until the answer has `status` (the server changes state after a signal). */
async function waitForStatus(url: string, status: number) {
  for (;;) {
    const reply = await send(url);
    if ("status" in reply && reply.status === status) return reply;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("main({ shutdownDelay }): keep serving while readiness fails, then drain", () => {
  it("answers new connections normally while /ready answers 503; a second signal skips the delay", async (t) => {
    const { fixture, url } = await startServer({ MAIN_DELAY_MS: "600000", MAIN_DRAIN_MS: "5000" });
    t.after(() => fixture.child.kill("SIGKILL")); // if an assertion fails before the second signal
    assert.equal(replied(await send(`${url}/ready`)).status, 200);
    fixture.child.kill("SIGTERM");
    const ready = replied(await waitForStatus(`${url}/ready`, 503));
    assert.equal(ready.headers.connection, "close");
    // A new connection during the delay: served as if nothing happened.
    const during = replied(await send(`${url}/work?ms=1`));
    assert.deepEqual([during.status, during.body], [200, "done /work?ms=1\n"]);
    fixture.child.kill("SIGTERM");
    const exited = await fixture.exited;
    assert.equal(exited.code, 143, exited.stderr);
    assert.deepEqual(exited.stdout.slice(1), [
      "start /work?ms=1",
      "end /work?ms=1",
      "cleanup /work?ms=1 (ended)",
      "drain begins",
      "worker cleanup",
    ]);
  });

  it("drains by itself once the delay has passed", async () => {
    const { fixture, url } = await startServer({ MAIN_DELAY_MS: "300", MAIN_DRAIN_MS: "5000" });
    fixture.child.kill("SIGTERM");
    await waitForStatus(`${url}/ready`, 503);
    const exited = await fixture.exited;
    assert.equal(exited.code, 143, exited.stderr);
    assert.deepEqual(exited.stdout.slice(1), ["drain begins", "worker cleanup"]);
  });
});
