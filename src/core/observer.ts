import type { Effect } from "effection";
import type { HaltReason } from "./halt-reason.ts";
import type { TaskState } from "./types.ts";

/** What an observer reads of a task or group (a `Lifecycle`). */
export interface ObservedNode {
  readonly path: string;
  /** Its own name; an unnamed group has none. */
  readonly name: string | undefined;
  readonly kind: "task" | "group";
  readonly state: TaskState;
  readonly haltReason: HaltReason | undefined;
  /** A request scope's HTTP exchange (`unwind/http`); other nodes have none. */
  readonly exchange?: ObservedExchange;
}

/** What a tracer reads of a request scope's HTTP exchange. */
export interface ObservedExchange {
  readonly method: string;
  /** The request target as it came (`/users?id=1`). */
  readonly target: string;
  readonly httpVersion: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The status code sent, once the headers are out. */
  readonly sentStatus: number | undefined;
}

/**
 * The seam a tracer (`unwind/otel`) plugs into: told of every task, group
 * and request scope by identity, and allowed to run each step of their code
 * inside a context of its own.
 *
 * The diagnostics channels (diagnostics.ts) carry paths, not identities,
 * and cannot run anything around a step; a tracer needs both, to link a
 * span to its parent's and to make that span the active one while the
 * task's code runs. Core imports no tracer: while nothing is installed,
 * each call site costs one property read (`observing.current`), and the
 * step of a task (task-run.ts) takes no closure.
 *
 * Every node passed here is a task (`TaskNode`, a request scope included)
 * or a group (`GroupNode`), told of in this order: `began` once (before
 * any of its code runs), then any number of `step`, `within`, `failed`,
 * at most one `haltBegan`, and `settled` once every cleanup has run.
 * A node that never began (dropped from a queue) is never told of.
 */
export interface LifecycleObserver {
  /** `node` starts now; `owner` is the task, group or root above it (a group's owner, a task's group). */
  began(node: ObservedNode, owner: object): void;
  /** The halt of `node` began, with `node.haltReason`. */
  haltBegan(node: ObservedNode): void;
  /** `node`'s own code (body or cleanup) threw `error` in `phase`. */
  failed(node: ObservedNode, error: unknown, phase: "run" | "teardown"): void;
  /** `node` has ended and every cleanup has run; its final state is set. */
  settled(node: ObservedNode): void;
  /**
   * Runs one step of `node`'s body (or of an operation that runs as its
   * code, such as the one `shield()` protects); the effect it yields, if any, is what
   * the step returns (and the observer may wrap it to enter it in the same
   * context).
   */
  step<T>(node: object, run: () => IteratorResult<Effect<unknown>, T>): IteratorResult<Effect<unknown>, T>;
  /** Runs `fn` (a cleanup of `node`) as code of `node`; `node` may be one it was never told of (a root). */
  within<R>(node: object, fn: () => R): R;
}

/** The observer installed, if any (one at a time; `unwind/otel`'s `instrument()` sets it). */
export const observing: { current: LifecycleObserver | undefined } = { current: undefined };

/**
 * A body's steps, each run through `observer` as a step of `node`: for
 * code of a task that a `TaskRun` does not drive (the operation `shield()`
 * runs), made only while an observer is installed.
 */
export class ObservedSteps<T> implements Iterator<Effect<unknown>, T, unknown> {
  constructor(
    private readonly observer: LifecycleObserver,
    private readonly node: object,
    private readonly steps: Iterator<Effect<unknown>, T, unknown>,
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(value?: unknown): IteratorResult<Effect<unknown>, T> {
    return this.observer.step(this.node, () => this.steps.next(value));
  }

  throw(error: unknown): IteratorResult<Effect<unknown>, T> {
    const { steps } = this;
    return this.observer.step(this.node, () => {
      if (!steps.throw) throw error;
      return steps.throw(error);
    });
  }

  return(value: T): IteratorResult<Effect<unknown>, T> {
    const { steps } = this;
    return this.observer.step(this.node, () => (steps.return ? steps.return(value) : { done: true, value }));
  }
}
