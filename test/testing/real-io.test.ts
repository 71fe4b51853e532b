// Real I/O under the virtual clock: it still works, and time does not jump
// while it is in flight (a jump would fire the timeouts around it before
// its answer could arrive). Real sockets on 127.0.0.1, a real child process.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { sleep, until } from "effection";
import { abortable, TimeoutError, useCancelSignal, withTimeout } from "unwind";
import { serve } from "unwind/http";
import { testRun } from "unwind/testing";
import { trackPromiseWork } from "../../src/core/promise-work.ts";
import { RealWork } from "../../src/testing/real-work.ts";

const HOUR = 3_600_000;
/** Node's own setTimeout: the server below answers in real time, whatever the clock of the test says. */
const realSetTimeout = globalThis.setTimeout;
const realTimeout = setTimeout;
const realImmediate = () => new Promise((resolve) => setImmediate(resolve));

/** A server of the test: `/slow` answers after 100 real ms, `/never` never does, the rest at once. */
let server: Server;
let base: string;
before(async () => {
  server = createServer((req, res) => {
    if (req.url === "/slow") realSetTimeout(() => res.end("slow answer"), 100);
    else if (req.url !== "/never") res.end("answer");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

describe("real I/O inside testRun()", () => {
  it("an HTTP request works, and the clock does not jump while it is in flight", async () => {
    const { value } = await testRun(function* (root) {
      const start = Date.now();
      const events: string[] = [];
      root.spawn(
        function* () {
          yield* sleep(HOUR);
          events.push(`an hour passed at ${Date.now() - start}`);
        },
        { name: "sleeper" },
      );
      const response = yield* until(fetch(`${base}/slow`));
      const text = yield* until(response.text());
      const answeredAt = Date.now() - start;
      events.push(`${text} before the hour: ${answeredAt < HOUR}`);
      return events;
    });
    assert.deepEqual(value, ["slow answer before the hour: true", `an hour passed at ${HOUR}`]);
  });

  it("a timeout around a request that never gets an answer still fires (time runs at real speed meanwhile)", async () => {
    const { value } = await testRun(function* () {
      try {
        yield* withTimeout(
          200,
          (function* () {
            // Aborted by the halt: a request left in flight would hold the clock.
            const signal = yield* useCancelSignal();
            yield* until(fetch(`${base}/never`, { signal }));
          })(),
        );
        return "answered";
      } catch (error) {
        return error instanceof TimeoutError ? `timed out after ${error.ms} ms` : String(error);
      }
    });
    assert.equal(value, "timed out after 200 ms");
  });

  it("a server of the program answers a client of the program; afterwards time jumps again", async () => {
    const { value } = await testRun(function* () {
      const http = yield* serve(function* (_req, res) {
        yield* sleep(50); // the client is waiting: this runs at real speed
        res.end("from serve()");
      });
      const response = yield* until(fetch(http.url));
      const text = yield* until(response.text());
      const answeredAt = Date.now();
      yield* sleep(HOUR);
      return [text, Date.now() - answeredAt];
    });
    assert.deepEqual(value, ["from serve()", HOUR]);
  });

  it("a child process holds the clock until it exits", async () => {
    const { value } = await testRun(function* (root) {
      const events: string[] = [];
      root.spawn(function* () {
        yield* sleep(HOUR);
        events.push("an hour passed");
      });
      const child = spawn("sleep", ["0.2"], { stdio: "ignore" });
      const [code] = yield* until(once(child, "exit"));
      events.push(`child exited with ${code}`);
      return events;
    });
    assert.deepEqual(value, ["child exited with 0", "an hour passed"]);
  });

  it("abortable() work holds the clock until it settles, even when Node sees no handle for it", async () => {
    // A promise settled from outside the event loop's handles (as a thread
    // pool job or a native addon would be): only abortable()'s count shows it.
    const { value } = await testRun(function* (root) {
      const events: string[] = [];
      root.spawn(function* () {
        yield* sleep(HOUR);
        events.push("an hour passed");
      });
      // A real timer: the virtual clock ignores it, so only abortable()'s count holds the clock.
      events.push(
        yield* abortable(() => new Promise<string>((resolve) => realTimeout(resolve, 50, "work done"))),
      );
      return events;
    });
    assert.deepEqual(value, ["work done", "an hour passed"]);
  });
});

describe("what holds the clock (RealWork)", () => {
  it("sees requests and sockets in flight, queued steps and tracked promise work; not listening servers or idle connections", async () => {
    const work = new RealWork();
    {
      assert.equal(work.look(), undefined, "nothing has started");

      const local = createServer((_req, res) => res.end("ok"));
      local.listen(0, "127.0.0.1");
      await once(local, "listening");
      assert.equal(work.look(), undefined, "a listening server waits for connections");

      const reading = readFile(new URL(import.meta.url));
      assert.equal(work.look(), "real", "a file read in flight");
      await reading;

      const request = fetch(`http://127.0.0.1:${(local.address() as AddressInfo).port}/`);
      assert.equal(work.look(), "real", "a connection on its way");
      await (await request).text();
      // The client's keep-alive socket is unref()'d by fetch once idle; the
      // server's side of the connection stays open.
      while (work.look() !== undefined) await realImmediate();
      const open = await new Promise<number>((resolve, reject) =>
        local.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
      assert.equal(open, 1, "the accepted keep-alive connection is still open, and does not hold the clock");
      local.closeAllConnections();
      local.close();

      const immediate = setImmediate(() => {});
      assert.equal(work.look(), "step");
      clearImmediate(immediate);

      let settle!: () => void;
      const tracked = trackPromiseWork(new Promise<void>((resolve) => (settle = resolve)));
      assert.equal(work.look(), "real", "promise work unwind waits on");
      settle();
      await tracked;
      assert.equal(work.look(), undefined);
    }
  });
});
