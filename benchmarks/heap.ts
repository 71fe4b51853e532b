// Figure 3: heap bytes per suspended task, each variant in a fresh process.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { isEntry } from "./lib/entry.ts";
import { type BenchOptions, parseOptions } from "./lib/options.ts";
import { formatTable, type Row, summarize } from "./lib/table.ts";

const exec = promisify(execFile);
const variants = ["raw", "effection", "effection + ensure", "unwind", "unwind + onTeardown", "Effect"];

async function bytesPerTask(variant: string, n: number): Promise<number> {
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
  return (JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { bytesPerTask: number }).bytesPerTask;
}

export async function heap(options: BenchOptions): Promise<Row[]> {
  const n = options.quick ? 2000 : 10_000;
  const runs = options.quick ? 1 : 2;
  const samples = new Map<string, number[]>(variants.map((v) => [v, []]));
  for (let r = 0; r < runs; r++) {
    for (const variant of variants) samples.get(variant)?.push((await bytesPerTask(variant, n)) / 1024);
  }
  return variants.map((variant) => ({
    figure: `heap per suspended task, N = ${n}`,
    variant,
    ...summarize(samples.get(variant) ?? []),
    runs,
    unit: "KB",
  }));
}

if (isEntry(import.meta.url)) console.log(formatTable(await heap(parseOptions())));
