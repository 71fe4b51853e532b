// The edges of HTTP/1.1 in a real process under main(), with real signals:
// pipelined requests at SIGTERM, a write after end, an upgraded connection.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { type Fixture, startFixture } from "../helpers/fixture.ts";
import { replied, send } from "../helpers/http-client.ts";
import { get, openRaw } from "../helpers/raw-http.ts";

const running = new Set<Fixture>();

afterEach(() => {
  // A failed test must not leave its server behind.
  for (const fixture of running) fixture.child.kill("SIGKILL");
  running.clear();
});

/** Starts the fixture; resolves with it and its URL once it listens. */
async function startServer(env: Record<string, string> = {}) {
  const fixture = startFixture("http-edges", env);
  running.add(fixture);
  let url = "";
  fixture.child.stdout?.on("data", (chunk: Buffer) => {
    url ||= /^listening (\S+)$/m.exec(String(chunk))?.[1] ?? "";
  });
  await fixture.waitFor(/^listening /);
  return { fixture, url };
}

describe("the edges of HTTP/1.1 in a real process, with real signals", () => {
  it("SIGTERM with pipelined requests in flight: each gets its whole response, only the last closes the connection", async () => {
    const { fixture, url } = await startServer();
    const raw = await openRaw(url);
    raw.socket.write(get("/a?ms=300") + get("/b?ms=200") + get("/c?ms=100"));
    await fixture.waitFor("start /c?ms=100");
    fixture.child.kill("SIGTERM");
    const end = await raw.ended;
    const exited = await fixture.exited;
    assert.equal(exited.code, 143, exited.stderr);
    assert.equal(exited.stderr, "");
    assert.deepEqual(
      end.responses.map((r) => [r.status, r.body, r.headers.connection]),
      [
        [200, "done /a?ms=300\n", "keep-alive"],
        [200, "done /b?ms=200\n", "keep-alive"],
        [200, "done /c?ms=100\n", "close"],
      ],
    );
    assert.deepEqual([end.error, end.rest], [undefined, ""]);
    const lines = exited.stdout.slice(1);
    assert.deepEqual(lines.slice(0, 4), [
      "start /a?ms=300",
      "start /b?ms=200",
      "start /c?ms=100",
      "drain (3 in flight)",
    ]);
    assert.deepEqual(lines.slice(4).sort(), [
      "cleanup /a?ms=300 (ended)",
      "cleanup /b?ms=200 (ended)",
      "cleanup /c?ms=100 (ended)",
      "end /a?ms=300",
      "end /b?ms=200",
      "end /c?ms=100",
    ]);
  });

  it("a write after end is reported with the request's path and phase; the process keeps serving", async () => {
    const { fixture, url } = await startServer();
    assert.equal(replied(await send(`${url}/twice`)).body, "first\n");
    await fixture.waitFor("error main/http/GET /twice #1 (run): ERR_STREAM_WRITE_AFTER_END");
    assert.equal(replied(await send(`${url}/next`)).body, "done /next\n");
    fixture.child.kill("SIGTERM");
    const exited = await fixture.exited;
    assert.equal(exited.code, 143, exited.stderr);
    assert.deepEqual(exited.stdout.slice(1), [
      "error main/http/GET /twice #1 (run): ERR_STREAM_WRITE_AFTER_END",
      "start /next",
      "end /next",
      "cleanup /next (ended)",
      "drain (0 in flight)",
    ]);
  });

  it("an upgraded connection does not hold up the exit: SIGTERM ends with 143, not the teardown deadline's 124", async () => {
    const { fixture, url } = await startServer({ TEARDOWN_MS: "3000" });
    const upgraded = await openRaw(url);
    upgraded.socket.write(get("/ws", "Upgrade: echo", "Connection: Upgrade"));
    await fixture.waitFor("upgraded /ws");
    fixture.child.kill("SIGTERM");
    const exited = await fixture.exited;
    const end = await upgraded.ended;
    assert.equal(exited.code, 143, exited.stderr);
    assert.equal(exited.stderr, "");
    assert.deepEqual(
      end.responses.map((r) => r.status),
      [101],
    );
    assert.deepEqual(exited.stdout.slice(1), ["upgraded /ws", "drain (0 in flight)"]);
  });
});
