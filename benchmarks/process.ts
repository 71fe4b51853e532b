// The cost of exec() against raw child_process.spawn, measured in the same
// run: N processes started one after the other, each either run to its end
// (`true`, waiting for its exit) or started and stopped (`sleep 60`,
// SIGTERM, waiting for its exit). "raw" is a plain spawn() and kill();
// "raw, own group" adds what exec() does to reach a child's children
// (detached: true, the signal sent to the process group); "unwind exec()"
// runs the N processes in one run() root, which includes starting and
// stopping its watchdog once per run, and stops each process through its
// owner's teardown (a group per process).
//
// Run by itself: node --conditions=unwind-source --import tsx benchmarks/process.ts [--quick]
import { spawn } from "node:child_process";
import { once } from "node:events";
import { group, run } from "unwind";
import { exec } from "unwind/process";
import { isEntry } from "./lib/entry.ts";
import { measure } from "./lib/measure.ts";
import { type BenchOptions, parseOptions } from "./lib/options.ts";
import { formatTable, type Row } from "./lib/table.ts";

type Work = (n: number) => PromiseLike<unknown>;

const runToEnd: Record<string, Work> = {
  raw: async (n) => {
    for (let i = 0; i < n; i++) await once(spawn("true", [], { stdio: "ignore" }), "exit");
  },
  "raw, own group": async (n) => {
    for (let i = 0; i < n; i++) await once(spawn("true", [], { stdio: "ignore", detached: true }), "exit");
  },
  "unwind exec()": (n) =>
    run(function* () {
      for (let i = 0; i < n; i++) yield* (yield* exec("true", [], { stdio: "ignore" })).join();
    }),
};

const startAndStop: Record<string, Work> = {
  raw: async (n) => {
    for (let i = 0; i < n; i++) {
      const child = spawn("sleep", ["60"], { stdio: "ignore" });
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  },
  "raw, own group": async (n) => {
    for (let i = 0; i < n; i++) {
      const child = spawn("sleep", ["60"], { stdio: "ignore", detached: true });
      process.kill(-(child.pid as number), "SIGTERM");
      await once(child, "exit");
    }
  },
  "unwind exec()": (n) =>
    run(function* () {
      for (let i = 0; i < n; i++) {
        // The group ends at once: its teardown stops the process and waits for it.
        yield* group(function* () {
          yield* exec("sleep", ["60"], { stdio: "ignore" });
        });
      }
    }),
};

export async function processes(options: BenchOptions): Promise<Row[]> {
  const n = options.quick ? 5 : 20;
  const iterations = options.quick ? 1 : 10;
  const rows: Row[] = [];
  for (const [figure, works] of [
    [`exec + exit ("true"), N = ${n}`, runToEnd],
    [`exec + SIGTERM + exit ("sleep 60"), N = ${n}`, startAndStop],
  ] as const) {
    const variants = Object.fromEntries(
      Object.entries(works).map(([name, work]) => [name, { run: () => work(n) }]),
    );
    rows.push(...(await measure(figure, variants, { iterations, unit: "ms/process", perRun: n })));
  }
  return rows;
}

if (isEntry(import.meta.url)) console.log(formatTable(await processes(parseOptions())));
