// Figure 4: bounded concurrency. 10 000 short jobs (each waits one turn of
// the event loop), at most 100 at a time.
import { Effect } from "effect";
import { run as runEffection, scoped, spawn, until } from "effection";
import pLimit from "p-limit";
import { mapLimit, run } from "unwind";
import { isEntry } from "./lib/entry.ts";
import { measure } from "./lib/measure.ts";
import { type BenchOptions, parseOptions } from "./lib/options.ts";
import { formatTable, type Row } from "./lib/table.ts";

const job = () => new Promise<void>((resolve) => setImmediate(resolve));

export const bounded = {
  raw: async (n: number, limit: number) => {
    let next = 0;
    const worker = async () => {
      while (next < n) {
        next++;
        await job();
      }
    };
    await Promise.all(Array.from({ length: limit }, worker));
  },
  "p-limit": (n: number, limit: number) => {
    const limited = pLimit(limit);
    return Promise.all(Array.from({ length: n }, () => limited(job)));
  },
  effection: (n: number, limit: number) =>
    runEffection(() =>
      scoped(function* () {
        let next = 0;
        const worker = function* () {
          while (next < n) {
            next++;
            yield* until(job());
          }
        };
        const workers = [];
        for (let w = 0; w < limit; w++) workers.push(yield* spawn(worker));
        for (const w of workers) yield* w;
      }),
    ),
  unwind: (n: number, limit: number) => run(() => mapLimit({ length: n }, limit, job)),
  Effect: (n: number, limit: number) =>
    Effect.runPromise(
      Effect.forEach(Array.from({ length: n }), () => Effect.promise(job), {
        concurrency: limit,
        discard: true,
      }),
    ),
};

export async function boundedConcurrency(options: BenchOptions): Promise<Row[]> {
  const n = options.quick ? 1000 : 10_000;
  const limit = 100;
  const variants = Object.fromEntries(
    Object.entries(bounded).map(([name, work]) => [name, { run: () => work(n, limit) }]),
  );
  return measure(`${n} jobs, ${limit} at a time`, variants, { iterations: options.quick ? 1 : 15 });
}

if (isEntry(import.meta.url)) console.log(formatTable(await boundedConcurrency(parseOptions())));
