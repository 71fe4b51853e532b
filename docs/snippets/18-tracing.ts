import { setTimeout } from "node:timers/promises";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { sleep, suspend } from "effection";
import { abortable, run } from "unwind";
import { instrument } from "unwind/otel";

// What an OpenTelemetry SDK sets up: a context manager, and where spans go.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
);
const uninstall = instrument(); // spans for every task, to the global provider

// A database client instrumented by OpenTelemetry: its span's parent is
// whatever span is active when it is called.
async function query(sql: string, signal: AbortSignal): Promise<void> {
  const span = trace.getTracer("db-client").startSpan(sql);
  await setTimeout(10, undefined, { signal }); // the round trip
  span.end();
}

await run(function* (root) {
  for (const table of ["users", "orders"]) {
    root.spawn(
      function* () {
        yield* abortable((signal) => query(`SELECT * FROM ${table}`, signal));
        yield* sleep(5);
      },
      { name: table },
    );
  }
  const watcher = root.spawn(suspend, { name: "watcher" });
  yield* sleep(50);
  yield* watcher.halt();
});
uninstall();

// Each span under its parent's, siblings by name.
const spans = exporter.getFinishedSpans();
function print(parent: string | undefined, depth: number): void {
  const children = spans.filter((span: ReadableSpan) => span.parentSpanContext?.spanId === parent);
  for (const span of children.sort((a, b) => a.name.localeCompare(b.name))) {
    const { attributes: a } = span;
    const what = a["unwind.kind"] ? ` (${a["unwind.kind"]}, ${a["unwind.state"]})` : "";
    const why = a["unwind.halt.reason"] ? ` halted: ${a["unwind.halt.reason"]}` : "";
    console.log(`${"  ".repeat(depth)}${span.name}${what}${why}`);
    print(span.spanContext().spanId, depth + 1);
  }
}
print(undefined, 0);
