import { after, afterEach, before } from "node:test";
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { instrument } from "unwind/otel";

/** A tracer provider that keeps every ended span in memory. */
export interface Recording {
  readonly exporter: InMemorySpanExporter;
  readonly tracerProvider: BasicTracerProvider;
}

/**
 * Registers what an OpenTelemetry SDK would (a context manager on
 * AsyncLocalStorage, the W3C trace-context propagator) and returns a
 * provider recording into memory; the returned `stop` takes it all back.
 */
export function recordSpans(): Recording & { stop(): void } {
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return {
    exporter,
    tracerProvider,
    stop() {
      manager.disable();
      context.disable();
      propagation.disable();
      trace.disable();
    },
  };
}

/**
 * For the tests of one describe(): spans are recorded from its first test
 * to its last (`recordSpans`); after each test, what it installed with
 * `install()` is uninstalled and the recorded spans are forgotten.
 */
export function tracedPerTest(): { install(): () => void; spans(): ReadableSpan[] } {
  let recording: (Recording & { stop(): void }) | undefined;
  let uninstall: (() => void) | undefined;
  before(() => {
    recording = recordSpans();
  });
  after(() => recording?.stop());
  afterEach(() => {
    uninstall?.();
    uninstall = undefined;
    recording?.exporter.reset();
  });
  const current = () => {
    if (!recording) throw new Error("tracedPerTest(): used outside a test of its describe()");
    return recording;
  };
  return {
    install() {
      uninstall = instrument({ tracerProvider: current().tracerProvider });
      return uninstall;
    },
    spans: () => current().exporter.getFinishedSpans(),
  };
}

/** The id of the active span, or "none". */
export function activeSpanId(): string {
  return trace.getActiveSpan()?.spanContext().spanId ?? "none";
}

/** The name of the span with `id` among `spans` (or `id` itself: "none", or a span not ended). */
export function nameOf(spans: readonly ReadableSpan[], id: string): string {
  return spans.find((span) => span.spanContext().spanId === id)?.name ?? id;
}

/** The ended span named `name`; fails if there is not exactly one. */
export function spanNamed(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((span) => span.name === name);
  if (found.length !== 1) throw new Error(`expected one span named ${name}, got ${found.length}`);
  return found[0] as ReadableSpan;
}

/**
 * The spans as a tree, one line each, indented under their parent, siblings
 * by name: `name kind state`, then the halt reason, the status when it is
 * an error, the exceptions with their phase, the HTTP status.
 */
export function spanTree(spans: readonly ReadableSpan[]): string[] {
  const ids = new Set(spans.map((span) => span.spanContext().spanId));
  const children = new Map<string | undefined, ReadableSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId;
    const key = parent && ids.has(parent) ? parent : undefined;
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  const lines: string[] = [];
  const visit = (parent: string | undefined, depth: number) => {
    const below = [...(children.get(parent) ?? [])].sort((a, b) => a.name.localeCompare(b.name));
    for (const span of below) {
      lines.push(`${"  ".repeat(depth)}${describeSpan(span)}`);
      visit(span.spanContext().spanId, depth + 1);
    }
  };
  visit(undefined, 0);
  return lines;
}

function describeSpan(span: ReadableSpan): string {
  const { attributes } = span;
  const parts = [span.name, `(${attributes["unwind.kind"]}, ${attributes["unwind.state"]})`];
  if (attributes["http.response.status_code"] !== undefined) {
    parts.push(`status ${attributes["http.response.status_code"]}`);
  }
  if (attributes["unwind.halt.reason"]) parts.push(`halted: ${attributes["unwind.halt.reason"]}`);
  if (span.status.code === 2) parts.push("ERROR");
  for (const event of span.events) {
    if (event.name !== "exception") continue;
    const attrs = event.attributes ?? {};
    parts.push(`[${attrs["unwind.phase"]}: ${attrs["exception.message"]}]`);
  }
  return parts.join(" ");
}
