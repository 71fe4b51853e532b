import { type Effect, type Operation, type Scope, type Task, useScope } from "effection";
import { addScopeCleanup } from "./cleanup.ts";
import { cleanupErrorChannel, spawnChannel } from "./diagnostics.ts";
import { internal, NOTHING } from "./effection-internals.ts";
import { HaltReason } from "./halt-reason.ts";
import { HaltedError } from "./halted-error.ts";
import { Lifecycle, reasonOf } from "./lifecycle.ts";
import { observing } from "./observer.ts";
import { OwnerContext } from "./owner.ts";
import { failureOf, relay } from "./relayed-failure.ts";
import { swallowedHaltError, type TaskBody, TaskRun } from "./task-run.ts";
import type { Cleanup, Owner, TaskFailure, TaskHandle, TaskParent, TreeGroup, TreeNode } from "./types.ts";
import { WakeList } from "./wake-list.ts";

/**
 * One task: its handle, its bookkeeping in the tree and the operation that
 * wraps the user's code. Kept small on purpose: one of these (plus
 * effection's own task) is the whole per-task cost of unwind.
 */
export class TaskNode<T> extends Lifecycle implements TaskHandle<T>, Owner, TreeNode, TaskBody<T> {
  // On the prototype: no per-instance field.
  get kind(): "task" {
    return "task";
  }
  /** The effection task; set when the task begins. */
  task: Task<void> | undefined;
  /** Groups nested in this task's body, for the task tree. */
  groups: Set<TreeGroup> | undefined;
  private value: T | undefined;
  /** Set when the task failed: the record its group keeps (see `addFailure`). */
  private failure: TaskFailure | undefined;
  private waiters: WakeList | undefined;

  constructor(
    readonly group: TaskParent<TaskNode<unknown>>,
    readonly name: string,
  ) {
    super();
  }

  get path(): string {
    return `${this.group.path}/${this.name}`;
  }

  get deadline(): number {
    return this.group.deadline;
  }

  /** Life step `queue`: it waits for a place under its group's `limit`. */
  queue(): void {
    this.state = "queued";
  }

  /** Life step `begin`: runs `op` as an effection task in `children`, its group's scope for them. */
  begin(children: Scope, op: () => Operation<T>): void {
    this.state = "running";
    observing.current?.began(this, this.group);
    this.task = children.run(() => this.main(op));
    this.publish(spawnChannel);
  }

  /** Life step `drop`: a task that never began (spawned during teardown, or still queued). */
  drop(reason: HaltReason | undefined): void {
    this.beginHalt(reason);
    this.state = "halted";
  }

  /** The operation effection runs as this task (see `TaskRun`). */
  main(op: () => Operation<T>): Operation<void> {
    return new TaskRun(this, op);
  }

  /** Makes `scope` (the effection task's own) this task's scope. */
  enterScope(scope: Scope): void {
    const own = internal(scope);
    own.set(OwnerContext, this);
    // Registered first, so it runs last: after every child and every
    // cleanup of this task has finished.
    own.ensure(() => this.settle());
  }

  bodyReturned(value: T): void {
    this.value = value;
  }

  bodyFailed(error: unknown, halted: boolean): void {
    // A throw while the halt unwinds the body (from a `finally`) is part of the teardown.
    const phase = halted ? "teardown" : "run";
    this.failWith(failureOf(this, { path: this.path, phase, error, ...(halted ? reasonOf(this) : {}) }));
  }

  /** Halt is final: a body that went on after its halt is a failure, and its value is dropped. */
  bodySwallowedHalt(): void {
    const error = swallowedHaltError(this.path);
    this.failWith({ path: this.path, phase: "teardown", error, ...reasonOf(this) });
  }

  private failWith(failure: TaskFailure): void {
    this.failure = failure;
    observing.current?.failed(this, failure.error, failure.phase);
    this.passOn(failure);
  }

  /** Where the task's failure goes: to its group (see `StartedTask` for the other place). */
  protected passOn(failure: TaskFailure): void {
    this.group.fail(failure, this);
  }

  /**
   * Life step `settle`, once. Runs as the task's last destructor; after a
   * halt it is called again in case the task never took its first step (so
   * never registered that destructor).
   */
  settle(): Operation<void> {
    if (this.settled) return NOTHING;
    this.settleState(this.failure !== undefined);
    this.settling();
    this.announceSettled();
    this.group.childSettled(this);
    this.waiters?.wakeAll();
    return NOTHING;
  }

  /** Called in `settle()` once the final state is set, before anyone hears of it. */
  protected settling(): void {}

  *[Symbol.iterator](): Iterator<Effect<unknown>, T, unknown> {
    if (!this.settled) {
      yield* (this.waiters ??= new WakeList()).wait();
    }
    if (this.failure) {
      // The waiter may let this error escape: it then passes this failure
      // on rather than failing a second time.
      const waiter = (yield* useScope()).get(OwnerContext);
      if (waiter) relay(waiter, this.failure);
    }
    return this.result();
  }

  /** The settled task's value; throws its error, or a `HaltedError`. */
  result(): T {
    if (this.failure) throw this.failure.error;
    if (this.state === "halted") throw new HaltedError(this.path, this.haltReason);
    return this.value as T;
  }

  /** Calls `callback` once the task has settled (at once if it has). */
  onSettled(callback: () => void): void {
    if (this.settled) callback();
    else (this.waiters ??= new WakeList()).add(callback);
  }

  halt(): Operation<void> {
    return { [Symbol.iterator]: () => this.haltNow(HaltReason.halted())[Symbol.iterator]() };
  }

  /** Halts the task and waits until it has settled. */
  *haltNow(reason: HaltReason): Operation<void> {
    if (this.settled) return;
    this.beginHalt(reason);
    if (this.task) yield* this.task.halt();
    this.settle();
  }

  /** Starts halting the task without waiting; the group learns of the end through `settle()`. */
  haltInBackground(reason: HaltReason): void {
    if (this.settled) return;
    this.beginHalt(reason);
    const settle = () => this.settle();
    if (this.task) this.task.halt().then(settle, settle);
    else settle();
  }

  addTeardown(scope: Scope, cleanup: Cleanup): () => void {
    return addScopeCleanup(scope, cleanup, this);
  }

  cleanupFailed(error: unknown): void {
    observing.current?.failed(this, error, "teardown");
    this.publish(cleanupErrorChannel, { error });
    this.group.fail({ path: this.path, phase: "teardown", error, ...reasonOf(this) }, this);
  }

  adopt(failures: readonly TaskFailure[]): void {
    for (const failure of failures) this.group.fail(failure, this);
  }

  rootGroup(): TreeGroup | undefined {
    return this.group.rootGroup();
  }

  attach(group: TreeGroup): void {
    (this.groups ??= new Set()).add(group);
  }

  detach(group: TreeGroup): void {
    this.groups?.delete(group);
  }
}
