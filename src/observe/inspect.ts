import { type Operation, useScope } from "effection";
import { GroupNode } from "../core/group-node.ts";
import type { HaltKind } from "../core/halt-reason.ts";
import { type ProcessInfo, processesOf } from "../core/held-processes.ts";
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
 * import { inspect, main, type TaskTree } from "unwind";
 *
 * const paths = (tree: TaskTree): string[] => [tree.path, ...tree.children.flatMap(paths)];
 *
 * await main(function* (root) {
 *   root.spawn(function* () {}, { name: "db" });
 *   console.log(paths(yield* inspect())); // ["main", "main/db"]
 * });
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
  /** OS processes and worker threads it holds (`exec()`, `worker()` of "unwind/process"). */
  readonly processes?: readonly ProcessInfo[];
  readonly children: readonly TaskTree[];
}

type Node = GroupNode | TaskNode<unknown>;

export function snapshot(node: Node): TaskTree {
  const children: TaskTree[] = [];
  addChildren(node, children);
  const kind = node instanceof GroupNode ? "group" : "task";
  const name = node.name ?? node.path;
  const processes = heldBy(node);
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
    ...(processes ? { processes } : {}),
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

/** What `node` holds, and what the unnamed groups in it hold: they show under `node`, as their tasks do. */
function heldBy(node: Node): ProcessInfo[] | undefined {
  let held = processesOf(node);
  for (const group of node.groups ?? []) {
    if (group.name) continue;
    const inner = heldBy(group);
    if (inner) held = [...(held ?? []), ...inner];
  }
  return held;
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
 * import { formatTree, inspect, main } from "unwind";
 * import { suspend } from "effection";
 *
 * await main(function* (root) {
 *   const worker = root.spawn(function* () {
 *     yield* suspend();
 *   }, { name: "worker" });
 *   console.log(formatTree(yield* inspect()));
 *   // main  group  running 0.0s
 *   // └─ worker  task  running 0.0s
 *   yield* worker.halt(); // the root joins its tasks: end the worker to end the program
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
 * @param tree A snapshot from `inspect()` or `root.inspect()`.
 * @param now The time the durations are counted to (default: now).
 * @returns One line per task, indented by depth.
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
  const age = (since: number) => `${((now - since) / 1000).toFixed(1)}s`;
  const walk = (node: TaskTree, prefix: string, branch: string) => {
    const why = node.haltReason ? ` (${node.haltReason.message})` : "";
    const dropped = node.dropped ? `, ${node.dropped} queued dropped` : "";
    const since = node.haltStartedAt ?? node.startedAt;
    lines.push(`${prefix}${branch}${node.name}  ${node.kind}  ${node.state} ${age(since)}${why}${dropped}`);
    const childPrefix = prefix + (branch === "" ? "" : branch === "└─ " ? "   " : "│  ");
    const processes = node.processes ?? [];
    const count = processes.length + node.children.length;
    processes.forEach((process, i) => {
      const last = i === count - 1 ? "└─ " : "├─ ";
      lines.push(`${childPrefix}${last}${processLine(process, age)}`);
    });
    node.children.forEach((child, i) => {
      walk(child, childPrefix, processes.length + i === count - 1 ? "└─ " : "├─ ");
    });
  };
  walk(tree, "", "");
  return lines.join("\n");
}

/** `sleep  process  pid 4242  running 1.0s  sleep 10`, or the same for a worker thread. */
export function processLine(process: ProcessInfo, age: (since: number) => string): string {
  const id = process.kind === "process" ? `pid ${process.pid}` : `thread ${process.threadId}`;
  const what = process.kind === "process" ? process.command : process.module;
  const since = process.haltStartedAt ?? process.startedAt;
  return `${process.name}  ${process.kind}  ${id}  ${process.state} ${age(since)}  ${what}`;
}
