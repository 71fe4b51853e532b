// unwind/otel: what a task costs with and without instrument(). N tasks in
// one group, each taking three steps (three resolved promises), spawned and
// joined; instrumented, every task is a span (recorded by the SDK's
// BasicTracerProvider, handed to an exporter that drops it) and every step
// runs in its context (AsyncLocalStorage). Uninstalled, the rows show that
// the core pays nothing for the hook.
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { until } from "effection";
import { run } from "unwind";
import { instrument } from "unwind/otel";
import { isEntry } from "./lib/entry.ts";
import { measure } from "./lib/measure.ts";
import { type BenchOptions, parseOptions } from "./lib/options.ts";
import { formatTable, type Row } from "./lib/table.ts";

const threeSteps = function* () {
  yield* until(Promise.resolve());
  yield* until(Promise.resolve());
  yield* until(Promise.resolve());
};

const spawnJoin = (n: number) =>
  run(function* (g) {
    for (let i = 0; i < n; i++) g.spawn(threeSteps, { name: "job" });
  });

/** An exporter that drops every span: the cost of making them, not of sending them. */
const dropping: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
};

export async function otel(options: BenchOptions): Promise<Row[]> {
  const sizes = options.quick ? [1000] : [1000, 20_000];
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(dropping)] });
  const rows: Row[] = [];
  try {
    for (const n of sizes) {
      const iterations = options.quick ? 1 : n >= 20_000 ? 5 : 20;
      const variants = {
        unwind: { run: () => spawnJoin(n) },
        "unwind + otel": {
          run: async () => {
            const uninstall = instrument({ tracerProvider });
            try {
              await spawnJoin(n);
            } finally {
              uninstall();
            }
          },
        },
      };
      const settings = { iterations, warmup: true, unit: "µs/task", perRun: n } as const;
      rows.push(...(await measure(`3-step tasks, spawn + join, N = ${n}`, variants, settings)));
    }
  } finally {
    manager.disable();
    context.disable();
  }
  return rows;
}

if (isEntry(import.meta.url)) console.log(formatTable(await otel(parseOptions())));
