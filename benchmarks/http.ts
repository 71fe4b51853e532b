/**
 * Per-request overhead of an HTTP hello-world server in several shapes:
 * plain node:http, one effection task per request, and unwind tasks / groups
 * / `serve()` per request. Each shape is a child process
 * (benchmarks/programs/http-server.ts) on 127.0.0.1, loaded by autocannon in
 * this process; the shapes take turns (round-robin) so that drift of the
 * machine hits them all alike.
 *
 * Two workloads: `hello` (the handler answers at once) and `await-once` (the
 * handler first waits for one already-resolved promise). A handler that never
 * waits can be answered without a request scope at all, so `hello` alone
 * would flatter `serve()`; `await-once` is the cheapest handler that needs
 * one. Only raw, effection, unwind task and `serve()` run `await-once`.
 *
 * Besides req/s and p99 latency it reports the server's CPU time per request
 * (from /proc, Linux only: the load generator shares the cores, so req/s
 * alone understates what a cheaper request scope saves) and, per round and
 * workload, the ratios of `serve()` to plain effection and raw node:http
 * measured back to back. `--quick` runs only raw, effection and `serve()`,
 * one round of 1 s each.
 *
 *   node --conditions=unwind-source --import tsx benchmarks/http.ts [--quick]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { get } from "node:http";
import { fileURLToPath } from "node:url";
import { isEntry } from "./lib/entry.ts";
import { HOST, load, type Server } from "./lib/load.ts";
import { type BenchOptions, parseOptions } from "./lib/options.ts";
import { formatTable, type Row, summarize } from "./lib/table.ts";

const CWD = fileURLToPath(new URL("..", import.meta.url));
const SERVER = "benchmarks/programs/http-server.ts";
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** Exit code of every shape on SIGTERM (128 + 15). */
const SIGTERM_EXIT = 143;
/** Linux's USER_HZ, the unit of /proc/<pid>/stat times: 100 on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * `workload`: the server program's workload argument; `label`: its name in
 * the figures.
 */
const WORKLOADS = [
  { workload: "hello", label: "hello" },
  { workload: "await", label: "await-once" },
] as const;
type Workload = (typeof WORKLOADS)[number]["workload"];

/**
 * `quick: false`: left out of `--quick` (CI only checks that everything runs);
 * `workloads`: the workloads the shape runs.
 */
const SHAPES: readonly { shape: string; variant: string; quick: boolean; workloads: readonly Workload[] }[] =
  [
    { shape: "raw", variant: "raw", quick: true, workloads: ["hello", "await"] },
    { shape: "effection", variant: "effection", quick: true, workloads: ["hello", "await"] },
    { shape: "unwind-task", variant: "unwind task", quick: false, workloads: ["hello", "await"] },
    { shape: "unwind-group", variant: "unwind group", quick: false, workloads: ["hello"] },
    { shape: "unwind-group-cleanup", variant: "unwind group+cleanup", quick: false, workloads: ["hello"] },
    { shape: "unwind-serve", variant: "unwind serve()", quick: true, workloads: ["hello", "await"] },
  ];
const SERVE = "unwind serve()";

const rpsFigure = (label: string) => `HTTP ${label} req/s`;
const p99Figure = (label: string) => `HTTP ${label} p99 latency`;
const cpuFigure = (label: string) => `HTTP ${label} server CPU per request`;
const ratioFigure = (label: string) => `HTTP ${label} ratios (each round back to back)`;

/** Ratios of one round's results of one workload, with the targets of the HTTP work. */
const RATIOS: readonly {
  variant: string;
  of: (rps: (variant: string) => number, p99: (variant: string) => number) => number;
}[] = [
  { variant: "serve() / effection req/s (target >= 0.90)", of: (rps) => rps(SERVE) / rps("effection") },
  { variant: "serve() / effection p99 (target <= 1.20)", of: (_, p99) => p99(SERVE) / p99("effection") },
  { variant: "serve() / raw req/s (stretch >= 0.50)", of: (rps) => rps(SERVE) / rps("raw") },
  { variant: "effection / raw req/s", of: (rps) => rps("effection") / rps("raw") },
];

export async function http(options: BenchOptions): Promise<Row[]> {
  const rounds = options.quick ? 1 : 3;
  const duration = options.quick ? 1 : 3;
  const warmup = options.quick ? 0 : 1;
  const shapes = SHAPES.filter((s) => s.quick || !options.quick);
  const runs = WORKLOADS.map(({ workload, label }) => ({
    workload,
    label,
    shapes: shapes.filter((s) => s.workloads.includes(workload)),
  }));
  // Samples keyed by figure, then by variant.
  const samples = new Map<string, Map<string, number[]>>();
  const live = new Set<ChildProcess>();
  const killAll = () => {
    for (const child of live) child.kill("SIGKILL");
  };
  process.once("exit", killAll);
  try {
    for (let round = 0; round < rounds; round++) {
      for (const { workload, label, shapes } of runs) {
        const roundRps = new Map<string, number>();
        const roundP99 = new Map<string, number>();
        for (const { shape, variant } of shapes) {
          // On an error the outer `finally` kills the server (and the error is not masked by a stop error).
          const server = await startServer(shape, workload, live);
          await probe(server.port);
          if (warmup > 0) await load(server, warmup);
          const cpuBefore = cpuMicros(server.child.pid);
          const result = await load(server, duration);
          const cpuAfter = cpuMicros(server.child.pid);
          await stopServer(server, live);
          push(samples, rpsFigure(label), variant, result.requests.average);
          push(samples, p99Figure(label), variant, result.latency.p99);
          let cpuText = "";
          if (cpuBefore !== undefined && cpuAfter !== undefined && result.requests.total > 0) {
            const perRequest = (cpuAfter - cpuBefore) / result.requests.total;
            push(samples, cpuFigure(label), variant, perRequest);
            cpuText = `, ${perRequest.toFixed(0)} µs CPU/request`;
          }
          // Progress (and every round's numbers) on stderr, like the other benchmarks.
          process.stderr.write(
            `  http round ${round + 1} ${label} ${variant}: ${result.requests.average.toFixed(0)} req/s, p99 ${result.latency.p99} ms${cpuText}\n`,
          );
          roundRps.set(variant, result.requests.average);
          roundP99.set(variant, result.latency.p99);
        }
        const of = (values: Map<string, number>) => (variant: string) => values.get(variant) ?? Number.NaN;
        for (const ratio of RATIOS) {
          push(samples, ratioFigure(label), ratio.variant, ratio.of(of(roundRps), of(roundP99)));
        }
      }
    }
  } finally {
    killAll();
    process.off("exit", killAll);
  }
  const rows = (figure: string, variants: readonly string[], unit: string): Row[] =>
    variants.flatMap((variant) => {
      const values = samples.get(figure)?.get(variant);
      return values ? [row(figure, variant, values, unit)] : [];
    });
  return runs.flatMap(({ label, shapes }) => {
    const variants = shapes.map((s) => s.variant);
    return [
      ...rows(rpsFigure(label), variants, "req/s"),
      ...rows(p99Figure(label), variants, "ms"),
      ...rows(cpuFigure(label), variants, "µs"),
      ...rows(
        ratioFigure(label),
        RATIOS.map((r) => r.variant),
        "x",
      ),
    ];
  });
}

/**
 * CPU time (user + system, all threads) the process has used so far, in µs,
 * from /proc/<pid>/stat; `undefined` where there is no /proc.
 */
function cpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // Fields after "(comm)": state is the first, utime the 12th, stime the 13th (clock ticks).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks * (1e6 / CLOCK_TICKS_PER_SECOND) : undefined;
}

function push(
  samples: Map<string, Map<string, number[]>>,
  figure: string,
  variant: string,
  value: number,
): void {
  const byVariant = samples.get(figure) ?? new Map<string, number[]>();
  samples.set(figure, byVariant);
  const list = byVariant.get(variant) ?? [];
  list.push(value);
  byVariant.set(variant, list);
}

function row(figure: string, variant: string, samples: readonly number[], unit: string): Row {
  return { figure, variant, ...summarize(samples), runs: samples.length, unit };
}

/** Starts the server program for `shape` and `workload` and waits for its `listening <port>` line. */
function startServer(shape: string, workload: Workload, live: Set<ChildProcess>): Promise<Server> {
  const child = spawn(
    process.execPath,
    ["--conditions=unwind-source", "--import", "tsx", SERVER, shape, workload],
    {
      cwd: CWD,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  live.add(child);
  const name = `${shape} (${workload})`;
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  return new Promise<Server>((resolve, reject) => {
    const timer = setTimeout(() => {
      fail(new Error(`${name} server did not print "listening <port>" within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    child.once("error", fail);
    void exited.then(({ code, signal }) => {
      fail(new Error(`${name} server exited (code ${code}, signal ${signal}) before listening:\n${stderr}`));
    });
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      const match = /^listening (\d+)$/m.exec(stdout);
      if (match && !settled) {
        settled = true;
        clearTimeout(timer);
        child.stdout.removeAllListeners("data");
        child.stdout.resume(); // keep draining anything else it prints
        resolve({ name, child, port: Number(match[1]), exited, stderr: () => stderr });
      }
    });
  });
}

/** SIGTERMs the server and waits for a clean exit (143); SIGKILLs it and throws otherwise. */
async function stopServer(server: Server, live: Set<ChildProcess>): Promise<void> {
  if (!live.has(server.child)) {
    const { code, signal } = await server.exited;
    throw new Error(
      `${server.name} server died during the run (code ${code}, signal ${signal}):\n${server.stderr()}`,
    );
  }
  server.child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), STOP_TIMEOUT_MS);
  });
  const outcome = await Promise.race([server.exited, timeout]);
  clearTimeout(timer);
  if (outcome === "timeout") {
    server.child.kill("SIGKILL");
    throw new Error(`${server.name} server did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`);
  }
  if (outcome.code !== SIGTERM_EXIT) {
    throw new Error(
      `${server.name} server exited with code ${outcome.code} (signal ${outcome.signal}) on SIGTERM, expected ${SIGTERM_EXIT}:\n${server.stderr()}`,
    );
  }
}

/** One request on its own connection: checks status, content type and body. */
function probe(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = get({ host: HOST, port, path: "/", agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => {
        const type = res.headers["content-type"];
        if (res.statusCode === 200 && type === "text/plain" && body === "hello") resolve();
        else reject(new Error(`unexpected response: ${res.statusCode} ${type} ${JSON.stringify(body)}`));
      });
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

if (isEntry(import.meta.url)) console.log(formatTable(await http(parseOptions())));
