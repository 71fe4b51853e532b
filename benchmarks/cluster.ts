/**
 * Requests per second of a hello-world server run by node:cluster workers:
 * by hand (`raw`: node:cluster and a node:http handler) against unwind
 * (`cluster()` under `main()`, `serve()` under each worker's `main()`),
 * with one worker and with one per core. Each shape is a process group
 * (benchmarks/programs/cluster-server.ts) on 127.0.0.1, loaded by
 * autocannon in this process, so the load generator shares the cores with
 * the workers. The shapes take turns (round-robin) so that drift of the
 * machine hits them alike; the ratio rows compare shapes measured back to
 * back in each round. `--quick` runs one round of 1 s per shape.
 *
 *   node --conditions=unwind-source --import tsx benchmarks/cluster.ts [--quick]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { get } from "node:http";
import { createServer } from "node:net";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { isEntry } from "./lib/entry.ts";
import { HOST, load, type Server } from "./lib/load.ts";
import { type BenchOptions, parseOptions } from "./lib/options.ts";
import { formatTable, type Row, summarize } from "./lib/table.ts";

const CWD = fileURLToPath(new URL("..", import.meta.url));
const SERVER = "benchmarks/programs/cluster-server.ts";
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const SIGTERM_EXIT = 143;
const SHAPES = ["raw", "unwind"] as const;

const figure = (workers: number) => `cluster hello req/s, ${workers} ${workers === 1 ? "worker" : "workers"}`;
const ratioFigure = "cluster ratios (each round back to back)";

export async function clusterBenchmark(options: BenchOptions): Promise<Row[]> {
  const rounds = options.quick ? 1 : 3;
  const duration = options.quick ? 1 : 5;
  const warmup = options.quick ? 0 : 1;
  const sizes = [...new Set([1, Math.max(2, availableParallelism())])];
  const samples = new Map<string, number[]>();
  const push = (key: string, value: number) => samples.set(key, [...(samples.get(key) ?? []), value]);
  for (let round = 0; round < rounds; round++) {
    for (const workers of sizes) {
      const rps = new Map<string, number>();
      for (const shape of SHAPES) {
        const server = await start(shape, workers);
        try {
          await probe(server.port);
          if (warmup > 0) await load(server, warmup);
          const result = await load(server, duration);
          rps.set(shape, result.requests.average);
          push(`${figure(workers)}|${shape}`, result.requests.average);
          process.stderr.write(
            `  cluster round ${round + 1}, ${workers} worker(s), ${shape}: ${result.requests.average.toFixed(0)} req/s\n`,
          );
        } finally {
          await stop(server);
        }
      }
      push(
        `${ratioFigure}|unwind / raw req/s, ${workers} ${workers === 1 ? "worker" : "workers"}`,
        (rps.get("unwind") ?? 0) / (rps.get("raw") ?? 1),
      );
    }
  }
  const rows = [...samples].map(([key, values]): Row => {
    const [fig = "", variant = ""] = key.split("|");
    return {
      figure: fig,
      variant,
      ...summarize(values),
      runs: values.length,
      unit: fig === ratioFigure ? "x" : "req/s",
    };
  });
  // The req/s figures first, then the ratios.
  return [...rows.filter((r) => r.figure !== ratioFigure), ...rows.filter((r) => r.figure === ratioFigure)];
}

async function freePort(): Promise<number> {
  const probeServer = createServer();
  await new Promise<void>((resolve) => probeServer.listen(0, HOST, resolve));
  const address = probeServer.address();
  await new Promise((resolve) => probeServer.close(resolve));
  if (!address || typeof address !== "object") throw new Error("no free port");
  return address.port;
}

/** Starts the shape in a process group of its own and waits for `listening <port>`. */
async function start(shape: string, workers: number): Promise<Server> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ["--conditions=unwind-source", "--import", "tsx", SERVER, shape, String(workers)],
    {
      cwd: CWD,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PORT: String(port) },
      detached: true,
    },
  );
  const name = `${shape} (${workers} workers)`;
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`${name} did not listen within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      killGroup(child);
      reject(error);
    };
    void exited.then(({ code, signal }) =>
      fail(new Error(`${name} exited (${code ?? signal}) before listening:\n${stderr}`)),
    );
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (/^listening \d+$/m.test(stdout)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { name, child, port, exited, stderr: () => stderr };
}

/** The whole group: the primary and its workers, should anything go wrong. */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** SIGTERM to the primary alone; it must exit 143 with its workers. */
async function stop(server: Server): Promise<void> {
  server.child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    server.exited,
    new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), STOP_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  killGroup(server.child); // no worker may outlive a run, whatever happened
  if (outcome === "timeout")
    throw new Error(`${server.name} did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`);
  if (outcome.code !== SIGTERM_EXIT) {
    throw new Error(
      `${server.name} exited with ${outcome.code ?? outcome.signal} on SIGTERM:\n${server.stderr()}`,
    );
  }
}

function probe(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    get({ host: HOST, port, path: "/", agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () =>
        res.statusCode === 200 && body === "hello"
          ? resolve()
          : reject(new Error(`probe: ${res.statusCode} ${body}`)),
      );
    }).on("error", reject);
  });
}

if (isEntry(import.meta.url)) console.log(formatTable(await clusterBenchmark(parseOptions())));
