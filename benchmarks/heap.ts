// Figure 3: heap bytes per suspended task, each variant in a fresh process,
// and the CPU time per task it took to spawn them until all were suspended.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { isEntry } from "./lib/entry.ts";
import { type BenchOptions, parseOptions } from "./lib/options.ts";
import { formatTable, type Row, summarize } from "./lib/table.ts";

const exec = promisify(execFile);
const variants = ["raw", "effection", "effection + ensure", "unwind", "unwind + onTeardown", "Effect"];

async function measureTasks(
  variant: string,
  n: number,
): Promise<{ bytesPerTask: number; spawnUsPerTask: number }> {
  const { stdout } = await exec(
    process.execPath,
    [
      "--expose-gc",
      "--conditions=unwind-source",
      "--import",
      "tsx",
      new URL("./programs/heap.ts", import.meta.url).pathname,
      variant,
      String(n),
    ],
    { timeout: 120_000 },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as {
    bytesPerTask: number;
    spawnUsPerTask: number;
  };
}

export async function heap(options: BenchOptions): Promise<Row[]> {
  const n = options.quick ? 2000 : 10_000;
  const runs = options.quick ? 1 : 3;
  const heap = new Map<string, number[]>(variants.map((v) => [v, []]));
  const spawnCpu = new Map<string, number[]>(variants.map((v) => [v, []]));
  for (let r = 0; r < runs; r++) {
    // --quick only checks that everything runs: its processes run side by side.
    const measured = options.quick
      ? await Promise.all(variants.map((variant) => measureTasks(variant, n)))
      : [];
    for (const [k, variant] of variants.entries()) {
      const { bytesPerTask, spawnUsPerTask } = measured[k] ?? (await measureTasks(variant, n));
      heap.get(variant)?.push(bytesPerTask / 1024);
      spawnCpu.get(variant)?.push(spawnUsPerTask);
    }
  }
  const rows = (figure: string, samples: Map<string, number[]>, unit: string) =>
    variants.map((variant) => ({ figure, variant, ...summarize(samples.get(variant) ?? []), runs, unit }));
  return [
    ...rows(`heap per suspended task, N = ${n}`, heap, "KB"),
    ...rows(`CPU to spawn until suspended, N = ${n}`, spawnCpu, "µs/task"),
  ];
}

if (isEntry(import.meta.url)) console.log(formatTable(await heap(parseOptions())));
