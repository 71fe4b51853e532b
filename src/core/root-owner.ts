import type { Scope } from "effection";
import { addScopeCleanup } from "./cleanup.ts";
import { addFailure } from "./group-error.ts";
import type { HaltReason } from "./halt-reason.ts";
import type { Cleanup, Drainable, TaskFailure, TreeGroup, TreeRoot } from "./types.ts";

/**
 * What sits above the root group of a `run()` or `main()`: it hands halt
 * requests to the root group (even one that arrives before the group
 * exists), collects errors no group can throw any more, and tells the entry
 * point when the root's teardown begins (so the deadline can start).
 */
export class RootOwner implements TreeRoot {
  readonly path = "";
  readonly deadline = Number.POSITIVE_INFINITY;
  haltReason: HaltReason | undefined;
  readonly failures: TaskFailure[] = [];
  group: TreeGroup | undefined;
  /** Servers and mounted handlers under this root, which `main()` drains at its first signal. */
  readonly drains = new Set<Drainable>();
  constructor(private readonly onTeardownStarted?: () => void) {}

  /** Halts the root group from inside: it then tears down and returns. */
  halt(reason: HaltReason): void {
    this.haltReason ??= reason;
    this.group?.requestTeardown(reason);
  }

  /** Charges an error caught by the process to the root group. */
  fail(failure: TaskFailure): void {
    if (this.group && !this.group.settled) this.group.fail(failure);
    else addFailure(this.failures, failure);
  }

  addTeardown(scope: Scope, cleanup: Cleanup): () => void {
    return addScopeCleanup(scope, cleanup, this);
  }

  cleanupFailed(error: unknown): void {
    addFailure(this.failures, { path: this.path, phase: "teardown", error });
  }

  adopt(failures: readonly TaskFailure[]): void {
    for (const failure of failures) addFailure(this.failures, failure);
  }

  rootGroup(): TreeGroup | undefined {
    return this.group;
  }

  attach(group: TreeGroup): void {
    this.group = group;
    if (this.haltReason) group.requestTeardown(this.haltReason);
  }

  detach(): void {}

  teardownStarted(): void {
    this.onTeardownStarted?.();
  }
}
