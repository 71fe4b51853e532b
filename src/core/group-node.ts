import { createScope, type Operation, type Scope, useScope, withResolvers } from "effection";
import { Admission } from "./admission.ts";
import { checkSpawn, checkStart, returnsOperation } from "./arguments.ts";
import { addScopeCleanup, runCleanup } from "./cleanup.ts";
import { cleanupErrorChannel, spawnChannel } from "./diagnostics.ts";
import { internal, type ScopeInternal } from "./effection-internals.ts";
import { addFailure } from "./group-error.ts";
import { GroupLimits, ownDeadline } from "./group-limits.ts";
import { HaltReason } from "./halt-reason.ts";
import { Lifecycle, reasonOf } from "./lifecycle.ts";
import { observing } from "./observer.ts";
import { OwnerContext } from "./owner.ts";
import { failureOf } from "./relayed-failure.ts";
import { startTask } from "./started-task.ts";
import { TaskNode } from "./task-node.ts";
import { swallowedHaltError, type TaskBody, TaskRun } from "./task-run.ts";
import { TimeoutError } from "./timeout-error.ts";
import type {
  ChildTeardown,
  Cleanup,
  Group,
  GroupInternal,
  GroupOptions,
  Limited,
  Owner,
  SpawnOptions,
  TaskFailure,
  TreeGroup,
} from "./types.ts";
import { WakeList } from "./wake-list.ts";

/**
 * The engine behind `group()`. Invariants (each pinned by tests):
 *
 * - Join: the group's operation does not return until its body and every
 *   child have settled and every cleanup has run.
 * - Tree order: on teardown the body is halted first (it drives the group
 *   and must not react to its children going away), then the children, then
 *   the cleanups the body registered with `onTeardown()`. Each child tears
 *   its own subtree down before its own cleanups, so the whole tree unwinds
 *   post-order.
 * - Nothing lost: every failure is kept with its path and phase; a group
 *   halted from outside (which cannot throw) hands them to its owner.
 *
 * The order comes from effection's scope destructors, which run LIFO:
 * registered as [own cleanups, children, body], they run body, children,
 * own cleanups. The children live in a scope of their own so that their
 * teardown is one destructor whose order unwind controls (serial newest
 * first, or concurrent).
 */
export class GroupNode
  extends Lifecycle
  implements Group, GroupInternal<TaskNode<unknown>>, Owner, TreeGroup, TaskBody<unknown>, Limited
{
  // On the prototype: no per-instance field.
  get kind(): "group" {
    return "group";
  }
  readonly path: string;
  /** Live child tasks (running or queued), in spawn order. */
  readonly tasks = new Set<TaskNode<unknown>>();
  /** Groups nested directly in the body, for the task tree. */
  groups: Set<TreeGroup> | undefined;
  readonly failures: TaskFailure[] = [];
  /** The time by which the group must end (its own or inherited); Infinity for none. */
  readonly deadline: number;
  /** Queued children dropped by the teardown before they started. */
  dropped = 0;
  /** How far the teardown of its children has got: made when it starts, if two or more wait for it. */
  childTeardown: ChildTeardownRecord | undefined;
  /** Its `limit`, if it has one. */
  private readonly admission: Admission<TaskNode<unknown>, () => Operation<unknown>> | undefined;
  /** Its own timeout, deadline and abort signal, if it has any. */
  private readonly limits: GroupLimits | undefined;
  private readonly cleanups: Cleanup[] = [];
  private readonly finished = withResolvers<unknown>();
  private children: Scope | undefined;
  private bodyScope: Scope | undefined;
  private bodyDone = false;
  private value: unknown;
  private exited = false;
  private settledWaiters: WakeList | undefined;
  /** Woken when the last child has settled (concurrent teardown waits on it). */
  private emptied: WakeList | undefined;
  private unnamed = 0;
  /** Runs before the children are halted: lets them finish first (see `drainChildrenFirst`). */
  private drain: (() => Operation<void>) | undefined;

  constructor(
    readonly owner: Owner,
    readonly name: string | undefined,
    private readonly options: GroupOptions,
  ) {
    super();
    this.path = !name ? owner.path : owner.path ? `${owner.path}/${name}` : name;
    const own = ownDeadline(options, this.startedAt);
    this.deadline = Math.min(own, owner.deadline);
    if (own !== Number.POSITIVE_INFINITY || options.signal) {
      this.limits = new GroupLimits(this, own, options.signal);
    }
    if (options.limit !== undefined) {
      this.admission = new Admission(options.limit, (node, op) => this.beginChild(node, op));
    }
  }

  /** The group's own operation; `group()` runs it inside `scoped()`. */
  *main<T>(body: (g: GroupNode) => Operation<T>): Operation<T | undefined> {
    const scope: ScopeInternal = internal(yield* useScope());
    scope.set(OwnerContext, this);
    // Destructors run LIFO: body first, then children, then own cleanups.
    scope.ensure(() => this.finish());
    this.children = createScope(scope);
    scope.ensure(() => this.haltChildren());
    this.begin(scope, body);
    try {
      const value = (yield* this.finished.operation) as T | undefined;
      this.exited = true;
      return value;
    } finally {
      // Halted from outside: the reason is whatever halts the owner. Ended
      // by itself: its own cleanups are a teardown without a halt reason.
      if (!this.exited) this.beginHalt(this.owner.haltReason ?? HaltReason.parentExited());
      else this.beginHalt(undefined);
    }
  }

  /** Life step `begin`: shows in its owner's tree, arms its limits and runs the body in `scope`. */
  private begin<T>(scope: Scope, body: (g: GroupNode) => Operation<T>): void {
    observing.current?.began(this, this.owner);
    this.owner.attach(this);
    this.publish(spawnChannel);
    this.limits?.arm(this.startedAt, this.owner.deadline);
    // attach() or the limits may have ended the group already.
    if (this.state === "running") scope.run(() => new TaskRun(this, () => body(this)));
  }

  timedOut(ms: number): void {
    const error = new TimeoutError(this.path, ms);
    observing.current?.failed(this, error, "run");
    addFailure(this.failures, { path: this.path, phase: "run", error });
    this.requestTeardown(HaltReason.timeout(this.path, ms));
  }

  aborted(cause: unknown): void {
    this.requestTeardown(HaltReason.aborted(cause));
  }

  // The body runs as a task of the group's scope, driven by a `TaskRun`
  // like every task: these are its reports.

  enterScope(scope: Scope): void {
    this.bodyScope = scope;
  }

  bodyReturned(value: unknown): void {
    this.value = value;
    this.bodyDone = true;
    this.checkJoined();
  }

  bodyFailed(error: unknown, halted: boolean): void {
    // The body drives the group: its failure ends the group whatever the policy.
    const phase = halted ? "teardown" : "run";
    observing.current?.failed(this, error, phase);
    this.fail(failureOf(this, { path: this.path, phase, error, ...(halted ? reasonOf(this) : {}) }));
  }

  bodySwallowedHalt(): void {
    const error = swallowedHaltError(this.path || "a group");
    observing.current?.failed(this, error, "teardown");
    this.fail({ path: this.path, phase: "teardown", error, ...reasonOf(this) });
  }

  spawn<T>(op: () => Operation<T>, options?: SpawnOptions): TaskNode<T> {
    checkSpawn(op, options);
    const node = new TaskNode<T>(this, this.nameOf(op, options));
    this.launch(node, returnsOperation("g.spawn()", "op", op));
    return node;
  }

  start<R, T = unknown>(
    body: (ready: (value: R) => void) => Operation<T>,
    options?: SpawnOptions,
  ): Operation<R> {
    checkStart(body, options);
    const run = returnsOperation("g.start()", "body", body);
    return {
      [Symbol.iterator]: () => startTask<R, T>(this, this.nameOf(body, options), run)[Symbol.iterator](),
    };
  }

  /** The name of a child: the given one, else the function's, else `task-<n>`. */
  private nameOf(fn: { readonly name: string }, options: SpawnOptions | undefined): string {
    return options?.name ?? (fn.name || `task-${++this.unnamed}`);
  }

  /** Starts `node` (made by the caller, e.g. a request scope) as a child of this group. */
  launch<T>(node: TaskNode<T>, op: () => Operation<T>): void {
    if (this.settled) {
      throw new Error(`cannot spawn ${node.name}: group ${this.path || "(root)"} has already ended`);
    }
    if (this.state !== "running" || !this.children) {
      node.drop(this.haltReason);
      return;
    }
    // A task's value type does not matter to its group.
    const child: TaskNode<unknown> = node;
    this.tasks.add(child);
    if (!this.admission) this.beginChild(child, op);
    else if (!this.admission.admit(child, op)) child.queue();
  }

  private beginChild(node: TaskNode<unknown>, op: () => Operation<unknown>): void {
    if (this.children) node.begin(this.children, op);
  }

  halt(reason?: unknown): Operation<void> {
    const group = this;
    return {
      *[Symbol.iterator]() {
        group.requestTeardown(HaltReason.halted(reason));
        if (group.settled) return;
        yield* (group.settledWaiters ??= new WakeList()).wait();
      },
    };
  }

  /**
   * Records a failure. Fail-fast (or a failure of the body itself) ends the
   * group; under `supervise` a child's failure goes to `onError` instead.
   */
  fail(failure: TaskFailure, child?: TaskNode<unknown>): void {
    // Already here (passed on by a task that rethrew it): it has had its effect.
    if (!addFailure(this.failures, failure)) return;
    if (child && this.options.policy === "supervise") {
      try {
        this.options.onError?.(failure.error, child);
      } catch (error) {
        addFailure(this.failures, { path: this.path, phase: "run", error });
      }
      return;
    }
    this.requestTeardown(HaltReason.siblingFailed(failure.path, failure.error));
  }

  childSettled(task: TaskNode<unknown>): void {
    if (!this.tasks.delete(task)) return;
    if (task.haltStartedAt !== undefined) this.childTeardown?.tornDownOne(task.haltStartedAt);
    // A task that began had a place under the limit: the next one queued takes it.
    if (task.task) this.admission?.release();
    if (this.tasks.size === 0) this.emptied?.wakeAll();
    this.checkJoined();
  }

  private checkJoined(): void {
    if (this.bodyDone && this.tasks.size === 0 && this.state === "running") {
      this.finished.resolve(this.value);
    }
  }

  /** Starts the teardown from inside: the group then returns normally. */
  requestTeardown(reason: HaltReason): void {
    if (this.state !== "running") return;
    this.beginHalt(reason);
    this.finished.resolve(undefined);
  }

  /** Life step `beginHalt`; also stops the limits and the queue, and tells the owner. */
  override beginHalt(reason: HaltReason | undefined): boolean {
    if (!super.beginHalt(reason)) return false;
    this.limits?.disarm();
    this.admission?.close();
    this.owner.teardownStarted?.(this);
    return true;
  }

  addTeardown(scope: Scope, cleanup: Cleanup): () => void {
    // The body's own cleanups belong to the group: they wait for its children.
    if (scope !== this.bodyScope) return addScopeCleanup(scope, cleanup, this);
    this.addCleanup(cleanup);
    return () => this.removeCleanup(cleanup);
  }

  addCleanup(cleanup: Cleanup): void {
    this.cleanups.push(cleanup);
  }

  /** Takes back a cleanup that is no longer needed (see `addTeardown`). */
  private removeCleanup(cleanup: Cleanup): void {
    const at = this.cleanups.lastIndexOf(cleanup);
    if (at >= 0) this.cleanups.splice(at, 1);
  }

  /**
   * Once, from the body: gives the children a chance to finish by
   * themselves at the start of the teardown, before any of them is halted.
   * `serve()` drains its requests this way. (A cleanup of the body would
   * run too late, after the children; a `finally` of the body cannot wait.)
   */
  drainChildrenFirst(drain: () => Operation<void>): void {
    if (this.drain) throw new Error(`unwind: group ${this.path || "(root)"} already has a drain`);
    this.drain = drain;
  }

  private *haltChildren(): Operation<void> {
    const reason = this.haltReason ?? HaltReason.parentExited();
    if (this.drain) yield* this.drain();
    this.dropQueued(reason);
    const concurrent = this.options.teardown === "concurrent";
    if (this.tasks.size > 1) {
      this.childTeardown = new ChildTeardownRecord(concurrent ? "concurrent" : "serial", this.tasks.size);
    }
    while (this.tasks.size > 0) {
      if (concurrent) {
        // Start every halt before waiting for any: teardown then takes as
        // long as the slowest child instead of the sum of all of them. One
        // wait for the whole set, not one per child.
        for (const node of [...this.tasks]) node.haltInBackground(reason);
        if (this.tasks.size > 0) yield* (this.emptied ??= new WakeList()).wait();
      } else {
        for (const node of [...this.tasks].reverse()) yield* node.haltNow(reason);
      }
    }
  }

  /** Queued children never begin once the group tears down. */
  private dropQueued(reason: HaltReason): void {
    if (!this.admission) return;
    for (const node of this.admission.takeQueued()) {
      if (node.state !== "queued") continue;
      node.drop(reason);
      this.tasks.delete(node);
      this.dropped++;
    }
  }

  /** The last destructor: the body's own cleanups, newest first, then `settle`. */
  private *finish(): Operation<void> {
    for (let cleanup = this.cleanups.pop(); cleanup; cleanup = this.cleanups.pop()) {
      yield* runCleanup(cleanup, this, (error) => {
        observing.current?.failed(this, error, "teardown");
        this.publish(cleanupErrorChannel, { error });
        addFailure(this.failures, { path: this.path, phase: "teardown", error, ...reasonOf(this) });
      });
    }
    this.settle();
  }

  /** Life step `settle`: every cleanup has run. */
  private settle(): void {
    this.limits?.disarm();
    this.settleState(this.failures.length > 0);
    this.owner.detach(this);
    this.announceSettled();
    this.settledWaiters?.wakeAll();
  }

  cleanupFailed(error: unknown): void {
    observing.current?.failed(this, error, "teardown");
    this.publish(cleanupErrorChannel, { error });
    this.fail({ path: this.path, phase: "teardown", error, ...reasonOf(this) });
  }

  adopt(failures: readonly TaskFailure[]): void {
    for (const failure of failures) this.fail(failure);
  }

  rootGroup(): TreeGroup | undefined {
    return this.owner.rootGroup() ?? this;
  }

  attach(group: TreeGroup): void {
    (this.groups ??= new Set()).add(group);
  }

  detach(group: TreeGroup): void {
    this.groups?.delete(group);
  }
}

/**
 * The progress of a group's children's teardown (see `ChildTeardown`):
 * one per group teardown with two or more children, none per task.
 */
class ChildTeardownRecord implements ChildTeardown {
  readonly startedAt = Date.now();
  tornDown = 0;
  lastAt = 0;
  slowestMs = 0;

  constructor(
    readonly order: "serial" | "concurrent",
    readonly children: number,
  ) {}

  /** A child halted at `haltStartedAt` has settled: counted, with the time it took. */
  tornDownOne(haltStartedAt: number): void {
    // A child that was already halting when the teardown began took part of its time before it.
    const from = Math.max(haltStartedAt, this.startedAt);
    this.lastAt = Date.now();
    this.tornDown++;
    this.slowestMs = Math.max(this.slowestMs, this.lastAt - from);
  }
}
