import type { Paint } from "./colors.ts";
import type { TaskTree } from "./inspect.ts";

/**
 * How far one group had got in tearing its children down when `main()`
 * gave up on the teardown, measured on the clock the rest of unwind uses
 * (`Date.now()`, virtual under `testMain({ virtualClock: true })`). The
 * stuck report prints it; a `teardown-incomplete` outcome keeps it.
 *
 * A `serial` group (the default) halts its children one at a time, newest
 * first: it is listed when children still wait their turn, with the
 * average time per child so far and an estimate of the time it still
 * needed. A `concurrent` group halts them all at once: it is listed when
 * some are still in their teardown, and nothing is estimated (they run
 * side by side, and how long the rest take is not known).
 *
 * @example
 * ```ts
 * import { main, type TeardownProgress } from "unwind";
 *
 * const outcome = await main(function* () {}, { exit: false, teardownTimeout: 1_000 });
 * if (outcome.status === "teardown-incomplete") {
 *   const waiting = (p: TeardownProgress) => p.order === "serial" && p.waiting > 0;
 *   for (const p of outcome.progress.filter(waiting)) {
 *     console.error(`${p.path}: ${p.waiting} children left, about ${p.remainingMs ?? "?"} ms more`);
 *   }
 * }
 * ```
 */
export interface TeardownProgress {
  /** The group's path. */
  readonly path: string;
  readonly order: "serial" | "concurrent";
  /** How many children it had to halt when the teardown of its children began. */
  readonly children: number;
  /** Of those, how many were torn down (halted, every cleanup run). */
  readonly tornDown: number;
  /** Ms from the start of its children's teardown to the end of the last one torn down (0 if none). */
  readonly tornDownMs: number;
  /** Ms from the start of its children's teardown to the report. */
  readonly elapsedMs: number;
  /** The longest teardown of one child so far, in ms. */
  readonly slowestMs: number;
  /** The children still in their teardown, with the ms each has spent in it. */
  readonly inTeardown: readonly { readonly path: string; readonly ms: number }[];
  /** Serial: children whose halt had not started: they wait their turn. 0 for concurrent. */
  readonly waiting: number;
  /** Serial, once a child has been torn down: `tornDownMs / tornDown`. */
  readonly averageMs?: number;
  /**
   * Serial: the ms it still needed, at the average so far: the average for
   * each child waiting, and what the average leaves of the teardown in
   * progress. Left out when no child had finished, or when one looks stuck.
   */
  readonly remainingMs?: number;
  /**
   * Serial: the path of the child in its teardown when it had taken more
   * than `STUCK_FACTOR` (10) times the slowest one before it: it looks
   * stuck rather than slow, and no deadline or order would help it.
   */
  readonly looksStuck?: string;
}

/** A child whose teardown takes more than this many times the slowest before it looks stuck, not slow. */
export const STUCK_FACTOR = 10;

/** An estimate and a tenth, in tenths: what a suggested `teardownTimeout` adds to spare. */
const MARGIN_TENTHS = 11;

/**
 * The progress of every group of `tree` that was still tearing children
 * down at `now`: serial groups with children waiting their turn,
 * concurrent groups with children still in their teardown. Deepest first,
 * like the stuck report.
 */
export function teardownProgress(tree: TaskTree | undefined, now: number): TeardownProgress[] {
  const found: TeardownProgress[] = [];
  const walk = (node: TaskTree) => {
    for (const child of node.children) walk(child);
    const progress = progressOf(node, now);
    if (progress) found.push(progress);
  };
  if (tree) walk(tree);
  return found;
}

function progressOf(node: TaskTree, now: number): TeardownProgress | undefined {
  const teardown = node.childTeardown;
  if (node.kind !== "group" || !teardown) return undefined;
  const tasks = node.children.filter((child) => child.kind === "task");
  const inTeardown = tasks
    .filter((child) => child.state === "halting")
    .map((child) => ({ path: child.path, ms: now - (child.haltStartedAt ?? now) }));
  const waiting =
    teardown.order === "serial"
      ? tasks.filter((child) => child.state === "running" || child.state === "queued").length
      : 0;
  if (teardown.order === "serial" ? waiting === 0 : inTeardown.length === 0) return undefined;
  const { tornDown, slowestMs } = teardown;
  const tornDownMs = tornDown > 0 ? teardown.lastAt - teardown.startedAt : 0;
  const progress = {
    path: node.path,
    order: teardown.order,
    children: teardown.children,
    tornDown,
    tornDownMs,
    elapsedMs: now - teardown.startedAt,
    slowestMs,
    inTeardown,
    waiting,
  };
  if (teardown.order === "concurrent" || tornDown === 0) return progress;
  const averageMs = tornDownMs / tornDown;
  const stuck = inTeardown.find((child) => child.ms > STUCK_FACTOR * Math.max(slowestMs, 1));
  if (stuck) return { ...progress, averageMs, looksStuck: stuck.path };
  const current = inTeardown.reduce((sum, child) => sum + Math.max(0, averageMs - child.ms), 0);
  return { ...progress, averageMs, remainingMs: Math.round(averageMs * waiting + current) };
}

/**
 * The `teardownTimeout` that would likely have let the teardown finish:
 * the ms already spent on it plus the largest estimate left, and a tenth
 * to spare, rounded up to two significant digits. Undefined without an
 * estimate. With several groups it is a lower bound (a group nested in
 * another makes the outer one wait).
 */
export function suggestedTeardownTimeout(
  progress: readonly TeardownProgress[],
  spentMs: number,
): number | undefined {
  const estimates = progress.flatMap((p) => (p.remainingMs === undefined ? [] : [p.remainingMs]));
  if (estimates.length === 0) return undefined;
  // In tenths, in integers: 5000 * 1.1 is 5500.000000000001 in floating point.
  return roundUp(Math.ceil(((spentMs + Math.max(...estimates)) * MARGIN_TENTHS) / 10));
}

/**
 * The stuck report's lines on progress: one per group (see
 * `TeardownProgress`), then what would have let the teardown finish.
 * Empty when no group was still tearing children down.
 */
export function formatTeardownProgress(
  progress: readonly TeardownProgress[],
  spentMs: number,
  deadlineHit: boolean,
  paint: Paint,
): string[] {
  if (progress.length === 0) return [];
  const lines = [paint("bold", "unwind: how far each group got with its children's teardown:")];
  for (const p of progress) lines.push(...describe(p));
  const suggested = deadlineHit ? suggestedTeardownTimeout(progress, spentMs) : undefined;
  if (suggested !== undefined) {
    const alone = progress.length === 1 && progress[0]?.remainingMs !== undefined;
    const largest = Math.max(...progress.map((p) => p.remainingMs ?? 0));
    lines.push(
      alone
        ? `  teardownTimeout: ${suggested} would likely have finished (${spentMs} ms spent, about ${about(largest)} ms more, and a tenth to spare).`
        : `  teardownTimeout: at least ${suggested} (${spentMs} ms spent, about ${about(largest)} ms more for the longest estimate above, and a tenth to spare; a group inside another makes the outer one wait).`,
    );
  }
  return lines;
}

function describe(p: TeardownProgress): string[] {
  if (p.order === "concurrent") {
    const paths = listed(p.inTeardown.map((child) => child.path));
    const slowest = p.tornDown > 0 ? `, the slowest in ${p.slowestMs} ms` : "";
    return [
      `  ${p.path}: ${p.tornDown} of ${p.children} children torn down at once (teardown: "concurrent")${slowest}; still in their teardown after ${p.elapsedMs} ms: ${paths}.`,
    ];
  }
  const done =
    p.averageMs === undefined
      ? `none of ${p.children} children torn down yet, in ${p.elapsedMs} ms`
      : `${p.tornDown} of ${p.children} children torn down one by one in ${p.tornDownMs} ms (${decimal(p.averageMs)} ms each, the slowest ${p.slowestMs} ms)`;
  const still = p.inTeardown.map((child) =>
    child.path === p.looksStuck
      ? `${child.path} in its teardown for ${child.ms} ms, more than ${STUCK_FACTOR} times the slowest before it: it looks stuck, and no deadline or order would help it`
      : `${child.path} in its teardown for ${child.ms} ms`,
  );
  const wait = p.waiting === 1 ? "1 waits its turn" : `${p.waiting} wait their turn`;
  const estimate =
    p.remainingMs !== undefined
      ? `: about ${about(p.remainingMs)} ms more`
      : p.averageMs === undefined
        ? ": no estimate before one has finished"
        : "";
  return [
    `  ${p.path}: ${[done, ...still, wait].join("; ")}${estimate}.`,
    `    or with teardown: "concurrent" on ${p.path}, its children would tear down at once, in about the time of the slowest, if they do not depend on each other.`,
  ];
}

function listed(still: readonly string[]): string {
  const shown = still.slice(0, 5).join(", ");
  return still.length > 5 ? `${shown} and ${still.length - 5} more` : shown;
}

/** Up to two decimals, without trailing zeros: `100`, `1.37`. */
function decimal(ms: number): string {
  return String(Math.round(ms * 100) / 100);
}

/** An estimate for people: two significant digits from 100 ms up (`3682` → `3700`). */
function about(ms: number): number {
  if (ms < 100) return Math.round(ms);
  const unit = 10 ** (Math.floor(Math.log10(ms)) - 1);
  return Math.round(ms / unit) * unit;
}

/** Rounded up to two significant digits (`15051` → `16000`). */
function roundUp(ms: number): number {
  if (ms < 100) return Math.ceil(ms);
  const unit = 10 ** (Math.floor(Math.log10(ms)) - 1);
  return Math.ceil(ms / unit) * unit;
}
