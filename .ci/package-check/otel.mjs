// unwind/otel against the installed package and @opentelemetry/api: a span
// per task and group, each a child of its owner's, printed as parent>child.

import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { sleep } from "effection";
import { group, run } from "unwind";
import { instrument } from "unwind/otel";

const exporter = new InMemorySpanExporter();
const uninstall = instrument({
  tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
});
await run(function* () {
  yield* group(
    function* (g) {
      g.spawn(
        function* () {
          yield* sleep(1);
        },
        { name: "job" },
      );
    },
    { name: "jobs" },
  );
});
uninstall();
const spans = exporter.getFinishedSpans();
const names = new Map(spans.map((span) => [span.spanContext().spanId, span.name]));
console.log(
  spans
    .map((span) => `${names.get(span.parentSpanContext?.spanId) ?? "-"}>${span.name}`)
    .sort()
    .join(" "),
);
