// A clustered HTTP server. The primary runs WORKERS processes (default 2)
// that share PORT (default 8080), restarts any that crashes, replaces them
// one at a time on `kill -URG <primary pid>` (a reload: each new worker
// listens before the old one drains, so no request fails), and on Ctrl-C
// or SIGTERM drains every worker and exits 130 / 143 once all have exited.
//
//   node --import tsx examples/cluster/main.ts
//   npx autocannon -d 20 http://127.0.0.1:8080/ &  kill -URG <primary pid>
import nodeCluster from "node:cluster";
import { sleep, suspend } from "effection";
import { main, onTeardown } from "unwind";
import { serve } from "unwind/http";
import { cluster } from "unwind/process";

const port = Number(process.env.PORT ?? 8080);

await main(
  function* () {
    if (nodeCluster.isPrimary) {
      const workers = yield* cluster({ workers: Number(process.env.WORKERS ?? 2) });
      console.log(
        `primary ${process.pid}: ${workers.workers.length} workers on http://127.0.0.1:${port}; ` +
          `kill -URG ${process.pid} reloads them, Ctrl-C stops them`,
      );
      yield* suspend();
    }
    // A worker: its own main(), its own server (node:cluster shares the port).
    const name = `${process.env.UNWIND_CLUSTER_WORKER} (pid ${process.pid})`;
    yield* onTeardown(() => console.log(`${name}: drained and stopped`));
    yield* serve(
      function* (_req, res) {
        yield* sleep(10); // some work
        res.end(`hello from ${name}\n`);
      },
      { port, drainTimeout: 10_000 },
    );
    console.log(`${name}: listening`);
    yield* suspend();
  },
  { teardownTimeout: 20_000 },
);
