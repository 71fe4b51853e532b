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
}

/** The drainables of the current root, set by `run()` and `main()`. */
export const DrainContext = createContext<Set<Drainable>>("unwind.drains");
