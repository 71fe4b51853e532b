import { Bench } from "tinybench";
import type { Row } from "./table.ts";

export interface Variant {
  /** The measured work. */
  run: () => PromiseLike<unknown>;
  /** Untimed preparation before each run (e.g. starting the tasks to halt). */
  before?: () => Promise<void> | void;
}

/**
 * Times each variant with tinybench, interleaving nothing but sharing the
 * same process and warm-up, and returns one row per variant (median and
 * median absolute deviation of the per-run latency).
 */
export async function measure(
  figure: string,
  variants: Record<string, Variant>,
  settings: { iterations: number; warmup?: boolean; unit?: "ms" | "µs/task" | "ms/process"; perRun?: number },
): Promise<Row[]> {
  const bench = new Bench({
    iterations: settings.iterations,
    time: 0,
    warmupIterations: settings.warmup === false ? 0 : 1,
    warmup: settings.warmup !== false,
    warmupTime: 0,
    throws: true,
  });
  for (const [name, variant] of Object.entries(variants)) {
    const run = async () => {
      await variant.run();
    };
    bench.add(name, run, variant.before ? { beforeEach: variant.before } : {});
  }
  const started = performance.now();
  await bench.run();
  // Progress on stderr, so that a slow figure shows where the time goes.
  process.stderr.write(`  ${figure}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  const perRun = settings.perRun ?? 1;
  const scale = settings.unit === "µs/task" ? 1000 / perRun : settings.unit === "ms/process" ? 1 / perRun : 1;
  return bench.tasks.map((task) => {
    const result = task.result;
    if (result.state !== "completed") throw new Error(`${figure} / ${task.name}: ${result.state}`);
    const { latency } = result;
    return {
      figure,
      variant: task.name,
      median: latency.p50 * scale,
      spread: latency.mad * scale,
      runs: latency.samplesCount,
      unit: settings.unit ?? "ms",
    };
  });
}
