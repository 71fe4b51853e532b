// An ESM program against the installed package: a group whose cleanup runs
// after its child's, a request scope of unwind/http on a real socket,
// unwind/process: a process whose non-zero exit is a ProcessError, and a
// worker pool running a job in a worker thread; unwind/testing: an hour on
// the virtual clock, and a main() program in-process stopped by SIGTERM.

import { sleep, suspend, until } from "effection";
import { group, onTeardown, run } from "unwind";
import { serve } from "unwind/http";
import { exec, ProcessError, workerPool } from "unwind/process";
import { testMain, testRun } from "unwind/testing";

const lines = [];
await run(function* () {
  yield* group(
    function* (g) {
      yield* onTeardown(() => lines.push("group cleanup"));
      g.spawn(
        function* () {
          yield* onTeardown(() => lines.push("child cleanup"));
          yield* suspend();
        },
        { name: "child" },
      );
      const server = yield* serve(function* (_req, res) {
        res.end("hello");
      });
      const response = yield* until(fetch(server.url));
      lines.push(`${response.status} ${yield* until(response.text())}`);
      const child = yield* exec("sh", ["-c", "echo out; echo err >&2; exit 4"]);
      let out = "";
      child.stdout.on("data", (chunk) => (out += chunk));
      try {
        yield* child.expect();
      } catch (error) {
        lines.push(`${error instanceof ProcessError} ${error.code} ${error.stderr} ${out.trim()}`);
      }
      const pool = yield* workerPool(new URL("./pool-worker.mjs", import.meta.url), { size: 1 });
      lines.push(`fib ${yield* pool.run(20)}`);
      yield* g.halt();
    },
    { name: "check" },
  );
});
const { value, elapsed } = await testRun(function* () {
  yield* sleep(3_600_000);
  return "woke";
});
lines.push(`${value} after ${elapsed} virtual ms`);
const program = testMain(function* (root) {
  root.spawn(
    function* () {
      yield* onTeardown(() => lines.push("svc closed"));
      yield* suspend();
    },
    { name: "svc" },
  );
  yield* suspend();
});
program.signal("SIGTERM");
lines.push(`exit ${(await program).exitCode}`);
console.log(lines.join("; "));
