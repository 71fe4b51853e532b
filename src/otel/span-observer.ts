import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { Effect } from "effection";
import type { LifecycleObserver, ObservedExchange, ObservedNode } from "../core/observer.ts";
import { targetPath } from "../http/request-target.ts";

/** A traced node: its span, and the context its code runs in (its parent's with the span set). */
interface Traced {
  readonly span: Span;
  readonly context: Context;
  /** Its own code failed: the halt that follows is the consequence, not news. */
  failed?: boolean;
}

/**
 * The names of the attributes and events unwind puts on its spans (besides
 * the HTTP semantic conventions on request scopes).
 */
export const SpanNames = {
  path: "unwind.path",
  kind: "unwind.kind",
  state: "unwind.state",
  haltReason: "unwind.halt.reason",
  haltMessage: "unwind.halt.message",
  phase: "unwind.phase",
  haltEvent: "unwind.halt",
  uninstalledEvent: "unwind.uninstalled",
} as const;

/**
 * Turns the life of every task, group and request scope into a span (see
 * `instrument()`), and runs each step of their code with that span active.
 *
 * Why the steps: AsyncLocalStorage (behind OpenTelemetry's context manager
 * on Node) follows promises and callbacks, but effection resumes every task
 * from one loop, so whatever context was active when the loop was woken
 * would leak into the task it resumes. Running each step in `context.with()`
 * of its own task, and entering the effect it yields (the timer, the
 * promise it waits on) in the same context, makes `context.active()` the
 * task's span across every `yield*`, and only there.
 */
export class SpanObserver implements LifecycleObserver {
  private readonly traced = new WeakMap<object, Traced>();
  /** The spans not ended yet, for `close()`. */
  private readonly open = new Set<Span>();
  /**
   * Uninstalled: a body that took the observer on its way in (a request
   * scope's, `shield()`'s operation) still calls `step`; it runs untraced.
   */
  private closed = false;

  constructor(private readonly tracer: Tracer) {}

  began(node: ObservedNode, owner: object): void {
    const { exchange } = node;
    const traced = exchange ? this.beginRequest(node, exchange, owner) : this.beginNode(node, owner);
    this.traced.set(node, traced);
    this.open.add(traced.span);
  }

  /** A task or group: a child of its owner's span (or of the active context, at a root). */
  private beginNode(node: ObservedNode, owner: object): Traced {
    const parent = this.traced.get(owner)?.context ?? context.active();
    const attributes: Attributes = { [SpanNames.path]: node.path, [SpanNames.kind]: node.kind };
    const span = this.tracer.startSpan(node.name ?? "group", { attributes }, parent);
    return { span, context: trace.setSpan(parent, span) };
  }

  /**
   * A request scope: a server span that continues the caller's trace from
   * its `traceparent` (the global propagator), or starts a trace of its own
   * with a link to the server's span. (Rejected: a child of the server's
   * span, which would make one trace of every request the server ever
   * answered.)
   */
  private beginRequest(node: ObservedNode, exchange: ObservedExchange, owner: object): Traced {
    const remote = propagation.extract(ROOT_CONTEXT, exchange.headers);
    const server = this.traced.get(owner)?.span.spanContext();
    const { method } = exchange;
    const path = targetPath(exchange.target);
    const span = this.tracer.startSpan(
      `${method} ${path}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [SpanNames.path]: node.path,
          [SpanNames.kind]: "request",
          "http.request.method": method,
          "url.path": path,
          "network.protocol.version": exchange.httpVersion,
        },
        ...(server ? { links: [{ context: server }] } : {}),
      },
      remote,
    );
    return { span, context: trace.setSpan(remote, span) };
  }

  haltBegan(node: ObservedNode): void {
    const traced = this.traced.get(node);
    const reason = node.haltReason;
    if (!traced || traced.failed || !reason) return;
    const { span } = traced;
    const attributes = { [SpanNames.haltReason]: reason.kind, [SpanNames.haltMessage]: reason.message };
    span.setAttributes(attributes);
    span.addEvent(SpanNames.haltEvent, attributes);
  }

  failed(node: ObservedNode, error: unknown, phase: "run" | "teardown"): void {
    const traced = this.traced.get(node);
    if (!traced) return;
    if (phase === "run") traced.failed = true;
    const { span } = traced;
    const message = error instanceof Error ? error.message : String(error);
    span.addEvent("exception", {
      "exception.type": error instanceof Error ? error.name : typeof error,
      "exception.message": message,
      ...(error instanceof Error && error.stack ? { "exception.stacktrace": error.stack } : {}),
      [SpanNames.phase]: phase,
    });
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  }

  settled(node: ObservedNode): void {
    const span = this.traced.get(node)?.span;
    if (!span) return;
    span.setAttribute(SpanNames.state, node.state);
    const status = node.exchange?.sentStatus;
    if (status !== undefined) {
      span.setAttribute("http.response.status_code", status);
      // A server span is an error for a 5xx only: a 4xx is the client's.
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    // A group that failed through its children has no exception of its own.
    if (node.state === "failed") span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    this.open.delete(span);
  }

  step<T>(
    node: ObservedNode,
    run: () => IteratorResult<Effect<unknown>, T>,
  ): IteratorResult<Effect<unknown>, T> {
    const traced = this.closed ? undefined : this.traced.get(node);
    if (!traced) return run();
    const step = context.with(traced.context, run);
    return step.done ? step : { done: false, value: inContext(traced.context, step.value) };
  }

  within<R>(node: object, fn: () => R): R {
    const traced = this.closed ? undefined : this.traced.get(node);
    return traced ? context.with(traced.context, fn) : fn();
  }

  /** Ends the spans still open (their nodes are untraced from now on), marked as cut short. */
  close(): void {
    this.closed = true;
    for (const span of this.open) {
      span.addEvent(SpanNames.uninstalledEvent);
      span.end();
    }
    this.open.clear();
  }
}

/**
 * `effect`, entered in `active`: what it sets up there (a timer, a `then`
 * on a promise) runs its callbacks in the task's context. Its result goes
 * back to effection in no context at all: effection then resumes the task
 * (whose step sets the task's context again) and, in the same loop, any
 * other routine that was waiting. Those are not steps of an unwind task
 * (the routines of a `resource()`, of `shield()`'s operation, of
 * effection's own `spawn()`): their code must see no span rather than the
 * span of whichever task happened to wake the loop.
 */
function inContext(active: Context, effect: Effect<unknown>): Effect<unknown> {
  return {
    description: effect.description,
    enter(resolve, routine) {
      const resume: typeof resolve = (result) => context.with(ROOT_CONTEXT, () => resolve(result));
      // Its exit runs where the result came back: it goes on into the loop.
      return context.with(active, () => effect.enter(resume, routine));
    },
  };
}
