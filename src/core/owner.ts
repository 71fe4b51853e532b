import { createContext } from "effection";
import type { TaskFailure } from "./group-error.ts";
import type { GroupNode } from "./group-node.ts";
import type { HaltReason } from "./halt-reason.ts";

/**
 * Whoever owns the code that is running: a task, the body of a group, or the
 * root of a `run()` / `main()`. Every unwind task and group finds its owner
 * through this context, which gives it its path, the place its errors go and
 * its place in the task tree.
 */
export interface Owner {
  /** Task path such as `main/inner/w2` (`""` above the root group). */
  readonly path: string;
  /** Why it is being torn down, once it is. */
  readonly haltReason: HaltReason | undefined;
  /** The time (ms since the epoch) by which it must end; Infinity for none. */
  readonly deadline: number;
  /** A cleanup registered by this owner threw. */
  cleanupFailed(error: unknown): void;
  /**
   * Errors of a nested group that was halted from outside. A halted group
   * cannot throw, so it hands its errors up rather than losing them.
   */
  adopt(failures: readonly TaskFailure[]): void;
  attach(group: GroupNode): void;
  detach(group: GroupNode): void;
  /** Called when a group directly under this owner starts tearing down. */
  teardownStarted?(group: GroupNode): void;
  /** Its cancel signal (tasks and group bodies have one; see `useCancelSignal()`). */
  cancelSignal?(): AbortSignal;
  /**
   * What its teardown waits for besides its children and cleanups (aborted
   * promise work), while it waits: shown by the task tree and the stuck report.
   */
  waitingFor?: string | undefined;
}

export const OwnerContext = createContext<Owner>("unwind.owner");

/**
 * The owner of a `group()` that runs outside any unwind root (inside a plain
 * effection `run()`). Its errors still reach the caller when the group ends
 * by itself; if it is halted from outside, the only way left not to lose
 * them is to raise them where the process sees them.
 */
export const detachedOwner: Owner = {
  path: "",
  haltReason: undefined,
  deadline: Number.POSITIVE_INFINITY,
  cleanupFailed(error) {
    queueMicrotask(() => {
      throw error;
    });
  },
  adopt(failures) {
    for (const failure of failures) detachedOwner.cleanupFailed(failure.error);
  },
  attach() {},
  detach() {},
};
