import type { ProcessInfo, TaskState } from "../core/types.ts";
import { colorsFor, type Paint, painter, type Style } from "./colors.ts";
import type { TaskTree } from "./inspect.ts";

/**
 * The one printer of task trees: the live tree (`formatTree`, the demos,
 * `unwind tree <pid>`) and the stuck report of `main()` lay out the same
 * columns (where, kind and id, state, time in that state, why) in the same
 * colours, so a task reads the same wherever it is printed.
 */

/**
 * How `formatTree` prints.
 *
 * @example
 * ```ts
 * import { formatTree, type TreeFormat } from "unwind";
 *
 * const format: TreeFormat = { now: 3500, color: false };
 * console.log(formatTree({
 *   id: 1, kind: "group", name: "main", path: "main", state: "running",
 *   startedAt: 0, children: [],
 * }, format));
 * // main  group 1  running  3.5s
 * ```
 */
export interface TreeFormat {
  /** The time to measure ages against, in ms since the epoch; default `Date.now()`. */
  now?: number;
  /**
   * ANSI colours. Default: whether standard output wants them (a terminal,
   * unless `NO_COLOR`; or `FORCE_COLOR`).
   */
  color?: boolean;
}

/**
 * Renders a task tree for people, one aligned line per task or group: the
 * tree and the name, the kind and the task's id (so that siblings of the
 * same name differ), the state, how long it has been in that state, why
 * it is being torn down, and how many times a `supervisor()` has restarted
 * it. A group made without a name shows as `(unnamed)` under the task that
 * runs it. With spawn sites on, a line under each task says where it was
 * started.
 *
 * @example
 * ```ts
 * import { formatTree } from "unwind";
 *
 * console.log(formatTree({
 *   id: 1, kind: "group", name: "main", path: "main", state: "halting",
 *   startedAt: 0, haltStartedAt: 1000,
 *   haltReason: { kind: "signal", message: "received SIGTERM" },
 *   children: [{
 *     id: 2, kind: "task", name: "db", path: "main/db", state: "running",
 *     startedAt: 0, children: [],
 *   }],
 * }, { now: 3500, color: false }));
 * // main   group 1  halting  2.5s  received SIGTERM
 * // └─ db  task 2   running  3.5s
 * ```
 */
export function formatTree(tree: TaskTree, format: TreeFormat = {}): string {
  const now = format.now ?? Date.now();
  const paint = painter(format.color ?? colorsFor(process.stdout));
  const rows: Row[] = [];
  const walk = (node: TaskTree, prefix: string, branch: string, below: string) => {
    const name = node.name || "(unnamed)";
    const styled =
      node.name === "" ? paint("gray", name) : node.kind === "group" ? paint("bold", name) : name;
    const where = cell(prefix + branch + name, paint("gray", prefix + branch) + styled);
    rows.push({ cells: [where, ...columns(node, now, paint)] });
    const processes = node.processes ?? [];
    const count = processes.length + node.children.length;
    if (node.site) {
      const bar = count > 0 ? "│ " : "  ";
      rows.push({ line: paint("gray", `${below}${bar} started at ${node.site}`) });
    }
    // What the task holds (processes, worker threads) comes first, then its children.
    processes.forEach((held, i) => {
      const branch = i === count - 1 ? "└─ " : "├─ ";
      rows.push({
        cells: [
          cell(below + branch + held.name, paint("gray", below + branch) + held.name),
          ...processColumns(held, now, paint),
        ],
      });
    });
    node.children.forEach((child, i) => {
      const last = processes.length + i === count - 1;
      walk(child, below, last ? "└─ " : "├─ ", below + (last ? "   " : "│  "));
    });
  };
  walk(tree, "", "", "");
  return layout(rows);
}

/**
 * The stuck report's lines: every task still open, deepest first (the tasks
 * at the top are the ones holding everything else up), each with its path
 * and the same columns as the tree.
 */
export function formatOpenTasks(tree: TaskTree | undefined, now: number, paint: Paint): string[] {
  const rows: Row[] = [];
  const walk = (node: TaskTree) => {
    // Thousands of children waiting for their turn would bury the rest:
    // the first few are shown, the others counted on one line.
    let waiting = 0;
    for (const child of node.children) {
      if (!isWaitingLeaf(child) || ++waiting <= WAITING_SHOWN) walk(child);
    }
    if (waiting > WAITING_SHOWN) {
      const more = waiting - WAITING_SHOWN;
      rows.push({ line: `  ${node.path || "(root)"}/… ${more} more, halt not started` });
    }
    const note = node.haltStartedAt !== undefined ? undefined : "halt not started";
    rows.push({ cells: [cell(`  ${node.path || "(root)"}`), ...columns(node, now, paint, note)] });
    if (node.site) rows.push({ line: paint("gray", `      started at ${node.site}`) });
    for (const held of node.processes ?? []) {
      const [kind, state, age, what] = processColumns(held, now, paint).map((c) => c.text);
      rows.push({ line: `      holds ${held.name}  ${kind}  ${state}  ${age}  ${what}` });
    }
  };
  if (tree) walk(tree);
  return rows.length > 0 ? layout(rows).split("\n") : ["  (no task is open)"];
}

/** Children waiting for their turn that the stuck report shows one by one, per group. */
const WAITING_SHOWN = 5;

/** A task or group whose halt has not started and that holds nothing: one of many, often. */
function isWaitingLeaf(node: TaskTree): boolean {
  return (
    node.haltStartedAt === undefined && node.children.length === 0 && !node.processes?.length && !node.site
  );
}

/** How long ago `since` was, for people: `850ms`, `12.3s`, `4m05s`, `2h03m`, `3d04h`. */
export function formatDuration(ms: number): string {
  const t = Math.max(0, Math.floor(ms));
  if (t < 1000) return `${t}ms`;
  if (t < 60_000) return `${(Math.floor(t / 100) / 10).toFixed(1)}s`;
  const two = (n: number) => String(n).padStart(2, "0");
  const s = Math.floor(t / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  const m = Math.floor(s / 60);
  if (m < 24 * 60) return `${Math.floor(m / 60)}h${two(m % 60)}m`;
  const h = Math.floor(m / 60);
  return `${Math.floor(h / 24)}d${two(h % 24)}h`;
}

const stateStyle: Record<TaskState, Style> = {
  queued: "blue",
  running: "green",
  halting: "yellow",
  done: "gray",
  failed: "red",
  halted: "gray",
};

/** A cell: its plain text (for the width) and what is printed. */
interface Cell {
  plain: string;
  text: string;
  /** Numbers line up on the right. */
  right?: boolean;
}

/** A row of cells, or a line of its own (a spawn site) that takes no part in the columns. */
type Row = { cells: Cell[] } | { line: string };

function cell(plain: string, text: string = plain, right?: boolean): Cell {
  return right ? { plain, text, right } : { plain, text };
}

/** Kind and id, state, time in that state, and the details: a note, why, dropped children, restarts, what it waits for. */
function columns(node: TaskTree, now: number, paint: Paint, note?: string): Cell[] {
  const kind = `${node.kind} ${node.id}`;
  const since = node.haltStartedAt ?? node.startedAt;
  const age = formatDuration(now - since);
  const details = [
    ...(note ? [paint("gray", note)] : []),
    ...(node.haltReason ? [paint("yellow", node.haltReason.message)] : []),
    ...(node.dropped ? [paint("gray", `${node.dropped} queued dropped`)] : []),
    ...(node.restarts
      ? [paint("yellow", node.restarts === 1 ? "1 restart" : `${node.restarts} restarts`)]
      : []),
    ...(node.waitingFor ? [paint("yellow", `waiting for ${node.waitingFor}`)] : []),
  ];
  return [
    cell(kind, paint("gray", kind)),
    cell(node.state, paint(stateStyle[node.state], node.state)),
    cell(age, age, true),
    cell("", details.join(paint("gray", ", "))),
  ];
}

/** A held process or worker thread: `process 4242` (its pid) or `worker 3` (its thread id), state, age, what runs. */
function processColumns(held: ProcessInfo, now: number, paint: Paint): Cell[] {
  const kind = held.kind === "process" ? `process ${held.pid}` : `worker ${held.threadId}`;
  const age = formatDuration(now - (held.haltStartedAt ?? held.startedAt));
  const state = held.state === "running" ? paint("green", held.state) : paint("yellow", held.state);
  return [
    cell(kind, paint("gray", kind)),
    cell(held.state, state),
    cell(age, age, true),
    cell("", held.kind === "process" ? held.command : held.module),
  ];
}

/** Pads every column but the last to its widest cell; two spaces between columns. */
function layout(rows: readonly Row[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    if ("line" in row) continue;
    row.cells.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.plain.length);
    });
  }
  return rows
    .map((row) => {
      if ("line" in row) return row.line;
      const last = row.cells.length - 1;
      return row.cells
        .map((c, i) => {
          if (i === last) return c.text;
          const pad = " ".repeat((widths[i] ?? 0) - c.plain.length);
          return c.right ? pad + c.text : c.text + pad;
        })
        .join("  ")
        .trimEnd();
    })
    .join("\n");
}
