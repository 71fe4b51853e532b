import { type Operation, withResolvers } from "effection";
import { TaskNode } from "./task-node.ts";
import type { GroupInternal, TaskFailure } from "./types.ts";

/**
 * `g.start()` (Trio's `nursery.start`): starts `body` as a child of `group`
 * and waits until it calls `ready(value)`; returns that value.
 */
export function* startTask<R, T>(
  group: GroupInternal<TaskNode<unknown>>,
  name: string,
  body: (ready: (value: R) => void) => Operation<T>,
): Operation<R> {
  const node = new StartedTask<R, T>(group, name);
  group.launch(node, () => body(node.ready));
  try {
    return yield* node.gate.operation;
  } finally {
    // The caller was halted before ready(): nobody waits for the child's
    // failure any more, so from now on it fails the group, like any
    // child's. (Synchronous, see "effection pitfalls".)
    node.waiting = false;
  }
}

/**
 * A task started by `g.start()`: the whole ready gate. Until it calls
 * `ready()`, while its caller waits, the task's failure is thrown to the
 * caller instead of failing the group, and so is its end (returned or
 * halted) without `ready()`. After `ready()`, or once the caller has gone,
 * it is a task like any other.
 */
class StartedTask<R, T> extends TaskNode<T> {
  readonly gate = withResolvers<R>();
  /** Its caller waits for `ready()`, and the gate has not opened nor failed. */
  waiting = true;
  private called = false;

  readonly ready = (value: R): void => {
    if (this.called) {
      // As Trio's task_status.started(): a second call is a bug in the task.
      throw new Error(
        `ready() called a second time in ${this.path}: g.start() returns the first value only; call ready() once, when the task is ready`,
      );
    }
    this.called = true;
    if (this.waiting) {
      this.waiting = false;
      this.gate.resolve(value);
    }
  };

  protected override passOn(failure: TaskFailure): void {
    if (!this.waiting) {
      super.passOn(failure);
      return;
    }
    // Before ready(), a failure belongs to the caller of g.start().
    this.waiting = false;
    const { error } = failure;
    this.gate.reject(error instanceof Error ? error : new Error(String(error), { cause: error }));
  }

  protected override settling(): void {
    if (!this.waiting) return;
    this.waiting = false;
    const how = this.state === "halted" ? "was halted" : "returned";
    this.gate.reject(new Error(`${this.path} ${how} before calling ready()`));
  }
}
