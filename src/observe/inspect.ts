import { type Operation, useScope } from "effection";
import { GroupNode } from "../core/group-node.ts";
import type { HaltKind } from "../core/halt-reason.ts";
import { type Owner, OwnerContext } from "../core/owner.ts";
import { RootOwner } from "../core/root-owner.ts";
import { TaskNode } from "../core/task-node.ts";
import type { TaskState } from "../core/task-state.ts";

/**
 * A snapshot of one task or group and everything under it. Plain data:
 * `JSON.stringify` it, compare it in tests, or print it with `formatTree`.
 * Times are milliseconds since the epoch.
 *
 * @example
 * ```ts
 * import { inspect, type TaskTree } from "unwind";
 *
 * const paths = (t: TaskTree): string[] => [t.path, ...t.children.flatMap(paths)];
 * console.log(paths(yield* inspect())); // ["main", "main/db", ...]
 * ```
 */
export interface TaskTree {
  readonly kind: "group" | "task";
  readonly name: string;
  readonly path: string;
  readonly state: TaskState;
  readonly startedAt: number;
  /** When its teardown started, if it has. */
  readonly haltStartedAt?: number;
  /** Why it is being torn down, if it is. */
  readonly haltReason?: { readonly kind: HaltKind; readonly message: string };
  /** For a group: queued children its teardown dropped before they started. */
  readonly dropped?: number;
  /** The stack frame that started it, when spawn sites are recorded (`UNWIND_SPAWN_SITES=1`). */
  readonly site?: string;
  /** What its teardown waits for besides children and cleanups, e.g. `aborted work (abortable(query))`. */
  readonly waitingFor?: string;
  readonly children: readonly TaskTree[];
}

type Node = GroupNode | TaskNode<unknown>;

export function snapshot(node: Node): TaskTree {
  const children: TaskTree[] = [];
  addChildren(node, children);
  const kind = node instanceof GroupNode ? "group" : "task";
  const name = node.name ?? node.path;
  return {
    kind,
    name,
    path: node.path,
    state: node.state,
    startedAt: node.startedAt,
    ...(node.haltStartedAt ? { haltStartedAt: node.haltStartedAt } : {}),
    ...(node.haltReason ? { haltReason: node.haltReason.toJSON() } : {}),
    ...(node instanceof GroupNode && node.dropped > 0 ? { dropped: node.dropped } : {}),
    ...(node.site ? { site: node.site } : {}),
    ...(node.waitingFor ? { waitingFor: node.waitingFor } : {}),
    children,
  };
}

/**
 * A group without a name adds no segment to its children's paths, so the
 * tree shows its children directly under its owner, as their paths read.
 */
function addChildren(node: Node, children: TaskTree[]): void {
  if (node.groups) {
    for (const group of node.groups) {
      if (group.name) children.push(snapshot(group));
      else addChildren(group, children);
    }
  }
  if (node instanceof GroupNode) for (const task of node.tasks) children.push(snapshot(task));
}

/** The root group above an owner, if it runs under `run()` / `main()`. */
export function rootGroupOf(owner: Owner | undefined): GroupNode | undefined {
  let current = owner;
  let top: GroupNode | undefined;
  while (current) {
    if (current instanceof RootOwner) return current.group;
    if (current instanceof TaskNode) current = current.group;
    else if (current instanceof GroupNode) {
      top = current;
      current = current.owner;
    } else break;
  }
  return top;
}

/**
 * Takes a snapshot of the whole live task tree that the current task belongs
 * to, from its root group down.
 *
 * @example
 * ```ts
 * import { main, inspect, formatTree } from "unwind";
 * import { suspend } from "effection";
 *
 * await main(function* (root) {
 *   root.spawn(function* () { yield* suspend(); }, { name: "worker" });
 *   console.log(formatTree(yield* inspect()));
 *   // main  group  running 0.0s
 *   // └─ worker  task  running 0.0s
 * });
 * ```
 */
export function inspect(): Operation<TaskTree> {
  return {
    *[Symbol.iterator]() {
      const scope = yield* useScope();
      const root = rootGroupOf(scope.get(OwnerContext));
      if (!root) throw new Error("inspect() must run inside main(), run() or group()");
      return snapshot(root);
    },
  };
}

/**
 * Renders a task tree for people, one line per task: name, kind, state and
 * how long it has been in that state.
 *
 * @example
 * ```ts
 * import { formatTree } from "unwind";
 *
 * console.log(formatTree({
 *   kind: "group", name: "main", path: "main", state: "halting",
 *   startedAt: 0, haltStartedAt: 1000, children: [],
 * }, 3500));
 * // main  group  halting 2.5s
 * ```
 */
export function formatTree(tree: TaskTree, now: number = Date.now()): string {
  const lines: string[] = [];
  const walk = (node: TaskTree, prefix: string, branch: string) => {
    const since = node.haltStartedAt ?? node.startedAt;
    const age = `${((now - since) / 1000).toFixed(1)}s`;
    const why = node.haltReason ? ` (${node.haltReason.message})` : "";
    const dropped = node.dropped ? `, ${node.dropped} queued dropped` : "";
    const waiting = node.waitingFor ? `, waiting for ${node.waitingFor}` : "";
    lines.push(
      `${prefix}${branch}${node.name}  ${node.kind}  ${node.state} ${age}${why}${dropped}${waiting}`,
    );
    const childPrefix = prefix + (branch === "" ? "" : branch === "└─ " ? "   " : "│  ");
    node.children.forEach((child, i) => {
      walk(child, childPrefix, i === node.children.length - 1 ? "└─ " : "├─ ");
    });
  };
  walk(tree, "", "");
  return lines.join("\n");
}
