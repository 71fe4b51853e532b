// SIGTERM-to-exit time of a real process holding N tasks, each with a 1 ms
// asynchronous cleanup: raw promises, plain effection's main(), and unwind's
// main() with serial and concurrent teardown. Each run starts the program as a
// child process, waits for its "ready" line, sends SIGTERM and times the
// child's 'exit' event. The four programs of a round start together and are
// then stopped one at a time, so only one is shutting down at any moment.
//
// Run by itself: node --conditions=unwind-source --import tsx benchmarks/shutdown.ts [--quick]
import { type ChildProcess, spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { isEntry } from "./lib/entry.ts";
import { type BenchOptions, parseOptions } from "./lib/options.ts";
import { formatTable, type Row, summarize } from "./lib/table.ts";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const programs = fileURLToPath(new URL("./programs/", import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 30_000;
const EXPECTED_EXIT = 143;
/** Pause between the last "ready" of a round and its first SIGTERM. */
const SETTLE_MS = 100;

interface Variant {
  name: string;
  file: string;
  args: readonly string[];
  /** Throw if the exit code is not 143 (effection's main is only observed). */
  strictExit: boolean;
}

const variants: readonly Variant[] = [
  { name: "raw", file: "shutdown-raw.ts", args: [], strictExit: true },
  { name: "effection", file: "shutdown-effection.ts", args: [], strictExit: false },
  { name: "unwind serial", file: "shutdown-unwind.ts", args: ["serial"], strictExit: true },
  { name: "unwind concurrent", file: "shutdown-unwind.ts", args: ["concurrent"], strictExit: true },
];

/** Children not yet exited; killed if a run fails. */
const live = new Set<ChildProcess>();

interface Sample {
  ms: number;
  /** The exit code, or the name of the signal that killed the child. */
  exit: number | string;
}

export async function shutdown(options: BenchOptions): Promise<Row[]> {
  const sizes = options.quick ? [10, 100] : [10, 100, 1000];
  const runs = options.quick ? 2 : 5;
  const rows: Row[] = [];
  const exits = new Map<string, Map<number | string, number>>();
  try {
    for (const n of sizes) {
      const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
      for (let run = 0; run < runs; run++) {
        // Start the round's programs together (startup dominates the wall
        // time), then shut them down one at a time while the others idle.
        // Round-robin, rotating the first variant, so noise is shared.
        const order = variants.map((_, k) => variants[(run + k) % variants.length]!);
        const started = await Promise.all(order.map((variant) => start(variant, n)));
        await delay(SETTLE_MS);
        for (const program of started) {
          const { variant } = program;
          const sample = await stop(program);
          if (sample.exit !== EXPECTED_EXIT && variant.strictExit) {
            throw new Error(
              `shutdown: ${variant.name} (N = ${n}) exited with ${sample.exit}, expected ${EXPECTED_EXIT}`,
            );
          }
          samples.get(variant.name)!.push(sample.ms);
          const tally = exits.get(variant.name) ?? new Map<number | string, number>();
          tally.set(sample.exit, (tally.get(sample.exit) ?? 0) + 1);
          exits.set(variant.name, tally);
        }
      }
      for (const variant of variants) {
        const values = samples.get(variant.name)!;
        rows.push({
          figure: `SIGTERM to exit, N = ${n} (1 ms cleanups)`,
          variant: variant.name,
          ...summarize(values),
          runs: values.length,
          unit: "ms",
        });
      }
    }
  } finally {
    for (const child of live) child.kill("SIGKILL");
    live.clear();
  }
  const summary = [...exits].map(
    ([name, tally]) => `${name} ${[...tally].map(([code, count]) => `${code}×${count}`).join(" ")}`,
  );
  process.stderr.write(`shutdown: exit codes: ${summary.join(", ")}\n`);
  return rows;
}

interface Started {
  variant: Variant;
  n: number;
  child: ChildProcess;
  exited: Promise<{ at: number; exit: number | string }>;
  describe: () => string;
}

/** Starts one program and waits for its "ready" line. */
async function start(variant: Variant, n: number): Promise<Started> {
  const child = spawn(
    process.execPath,
    ["--conditions=unwind-source", "--import", "tsx", programs + variant.file, String(n), ...variant.args],
    { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  live.add(child);
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ at: number; exit: number | string }>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      const at = performance.now();
      live.delete(child);
      resolve({ at, exit: code ?? signal ?? "unknown" });
    });
  });
  const describe = () => `${variant.name} (N = ${n})${stderr ? `; stderr:\n${stderr}` : ""}`;

  await new Promise<void>((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => {
      reject(new Error(`shutdown: ${describe()} did not print "ready" within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      stdout += chunk;
      if (stdout.split("\n").includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    exited.then(
      ({ exit }) => {
        clearTimeout(timer);
        reject(new Error(`shutdown: ${describe()} exited with ${exit} before printing "ready"`));
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
  return { variant, n, child, exited, describe };
}

/** Sends SIGTERM to a ready program and times its exit. */
async function stop({ child, exited, describe }: Started): Promise<Sample> {
  const start = performance.now();
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`shutdown: ${describe()} did not exit within ${EXIT_TIMEOUT_MS} ms of SIGTERM`)),
      EXIT_TIMEOUT_MS,
    );
  });
  try {
    const { at, exit } = await Promise.race([exited, timeout]);
    return { ms: at - start, exit };
  } finally {
    clearTimeout(timer);
  }
}

if (isEntry(import.meta.url)) {
  const started = performance.now();
  const rows = await shutdown(parseOptions());
  console.log(formatTable(rows));
  process.stderr.write(`shutdown: wall time ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
