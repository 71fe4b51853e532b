/**
 * A hello-world HTTP server run by node:cluster workers, for
 * benchmarks/cluster.ts.
 *
 *   PORT=<port> node --conditions=unwind-source --import tsx benchmarks/programs/cluster-server.ts <shape> <workers>
 *
 * Every worker answers every request with 200 `hello` (text/plain) on
 * 127.0.0.1:PORT. The primary prints `listening <port>` once all workers
 * listen, and exits 143 on SIGTERM once they have exited.
 *
 * - `raw`: node:cluster by hand: the primary forks the workers; each runs a
 *   plain node:http handler; SIGTERM: `worker.disconnect()` for each (the
 *   worker closes its server), then exit 143.
 * - `unwind`: `cluster()` under `main()` in the primary, `serve()` under
 *   `main()` in each worker, with the same handler.
 */
import cluster from "node:cluster";
import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import { suspend } from "effection";
import { main } from "unwind";
import { serve } from "unwind/http";
import { cluster as unwindCluster } from "unwind/process";

const HOST = "127.0.0.1";
const port = Number(process.env.PORT);
const [shape = "", workersArg = "1"] = process.argv.slice(2);
const workers = Number(workersArg);

function hello(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end("hello");
}

async function raw(): Promise<void> {
  if (cluster.isPrimary) {
    const forked = Array.from({ length: workers }, () => cluster.fork());
    await Promise.all(forked.map((worker) => once(worker, "listening")));
    process.stdout.write(`listening ${port}\n`);
    process.once("SIGTERM", () => {
      for (const worker of forked) worker.disconnect();
      cluster.once("exit", function exited() {
        if (Object.keys(cluster.workers ?? {}).length > 0) cluster.once("exit", exited);
        else process.exit(143); // like the other shape (128 + SIGTERM)
      });
    });
    return;
  }
  createServer((_req, res) => hello(res)).listen(port, HOST);
}

async function unwind(): Promise<void> {
  await main(function* () {
    if (cluster.isPrimary) {
      yield* unwindCluster({ workers });
      process.stdout.write(`listening ${port}\n`);
    } else {
      yield* serve(
        function* (_req, res) {
          hello(res);
        },
        { port, host: HOST },
      );
    }
    yield* suspend();
  });
}

if (!Number.isInteger(port) || port <= 0 || !Number.isInteger(workers) || workers < 1) {
  console.error("usage: PORT=<port> cluster-server.ts <raw | unwind> <workers>");
  process.exit(2);
}
if (shape === "raw") await raw();
else if (shape === "unwind") await unwind();
else {
  console.error(
    `usage: PORT=<port> cluster-server.ts <raw | unwind> <workers>; got shape ${JSON.stringify(shape)}`,
  );
  process.exit(2);
}
