import { createContext } from "effection";
import { addScopeCleanup } from "./cleanup.ts";
import type { Owner } from "./types.ts";

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
  addTeardown(scope, cleanup) {
    return addScopeCleanup(scope, cleanup, detachedOwner);
  },
  cleanupFailed(error) {
    queueMicrotask(() => {
      throw error;
    });
  },
  adopt(failures) {
    for (const failure of failures) detachedOwner.cleanupFailed(failure.error);
  },
  rootGroup() {
    return undefined;
  },
  attach() {},
  detach() {},
};
