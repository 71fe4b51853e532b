import { type Operation, until } from "effection";
import { HaltReason } from "../core/halt-reason.ts";
import type { Drainable } from "../core/types.ts";
import type { Connections } from "./connections.ts";
import type { RequestNode } from "./request-node.ts";
import type { RequestSettings } from "./request-options.ts";

/**
 * The shutdown of one server's requests (`serve()`) or mounted handler
 * (`mount()`), in its phases:
 *
 * 1. shutdown delay (`beginShutdownDelay()`, started by `main()`): only the
 *    readiness path changes, to 503;
 * 2. drain (`beginDrain()`): new requests get a 503, the newest unsent
 *    response of each connection `Connection: close`; it waits until every
 *    request scope has ended and every response has been flushed to its
 *    client, for at most `drainTimeout` ms;
 * 3. then (deadline, or `skipDrain()`) the request scopes still running are
 *    halted (a 503 if nothing was sent yet) and responses still flushing are
 *    no longer waited for.
 *
 * A hand-over (`shutdownRequested(signal, true)` before the drain: a
 * cluster's reload, another process now takes the traffic) changes phase 2:
 * the requests that still arrive on open connections are served, not
 * refused (each with `Connection: close`), and the drain lasts until every
 * connection has closed. Stopping at once would fail what is already on
 * its way: a request sent on an idle keep-alive connection, or on one
 * accepted but not yet read.
 */
export class RequestDrain implements Drainable {
  /** Request scopes that have not ended yet. */
  readonly inFlight = new Set<RequestNode>();
  private delaying = false;
  /** The drain hands over (see above); set before the drain begins, cleared by `skipDrain()`. */
  private handingOver = false;
  /** Made when the drain begins; resolves when nothing is in flight any more. */
  private drained: Promise<void> | undefined;
  private resolveDrained: (() => void) | undefined;
  /** After `skipDrain()`: responses still being sent are not waited for any more. */
  private flushesSkipped = false;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param path the task path of the requests' group, for messages
   * @param connections the connections the requests come on
   * @param stopAccepting called once, first thing in the drain: `serve()` stops listening there
   */
  constructor(
    private readonly path: string,
    private readonly settings: RequestSettings,
    private readonly connections: Connections,
    private readonly stopAccepting: (() => void) | undefined,
  ) {}

  get shutdownDelay(): number {
    return this.settings.shutdownDelay;
  }

  beginShutdownDelay(): void {
    this.delaying = true;
  }

  /** What the readiness path says: false from the shutdown delay on. */
  get ready(): boolean {
    return !this.delaying && !this.draining;
  }

  /** True from the first moment of the drain. */
  get draining(): boolean {
    return this.drained !== undefined;
  }

  /** Are new requests run (rather than answered with a 503)? Until the drain, or to the end of a hand-over. */
  get serving(): boolean {
    return !this.draining || (this.handingOver && this.drainInProgress);
  }

  shutdownRequested(_signal: NodeJS.Signals, handOver: boolean): void {
    if (handOver && !this.draining) this.handingOver = true;
  }

  get drainInProgress(): boolean {
    return this.resolveDrained !== undefined;
  }

  admit(request: RequestNode): void {
    this.inFlight.add(request);
  }

  requestEnded(request: RequestNode): void {
    this.inFlight.delete(request);
    this.checkDrained();
  }

  beginDrain(): Promise<void> {
    if (this.drained) return this.drained;
    this.drained = new Promise((resolve) => {
      this.resolveDrained = resolve;
    });
    this.stopAccepting?.();
    this.connections.startDrain(() => this.checkDrained(), this.handingOver);
    try {
      this.settings.onDrain?.({ inFlight: this.inFlight.size });
    } catch (error) {
      // A broken callback must not stop the drain.
      process.stderr.write(`${this.path}: onDrain threw: ${String(error)}\n`);
    }
    this.checkDrained();
    if (this.resolveDrained) this.timer = setTimeout(() => this.skipDrain(), this.settings.drainTimeout);
    return this.drained;
  }

  skipDrain(reason = HaltReason.timeout(this.path, this.settings.drainTimeout)): void {
    if (!this.draining) void this.beginDrain();
    this.flushesSkipped = true;
    this.handingOver = false;
    for (const request of this.inFlight) request.haltInBackground(reason);
    this.checkDrained();
  }

  private checkDrained(): void {
    if (!this.resolveDrained || this.inFlight.size > 0) return;
    if (this.connections.unflushed && !this.flushesSkipped) return;
    clearTimeout(this.timer);
    this.resolveDrained();
    this.resolveDrained = undefined;
  }
}

/** What `serve()` and `mount()` show of their drain to the caller. */
export interface DrainView {
  readonly draining: boolean;
  readonly inFlight: number;
  drain(): Operation<void>;
}

/** The caller's live view of `drain`, for the handles of `serve()` and `mount()`. */
export function drainView(drain: RequestDrain): DrainView {
  return {
    get draining() {
      return drain.draining;
    },
    get inFlight() {
      return drain.inFlight.size;
    },
    drain: () => until(drain.beginDrain()),
  };
}
