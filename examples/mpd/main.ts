// The MPD client done right: the classic "graceful shutdown of asyncio
// coroutines" program, on unwind. It connects to MPD (an embedded fake one,
// unless MPD_HOST / MPD_PORT point at a real one), prints the status, then
// prints every change MPD reports. Ctrl-C (or SIGTERM) cancels the pending
// `idle` with `noidle`, says `close`, ends the socket and exits 130 (143):
// no task left pending, no "Event loop is closed", every step printed.
// Press t (or send SIGUSR2) to print the live task tree; from another
// terminal, `npx unwind tree <pid>` prints it too (`npm run unwind -- tree
// <pid>` in this repository).
import { subscribe } from "node:diagnostics_channel";
import { type Operation, sleep, suspend } from "effection";
import {
  abortable,
  Channels,
  formatTree,
  inspect,
  main,
  onTeardown,
  type UnwindEvent,
  useCancelSignal,
} from "unwind";
import { AsyncQueue } from "./async-queue.ts";
import { MpdClient } from "./client.ts";
import { type FakeMpd, startFakeMpd } from "./fake-server.ts";
import { field } from "./protocol.ts";

const started = Date.now();
const trace = (line: string) => console.log(`  +${String(Date.now() - started).padStart(5)} ms  ${line}`);

// Every teardown step, as unwind announces it on node:diagnostics_channel:
// halts begin top-down, tasks finish bottom-up (children before parents).
subscribe(Channels.haltBegin, (message) => {
  const event = message as UnwindEvent;
  trace(`▸ halting ${event.path} ${event.kind} (${event.reason?.message})`);
});
subscribe(Channels.settle, (message) => {
  const event = message as UnwindEvent;
  if (event.teardownMs !== undefined)
    trace(`✓ ${event.path} ${event.kind} torn down in ${event.teardownMs} ms`);
});

/** Prints what MPD reports, until halted. */
function* watchChanges(client: MpdClient): Operation<void> {
  yield* onTeardown(() => trace("stopped watching for changes"));
  for (;;) {
    const changed = yield* client.idle("player", "mixer");
    for (const subsystem of changed) {
      const status = yield* client.command("status");
      trace(`changed: ${subsystem} (state ${field(status, "state")}, volume ${field(status, "volume")})`);
    }
  }
}

/** For the embedded server: plays and pauses now and then, so there is something to watch. */
function* dj(client: MpdClient): Operation<void> {
  yield* onTeardown(() => trace("dj stopped"));
  for (let i = 0; ; i++) {
    yield* sleep(1500);
    yield* client.command(i % 3 === 2 ? `setvol ${40 + i}` : i % 2 === 0 ? "play" : "pause 1");
  }
}

/** Prints the live task tree on `t` (in a terminal) or SIGUSR2. */
function* treeOnRequest(): Operation<void> {
  const requests = new AsyncQueue<string>();
  const onSignal = () => requests.push("SIGUSR2");
  process.on("SIGUSR2", onSignal);
  yield* onTeardown(() => {
    process.off("SIGUSR2", onSignal);
    trace("stopped listening for t / SIGUSR2");
  });
  if (process.stdin.isTTY) {
    // Raw mode delivers Ctrl-C as a key, not a signal: pass it on as SIGINT.
    const onKey = (key: string) => {
      if (key === "t") requests.push(key);
      if (key === "\u0003") process.kill(process.pid, "SIGINT");
    };
    process.stdin.setRawMode(true);
    process.stdin.setEncoding("utf8").on("data", onKey).resume();
    yield* onTeardown(() => {
      process.stdin.off("data", onKey).pause();
      process.stdin.setRawMode(false);
    });
  }
  for (;;) {
    const request = yield* requests.take();
    console.log(`\ntask tree (${request}):\n${formatTree(yield* inspect())}\n`);
  }
}

await main(function* (root) {
  const cancelled = yield* useCancelSignal();
  cancelled.addEventListener("abort", () =>
    console.log(`\nshutting down (${(cancelled.reason as Error).message}):`),
  );

  let host = process.env.MPD_HOST ?? "127.0.0.1";
  let port = Number(process.env.MPD_PORT ?? 6600);
  const embedded = process.env.MPD_HOST === undefined && process.env.MPD_PORT === undefined;
  if (embedded) {
    const server = yield* root.start<FakeMpd>(
      function* (ready) {
        // abortable(), not until(): a Ctrl-C while the server starts closes
        // its port before the teardown goes on, instead of leaving it open.
        const fake = yield* abortable((signal) => startFakeMpd({ signal }));
        yield* onTeardown(async () => {
          await fake.close();
          trace("embedded MPD server stopped");
        });
        ready(fake);
        yield* suspend();
      },
      { name: "fake-mpd" },
    );
    ({ host, port } = server);
    console.log(`(no MPD_HOST / MPD_PORT: using an embedded fake MPD on ${host}:${port})`);
  }

  const client = new MpdClient({ host, port, trace });
  yield* root.start((ready) => client.run(() => ready(undefined)), { name: "mpd" });
  const song = yield* client.command("currentsong");
  const status = yield* client.command("status");
  console.log(`now: ${field(song, "Title") ?? "(nothing)"}, state ${field(status, "state")}`);
  root.spawn(() => watchChanges(client), { name: "idle" });
  if (embedded) root.spawn(() => dj(client), { name: "dj" });
  root.spawn(treeOnRequest, { name: "keys" });

  yield* sleep(10);
  console.log(`\n${formatTree(yield* inspect())}\n`);
  console.log("Watching for changes. Press t (or send SIGUSR2) for the task tree, Ctrl-C to quit.");
  console.log(`From another terminal: npm run unwind -- tree ${process.pid}\n`);
  yield* suspend();
});
