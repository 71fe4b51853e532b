// SIGTERM-to-exit time of a real process holding N tasks, each with a 1 ms
// asynchronous cleanup: the raw Node floor, unwind's main() with concurrent
// and serial teardown, plain effection's main() (serial) and plain effection
// halting every task at once by hand, Effect's runMain with forkChild
// fibers, and Python asyncio's TaskGroup. Each run starts the
// program as a child process, waits for its "ready" line (every task is up
// and has registered its cleanup), sends SIGTERM and times the child's 'exit'
// event from here. Every program prints how many cleanups ran; a run whose
// count is not N or whose exit code is not the expected one is a failure,
// shown in the table's notes (its time still counts in the median).
//
// The programs of a round start together (startup dominates the wall time)
// and are then stopped one at a time, so only one is shutting down at any
// moment; the order rotates from round to round (A B C, B C A, ...).
//
// Run by itself:
//   node --conditions=unwind-source --import tsx benchmarks/shutdown.ts [--quick] [--runs=7] [--sizes=1000,10000]
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { isEntry } from "./lib/entry.ts";
import { type BenchOptions, parseOptions } from "./lib/options.ts";
import { formatTable, type Row, summarize } from "./lib/table.ts";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const programs = fileURLToPath(new URL("./programs/", import.meta.url));
const READY_TIMEOUT_MS = 120_000;
/** effection's own main() tears 10 000 tasks down one by one: ~15 s. */
const EXIT_TIMEOUT_MS = 60_000;
/** Pause between the last "ready" of a round and its first SIGTERM. */
const SETTLE_MS = 100;
/** How much of a child's stderr a failure shows (a stuck report can be long). */
const STDERR_TAIL = 2000;

/** One row of the comparison: a program that handles SIGTERM itself. */
export interface Variant {
  name: string;
  /** The command line for N tasks, or why this machine cannot run the variant. */
  command: (n: number) => { file: string; args: string[] } | { skip: string };
  /** Effect's runMain exits 130 after any interruption; the others 128 + 15. */
  expectedExit: number;
}

/** A TypeScript program under benchmarks/programs/, run like the tests run code. */
export function node(file: string, ...extra: string[]) {
  return (n: number) => ({
    file: process.execPath,
    args: ["--conditions=unwind-source", "--import", "tsx", programs + file, String(n), ...extra],
  });
}

/** python3 with asyncio.TaskGroup (3.11+), or why not. */
function findPython(): { skip: string } | undefined {
  const probe = spawnSync("python3", ["-c", "import asyncio; asyncio.TaskGroup"], { encoding: "utf8" });
  if (probe.error) return { skip: `python3 not found (${probe.error.message})` };
  if (probe.status !== 0)
    return { skip: `python3 has no asyncio.TaskGroup (needs 3.11+): ${probe.stderr.trim()}` };
  return undefined;
}

function variants(): Variant[] {
  const pythonMissing = findPython();
  return [
    { name: "raw", command: node("shutdown-raw.ts"), expectedExit: 143 },
    { name: "unwind concurrent", command: node("shutdown-unwind.ts", "concurrent"), expectedExit: 143 },
    { name: "unwind serial", command: node("shutdown-unwind.ts", "serial"), expectedExit: 143 },
    { name: "effection", command: node("shutdown-effection.ts"), expectedExit: 143 },
    {
      name: "effection, all halted at once (ensure)",
      command: node("shutdown-effection-all.ts", "ensure"),
      expectedExit: 143,
    },
    {
      name: "effection, all halted at once (scope.ensure)",
      command: node("shutdown-effection-all.ts", "scope-ensure"),
      expectedExit: 143,
    },
    { name: "Effect", command: node("shutdown-effect.ts"), expectedExit: 130 },
    {
      name: "asyncio",
      command: (n) =>
        pythonMissing ?? { file: "python3", args: [`${programs}shutdown_asyncio.py`, String(n)] },
      expectedExit: 143,
    },
  ];
}

/** Children not yet exited; killed if a run fails. */
const live = new Set<ChildProcess>();

interface Sample {
  ms: number;
  /** The exit code, or the name of the signal that killed the child. */
  exit: number | string;
  /** Cleanups the program says ran; undefined when it printed no count. */
  cleanups: number | undefined;
  /** CPU time the program says it used from SIGTERM to exit. */
  cpuMs: number | undefined;
  /** What went wrong, if anything. */
  failure?: string;
}

/** `--runs=7`, `--sizes=1000,10000`: override the defaults of this benchmark. */
function settings(options: BenchOptions, argv: readonly string[]) {
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const sizes =
    value("sizes")?.split(",").map(Number) ?? (options.quick ? [10, 100] : [10, 100, 1000, 10_000]);
  const runs = Number(value("runs") ?? (options.quick ? 1 : 5));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(runs) || runs < 1) {
    throw new Error(`shutdown: --sizes must list positive integers and --runs be one, got ${argv.join(" ")}`);
  }
  return { sizes, runs };
}

export async function shutdown(
  options: BenchOptions,
  argv: readonly string[] = process.argv.slice(2),
): Promise<Row[]> {
  return compare(variants(), settings(options, argv), options);
}

/**
 * Measures each variant at each size, `runs` interleaved rounds per size;
 * exported so that patched copies can be compared with the same harness.
 */
export async function compare(
  all: readonly Variant[],
  { sizes, runs }: { sizes: readonly number[]; runs: number },
  options: BenchOptions,
): Promise<Row[]> {
  const runnable = all.filter((v) => !("skip" in v.command(1)));
  for (const v of all) {
    const command = v.command(1);
    if ("skip" in command) process.stderr.write(`shutdown: ${v.name} row skipped: ${command.skip}\n`);
  }
  const rows: Row[] = [];
  let failures = 0;
  try {
    for (const n of sizes) {
      const samples = new Map<string, Sample[]>(runnable.map((v) => [v.name, []]));
      for (let run = 0; run < runs; run++) {
        const order = runnable.map((_, k) => runnable[(run + k) % runnable.length]!);
        const started = await Promise.all(order.map((variant) => start(variant, n)));
        await delay(SETTLE_MS);
        for (const program of started) samples.get(program.variant.name)!.push(await stop(program));
      }
      const cpuRows: Row[] = [];
      for (const variant of all) {
        const command = variant.command(1);
        const figure = `SIGTERM to exit, N = ${n} (1 ms cleanups)`;
        if ("skip" in command) {
          const skipped = {
            median: Number.NaN,
            spread: Number.NaN,
            runs: 0,
            note: `skipped: ${command.skip}`,
          };
          rows.push({ figure, variant: variant.name, ...skipped, unit: "ms" });
          continue;
        }
        const values = samples.get(variant.name)!;
        const note = describeFailures(values, n);
        failures += values.filter((s) => s.failure).length;
        rows.push({
          figure,
          variant: variant.name,
          ...summarize(values.map((s) => s.ms)),
          runs: values.length,
          unit: "ms",
          ...(note ? { note } : {}),
        });
        const cpu = values.map((s) => s.cpuMs).filter((ms): ms is number => ms !== undefined);
        cpuRows.push({
          figure: `CPU time from SIGTERM to exit, N = ${n}`,
          variant: variant.name,
          ...summarize(cpu),
          runs: cpu.length,
          unit: "ms",
        });
      }
      rows.push(...cpuRows);
    }
  } finally {
    for (const child of live) child.kill("SIGKILL");
    live.clear();
  }
  if (failures > 0) {
    const message = `shutdown: ${failures} run(s) failed their checks (exit code or cleanup count): see the notes column`;
    // At CI's tiny sizes every program must pass; at full size the table
    // shows the failures (e.g. a teardown that outlasts its deadline).
    if (options.quick) throw new Error(message);
    process.stderr.write(`${message}\n`);
  }
  return rows;
}

/** "FAILED 5/5: exit 124 ×5; cleanups 7912–8480 of 10000", or undefined when every run passed. */
function describeFailures(samples: readonly Sample[], n: number): string | undefined {
  const failed = samples.filter((s) => s.failure);
  if (failed.length === 0) return undefined;
  const tally = new Map<string, number>();
  for (const s of failed) tally.set(s.failure!, (tally.get(s.failure!) ?? 0) + 1);
  const counts = failed.map((s) => s.cleanups).filter((c): c is number => c !== undefined);
  const range =
    counts.length > 0
      ? `; cleanups ran ${Math.min(...counts)}–${Math.max(...counts)} of ${n}`
      : "; no count printed";
  return `FAILED ${failed.length}/${samples.length}: ${[...tally].map(([what, k]) => `${what} ×${k}`).join(", ")}${range}`;
}

interface Started {
  variant: Variant;
  n: number;
  child: ChildProcess;
  /** Resolves at the child's 'exit' event, timed here. */
  exited: Promise<{ at: number; exit: number | string }>;
  /** Resolves once the child's stdout has closed, with what it reported at exit. */
  counted: Promise<{ cleanups: number | undefined; cpuMs: number | undefined }>;
  describe: () => string;
}

/** Starts one program and waits for its "ready" line. */
async function start(variant: Variant, n: number): Promise<Started> {
  const command = variant.command(n);
  if ("skip" in command) throw new Error(`shutdown: ${variant.name} cannot run here: ${command.skip}`);
  const child = spawn(command.file, command.args, { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  let stdout = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    stdout += chunk;
  });
  const exited = new Promise<{ at: number; exit: number | string }>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      const at = performance.now();
      live.delete(child);
      resolve({ at, exit: code ?? signal ?? "unknown" });
    });
  });
  const counted = new Promise<{ cleanups: number | undefined; cpuMs: number | undefined }>((resolve) => {
    child.once("close", () => {
      const cleanups = /^cleanups (\d+)$/m.exec(stdout)?.[1];
      const cpuMs = /^cpu-ms ([\d.]+)$/m.exec(stdout)?.[1];
      resolve({
        cleanups: cleanups === undefined ? undefined : Number(cleanups),
        cpuMs: cpuMs === undefined ? undefined : Number(cpuMs),
      });
    });
  });
  const describe = () => `${variant.name} (N = ${n})${stderr ? `; stderr (tail):\n${stderr}` : ""}`;

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`shutdown: ${describe()} did not print "ready" within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    const onData = () => {
      if (stdout.split("\n").includes("ready")) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
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
  return { variant, n, child, exited, counted, describe };
}

/** Sends SIGTERM to a ready program, times its exit and checks exit code and cleanup count. */
async function stop({ variant, n, child, exited, counted, describe }: Started): Promise<Sample> {
  const start = performance.now();
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), EXIT_TIMEOUT_MS);
  });
  const ended = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  if (!ended) {
    child.kill("SIGKILL");
    await exited;
    process.stderr.write(`shutdown: ${describe()}\n`);
    return {
      ms: EXIT_TIMEOUT_MS,
      exit: "none",
      cleanups: undefined,
      cpuMs: undefined,
      failure: `no exit within ${EXIT_TIMEOUT_MS} ms`,
    };
  }
  const { cleanups, cpuMs } = await counted;
  const problems = [
    ended.exit === variant.expectedExit ? "" : `exit ${ended.exit} (expected ${variant.expectedExit})`,
    cleanups === n ? "" : cleanups === undefined ? "no cleanup count" : "cleanups missing",
  ].filter(Boolean);
  const sample: Sample = { ms: ended.at - start, exit: ended.exit, cleanups, cpuMs };
  if (problems.length > 0) sample.failure = problems.join(", ");
  return sample;
}

if (isEntry(import.meta.url)) {
  const started = performance.now();
  const rows = await shutdown(parseOptions());
  console.log(formatTable(rows));
  process.stderr.write(`shutdown: wall time ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
