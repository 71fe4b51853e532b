import { type TracerProvider, trace } from "@opentelemetry/api";
import { checkOptions, describeValue, fail, type Rule } from "../core/arguments.ts";
import { observing } from "../core/observer.ts";
import { SpanObserver } from "./span-observer.ts";

/**
 * Options of `instrument()`.
 *
 * @example
 * ```ts
 * import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
 * import { type InstrumentOptions, instrument } from "unwind/otel";
 *
 * const options: InstrumentOptions = { tracerProvider: new BasicTracerProvider() };
 * const uninstall = instrument(options);
 * uninstall();
 * ```
 */
export interface InstrumentOptions {
  /**
   * Where the spans go. Default: the global one (`trace.getTracerProvider()`),
   * also when it is registered after `instrument()`.
   */
  readonly tracerProvider?: TracerProvider;
}

/** The instrumentation in place: one at a time, with the provider it was asked for. */
let installed: { readonly provider: TracerProvider | undefined; readonly uninstall: () => void } | undefined;

/**
 * Turns every task, group and HTTP request scope into an OpenTelemetry span,
 * through `@opentelemetry/api` (an optional peer dependency: only this
 * entry point loads it).
 *
 * - A span is named after its task (a request scope: method and path) and
 *   is a child of the span of the task or group that owns it; it carries
 *   `unwind.path` and `unwind.kind` (`task`, `group` or `request`), and
 *   `unwind.state` (`done`, `failed`, `halted`) at its end.
 * - It ends when the teardown has finished, so the teardown's time is in
 *   it. A halt sets `unwind.halt.reason` and `unwind.halt.message` and adds
 *   an `unwind.halt` event; a failure (a cleanup's too, with `unwind.phase`
 *   `teardown`) adds an `exception` event and sets the status to ERROR.
 * - A request scope is a server span with `http.request.method`,
 *   `url.path`, `network.protocol.version` and `http.response.status_code`;
 *   it continues the caller's trace from its `traceparent` header (the
 *   global propagator), else starts a trace of its own with a link to the
 *   server's span. While traced, every request gets its scope (unwind
 *   otherwise skips it for a handler that answers without waiting). Its
 *   name is the method and path; `http.route` is the handler's to set, as
 *   its span is the active one:
 *   `trace.getActiveSpan()?.setAttribute("http.route", "/users/:id")`.
 * - Inside a task, `trace.getActiveSpan()` and `context.active()` are its
 *   span, across every `yield*`, in its cleanups and in what it waits on,
 *   and never a sibling's: a client or driver instrumented by OpenTelemetry
 *   makes its spans children of the task that called it. (Code of tasks
 *   spawned with effection's own `spawn()` rather than `g.spawn()` has no
 *   span of its own.) Needs a context manager, such as the one
 *   `@opentelemetry/sdk-node` or `@opentelemetry/context-async-hooks`
 *   registers; without one, spans still nest, by their owners.
 *
 * Calling it again while installed changes nothing and returns the same
 * uninstall function. That function ends the spans still open (with an
 * `unwind.uninstalled` event) and puts everything back as it was: unwind
 * then traces nothing and pays nothing.
 *
 * @param options where the spans go (see `InstrumentOptions`)
 * @returns the function that uninstalls it
 *
 * @example
 * ```ts
 * import { trace } from "@opentelemetry/api";
 * import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
 * import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
 * import { context } from "@opentelemetry/api";
 * import { group, main } from "unwind";
 * import { instrument } from "unwind/otel";
 * import { sleep } from "effection";
 *
 * context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
 * const tracerProvider = new BasicTracerProvider({
 *   spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())],
 * });
 * const uninstall = instrument({ tracerProvider });
 *
 * await main(function* () {
 *   yield* group(function* (g) {
 *     g.spawn(function* () {
 *       yield* sleep(10);
 *       trace.getActiveSpan()?.setAttribute("job.id", 42); // the span of "job"
 *     }, { name: "job" });
 *   }, { name: "jobs" });
 *   uninstall();
 * });
 * ```
 */
export function instrument(options?: InstrumentOptions): () => void {
  checkOptions("instrument()", options, rules, "{ tracerProvider }");
  const provider = options?.tracerProvider;
  if (installed) {
    if (provider !== undefined && provider !== installed.provider) {
      fail(
        "type",
        "instrument()",
        `unwind is already instrumented with ${installed.provider ? "another" : "the global"} tracer provider; call the function the first instrument() returned before instrumenting with options.tracerProvider`,
      );
    }
    return installed.uninstall;
  }
  const observer = new SpanObserver((provider ?? trace).getTracer("unwind"));
  const uninstall = (): void => {
    if (installed?.uninstall !== uninstall) return;
    installed = undefined;
    observing.current = undefined;
    observer.close();
  };
  installed = { provider, uninstall };
  observing.current = observer;
  return uninstall;
}

/** A `TracerProvider`: an object with `getTracer()`. */
const tracerProvider: Rule = (caller, param, value) => {
  if (typeof (value as { getTracer?: unknown } | null)?.getTracer === "function") return;
  fail(
    "type",
    caller,
    `${param} must be an OpenTelemetry TracerProvider (an object with getTracer()), got ${describeValue(value)}; pass the provider your SDK made, or leave it out for the global one`,
  );
};

const rules = { tracerProvider };
