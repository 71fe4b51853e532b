import { type Operation, useScope } from "effection";
import type { HaltReasonJSON } from "../core/halt-reason.ts";
import { processesOf } from "../core/held-processes.ts";
import { OwnerContext } from "../core/owner.ts";
import { restartCountOf } from "../core/restart-count.ts";
import type { ChildTeardown, ProcessInfo, TaskState, TreeNode } from "../core/types.ts";
import { taskId } from "./task-id.ts";

/**
 * A snapshot of one task or group and everything under it. Plain data:
 * `JSON.stringify` it, compare it in tests, or print it with `formatTree`.
 * Times are milliseconds since the epoch.
 *
 * A group made without a name is a node of its own (`name` is `""`) under
 * the task that runs it, with the same `path` as that task: its `kind` and
 * `id` tell them apart.
 *
 * @example
 * ```ts
 * import { inspect, main, type TaskTree } from "unwind";
 * import { suspend } from "effection";
 *
 * const paths = (t: TaskTree): string[] => [t.path, ...t.children.flatMap(paths)];
 *
 * await main(function* (root) {
 *   root.spawn(function* () { yield* suspend(); }, { name: "db" });
 *   console.log(paths(yield* inspect())); // ["main", "main/db"]
 *   yield* root.halt();
 * });
 * ```
 */
export interface TaskTree {
  /** Unique in the process and kept for the task's life: `task 7` in the printed tree. */
  readonly id: number;
  readonly kind: "group" | "task";
  /** Its name within its group; `""` for a group made without a name. */
  readonly name: string;
  readonly path: string;
  readonly state: TaskState;
  readonly startedAt: number;
  /** When its teardown started, if it has. */
  readonly haltStartedAt?: number;
  /** Why it is being torn down, if it is. */
  readonly haltReason?: HaltReasonJSON;
  /** For a group: queued children its teardown dropped before they started. */
  readonly dropped?: number;
  /**
   * For a group tearing two or more children down: in which order, since
   * when, how many it had, how many are torn down, when the last of those
   * finished (0 before the first) and the longest one took, in ms. What
   * the stuck report's estimates come from (see `TeardownProgress`).
   */
  readonly childTeardown?: {
    readonly order: "serial" | "concurrent";
    readonly startedAt: number;
    readonly children: number;
    readonly tornDown: number;
    readonly lastAt: number;
    readonly slowestMs: number;
  };
  /** A child of a `supervisor()`: how many times it has been restarted; a supervisor: its restarts in all. */
  readonly restarts?: number;
  /** The stack frame that started it, when spawn sites are recorded (`UNWIND_SPAWN_SITES=1`). */
  readonly site?: string;
  /** OS processes and worker threads it holds (`exec()`, `worker()` of "unwind/process"). */
  readonly processes?: readonly ProcessInfo[];
  /** What its teardown waits for besides children and cleanups, e.g. `aborted work (abortable(query))`. */
  readonly waitingFor?: string;
  readonly children: readonly TaskTree[];
}

/** The snapshot of `node` and everything under it. */
export function snapshot(node: TreeNode): TaskTree {
  const id = taskId(node); // before the children's: ids go in tree order
  const children: TaskTree[] = [];
  if (node.groups) for (const group of node.groups) children.push(snapshot(group));
  if (node.tasks) for (const task of node.tasks) children.push(snapshot(task));
  const processes = processesOf(node);
  const restarts = restartCountOf(node);
  return {
    id,
    kind: node.kind,
    name: node.name ?? "",
    path: node.path,
    state: node.state,
    startedAt: node.startedAt,
    ...(node.haltStartedAt !== undefined ? { haltStartedAt: node.haltStartedAt } : {}),
    ...(node.haltReason ? { haltReason: node.haltReason.toJSON() } : {}),
    ...(node.dropped ? { dropped: node.dropped } : {}),
    ...(node.childTeardown ? { childTeardown: childTeardownOf(node.childTeardown) } : {}),
    ...(restarts ? { restarts } : {}),
    ...(node.site ? { site: node.site } : {}),
    ...(processes ? { processes } : {}),
    ...(node.waitingFor ? { waitingFor: node.waitingFor } : {}),
    children,
  };
}

/** A copy as plain data: the group goes on counting. */
function childTeardownOf(progress: ChildTeardown): NonNullable<TaskTree["childTeardown"]> {
  const { order, startedAt, children, tornDown, lastAt, slowestMs } = progress;
  return { order, startedAt, children, tornDown, lastAt, slowestMs };
}

/**
 * Takes a snapshot of the whole live task tree that the current task belongs
 * to, from its root group down.
 *
 * @example
 * ```ts
 * import { formatTree, inspect, main } from "unwind";
 * import { suspend } from "effection";
 *
 * await main(function* (root) {
 *   const worker = root.spawn(function* () {
 *     yield* suspend();
 *   }, { name: "worker" });
 *   console.log(formatTree(yield* inspect()));
 *   // main       group 1  running  2ms
 *   // └─ worker  task 2   running  1ms
 *   yield* root.halt();
 * });
 * ```
 */
export function inspect(): Operation<TaskTree> {
  return {
    *[Symbol.iterator]() {
      const scope = yield* useScope();
      const root = scope.get(OwnerContext)?.rootGroup();
      if (!root) throw new Error("inspect() must run inside main(), run() or group()");
      return snapshot(root);
    },
  };
}
