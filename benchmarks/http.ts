/**
 * Per-request overhead of an HTTP hello-world server in several shapes:
 * plain node:http, one effection task per request, and unwind tasks / groups
 * per request. Each shape is a child process (benchmarks/programs/http-server.ts)
 * on 127.0.0.1, loaded by autocannon in this process; the shapes take turns
 * (round-robin) so that drift of the machine hits them all alike.
 *
 *   node --conditions=unwind-source --import tsx benchmarks/http.ts [--quick]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { get } from "node:http";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { isEntry } from "./lib/entry.ts";
import { type BenchOptions, parseOptions } from "./lib/options.ts";
import { formatTable, type Row, summarize } from "./lib/table.ts";

const CWD = fileURLToPath(new URL("..", import.meta.url));
const SERVER = "benchmarks/programs/http-server.ts";
const HOST = "127.0.0.1";
const CONNECTIONS = 50;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** Exit code of every shape on SIGTERM (128 + 15). */
const SIGTERM_EXIT = 143;

const SHAPES = [
  { shape: "raw", variant: "raw" },
  { shape: "effection", variant: "effection" },
  { shape: "unwind-task", variant: "unwind task" },
  { shape: "unwind-group", variant: "unwind group" },
  { shape: "unwind-group-cleanup", variant: "unwind group+cleanup" },
] as const;

const RPS_FIGURE = "HTTP hello req/s";
const P99_FIGURE = "HTTP hello p99 latency";

interface Server {
  readonly shape: string;
  readonly child: ChildProcess;
  readonly port: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export async function http(options: BenchOptions): Promise<Row[]> {
  const rounds = options.quick ? 1 : 2;
  const duration = options.quick ? 1 : 3;
  const warmup = options.quick ? 0 : 1;
  const rps = new Map<string, number[]>();
  const p99 = new Map<string, number[]>();
  const live = new Set<ChildProcess>();
  const killAll = () => {
    for (const child of live) child.kill("SIGKILL");
  };
  process.once("exit", killAll);
  try {
    for (let round = 0; round < rounds; round++) {
      for (const { shape, variant } of SHAPES) {
        // On an error the outer `finally` kills the server (and the error is not masked by a stop error).
        const server = await startServer(shape, live);
        await probe(server.port);
        if (warmup > 0) await load(server, warmup);
        const result = await load(server, duration);
        await stopServer(server, live);
        push(rps, variant, result.requests.average);
        push(p99, variant, result.latency.p99);
      }
    }
  } finally {
    killAll();
    process.off("exit", killAll);
  }
  return [
    ...SHAPES.map(({ variant }) => row(RPS_FIGURE, variant, rps.get(variant) ?? [], "req/s")),
    ...SHAPES.map(({ variant }) => row(P99_FIGURE, variant, p99.get(variant) ?? [], "ms")),
  ];
}

function push(samples: Map<string, number[]>, variant: string, value: number): void {
  const list = samples.get(variant) ?? [];
  list.push(value);
  samples.set(variant, list);
}

function row(figure: string, variant: string, samples: readonly number[], unit: string): Row {
  return { figure, variant, ...summarize(samples), runs: samples.length, unit };
}

/** Starts the server program for `shape` and waits for its `listening <port>` line. */
function startServer(shape: string, live: Set<ChildProcess>): Promise<Server> {
  const child = spawn(process.execPath, ["--conditions=unwind-source", "--import", "tsx", SERVER, shape], {
    cwd: CWD,
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
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
      fail(new Error(`${shape} server did not print "listening <port>" within ${START_TIMEOUT_MS} ms`));
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
      fail(new Error(`${shape} server exited (code ${code}, signal ${signal}) before listening:\n${stderr}`));
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
        resolve({ shape, child, port: Number(match[1]), exited, stderr: () => stderr });
      }
    });
  });
}

/** SIGTERMs the server and waits for a clean exit (143); SIGKILLs it and throws otherwise. */
async function stopServer(server: Server, live: Set<ChildProcess>): Promise<void> {
  if (!live.has(server.child)) {
    const { code, signal } = await server.exited;
    throw new Error(
      `${server.shape} server died during the run (code ${code}, signal ${signal}):\n${server.stderr()}`,
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
    throw new Error(`${server.shape} server did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`);
  }
  if (outcome.code !== SIGTERM_EXIT) {
    throw new Error(
      `${server.shape} server exited with code ${outcome.code} (signal ${outcome.signal}) on SIGTERM, expected ${SIGTERM_EXIT}:\n${server.stderr()}`,
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

/** One autocannon run of `seconds`; throws unless every request got a 2xx `hello`. */
async function load(server: Server, seconds: number): Promise<autocannon.Result> {
  const result = await autocannon({
    url: `http://${HOST}:${server.port}/`,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    expectBody: "hello",
  });
  const { errors, timeouts, non2xx, mismatches } = result;
  if (errors || timeouts || non2xx || mismatches || result["2xx"] === 0) {
    const counts = JSON.stringify({ errors, timeouts, non2xx, mismatches, ok: result["2xx"] });
    throw new Error(`${server.shape}: autocannon run failed: ${counts}\n${server.stderr()}`);
  }
  return result;
}

if (isEntry(import.meta.url)) console.log(formatTable(await http(parseOptions())));
