// The unwind demo: a small service as a task tree. It prints the tree, then
// waits for Ctrl-C (or stops itself after DEMO_SECONDS, 15 by default) and
// prints every teardown step as it happens: children before their parents,
// newest sibling first, every asynchronous cleanup awaited.
import { type Operation, sleep, suspend } from "effection";
import { formatTree, group, type HaltReason, inspect, main, onTeardown, useCancelSignal } from "unwind";

const started = Date.now();
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const step = (text: string) => console.log(`  +${String(Date.now() - started).padStart(5)} ms  ${text}`);

/** A resource whose cleanup takes a while, like closing a real connection. */
function* connection(path: string): Operation<void> {
  yield* onTeardown(async () => {
    await delay(30);
    step(`closed ${path}`);
  });
  yield* suspend();
}

function* database(): Operation<void> {
  yield* group(function* (pool) {
    yield* onTeardown(() => step("released pool main/db (after its connections)"));
    pool.spawn(() => connection("main/db/conn-1"), { name: "conn-1" });
    pool.spawn(() => connection("main/db/conn-2"), { name: "conn-2" });
    yield* suspend();
  });
}

function* http(): Operation<void> {
  yield* group(function* (server) {
    const port = yield* server.start<number>(
      function* (ready) {
        yield* onTeardown(() => step("stopped listening main/http/listener"));
        ready(8080);
        yield* suspend();
      },
      { name: "listener" },
    );
    server.spawn(() => connection(`main/http/request-1 (port ${port})`), { name: "request-1" });
    server.spawn(() => connection(`main/http/request-2 (port ${port})`), { name: "request-2" });
    yield* suspend();
  });
}

const outcome = await main(
  function* (root) {
    console.log("unwind demo: a small service as a task tree.\n");
    yield* onTeardown((reason) => step(`main's own cleanup ran last (${reason?.message ?? "no halt"})`));
    root.spawn(database, { name: "db" });
    root.spawn(http, { name: "http" });
    yield* sleep(10); // let every task take its first step

    console.log(formatTree(yield* inspect()));
    const seconds = Number(process.env.DEMO_SECONDS ?? 15);
    console.log(`\nPress Ctrl-C to shut down (the demo stops itself after ${seconds} s).\n`);
    // Aborts the moment the root's halt starts, with the reason (Ctrl-C ...).
    const cancelled = yield* useCancelSignal();
    try {
      yield* sleep(seconds * 1000);
      console.log("time is up: halting the root");
    } finally {
      // The body is halted first: its (synchronous) finally is the first step.
      const why = cancelled.aborted ? ` (${(cancelled.reason as HaltReason).message})` : "";
      console.log(`\nshutting down${why}, children first, newest sibling first:`);
    }
    yield* root.halt();
  },
  { exit: false },
);
console.log(`\noutcome: ${outcome.status}, exit code ${outcome.exitCode}`);
process.exit(outcome.exitCode);
