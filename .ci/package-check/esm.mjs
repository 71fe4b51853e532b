// An ESM program against the installed package: a group whose cleanup runs
// after its child's, a request scope of unwind/http on a real socket, and
// unwind/process: a process whose non-zero exit is a ProcessError, and a
// worker pool running a job in a worker thread.

import { suspend, until } from "effection";
import { group, onTeardown, run } from "unwind";
import { serve } from "unwind/http";
import { exec, ProcessError, workerPool } from "unwind/process";

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
console.log(lines.join("; "));
