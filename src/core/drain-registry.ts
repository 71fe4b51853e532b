import { createContext } from "effection";
import type { HaltReason } from "./halt-reason.ts";

/**
 * Something that can finish its in-flight work before it is halted: an HTTP
 * server or a mounted handler. With a `drainTimeout`, `main()` drains them
 * at the first signal before it halts the tree; a second signal skips the
 * rest of any drain. With a `shutdownDelay`, readiness fails first while
 * everything else is still served, so that load balancers stop sending
 * traffic before the drain refuses it.
 */
export interface Drainable {
  /** Milliseconds that main() keeps serving after the first signal while readiness answers 503 (Kubernetes' endpoint lag); 0 for none. */
  readonly shutdownDelay: number;
  /** From now on the readiness path answers 503; everything else is served as before. Idempotent. */
  beginShutdownDelay(): void;
  /** True from the start of the drain until nothing is in flight any more. */
  readonly drainInProgress: boolean;
  /** Starts draining (once); resolves when nothing is in flight any more. */
  beginDrain(): Promise<void>;
  /** Gives up on the rest of the drain: halts what is still in flight, with `reason`. */
  skipDrain(reason?: HaltReason): void;
  /**
   * `main()` received a shutdown request (a signal, or a cluster primary's
   * message): called for every one, before the shutdown ladder takes its
   * step. A cluster forwards each one to its workers, whose own ladders then
   * take the same steps. `handOver`: another process takes the traffic over
   * (a cluster's reload): a server then serves what still reaches it, with
   * `Connection: close`, instead of refusing it, and lets its open
   * connections close by themselves (closing an idle one would reset a
   * request already on its way).
   */
  shutdownRequested?(signal: NodeJS.Signals, handOver: boolean): void;
}

/** The drainables of the current root, set by `run()` and `main()`. */
export const DrainContext = createContext<Set<Drainable>>("unwind.drains");
