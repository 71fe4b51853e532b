import { addFailure, GroupError } from "../core/group-error.ts";
import type { TaskFailure, TreeNode, TreeRoot } from "../core/types.ts";
import { colorsFor, painter } from "./colors.ts";
import type { TaskTree } from "./inspect.ts";
import {
  formatTeardownProgress,
  suggestedTeardownTimeout,
  type TeardownProgress,
  teardownProgress,
} from "./teardown-progress.ts";
import { formatOpenTasks } from "./tree-printer.ts";

/**
 * Lines that name every task still open when teardown was cut short, with
 * its state and for how long it has been in it, deepest first: the tasks at
 * the top are the ones holding everything else up. Coloured when standard
 * error wants colour (see `colorsFor`).
 */
export function formatStuckReport(
  tree: TaskTree | undefined,
  why: string,
  now: number = Date.now(),
  color: boolean = colorsFor(process.stderr),
): string {
  const paint = painter(color);
  return [paint("bold", `unwind: ${why}; still open:`), ...formatOpenTasks(tree, now, paint)].join("\n");
}

/**
 * What `main()` prints, and keeps in its outcome, when it gives up on a
 * teardown: the stuck report, then every error raised until then. Those
 * errors still sit in the groups that were tearing down (a group hands its
 * errors up only when it ends), so they would go down with the process.
 */
export function abandonedTeardown(
  owner: TreeRoot,
  stuck: TaskTree | undefined,
  why: string,
  now: number = Date.now(),
  color: boolean = colorsFor(process.stderr),
  deadlineHit = false,
): AbandonedTeardown {
  // How far each group got, and whether more time or the other order
  // would have let it finish: after the open tasks, before the errors.
  const progress = teardownProgress(stuck, now);
  const spentMs = stuck?.haltStartedAt !== undefined ? now - stuck.haltStartedAt : 0;
  const suggested = deadlineHit ? suggestedTeardownTimeout(progress, spentMs) : undefined;
  const report = [
    formatStuckReport(stuck, why, now, color),
    ...formatTeardownProgress(progress, spentMs, deadlineHit, painter(color)),
  ].join("\n");
  const failures = failuresSoFar(owner);
  const found = { progress, ...(suggested !== undefined ? { suggestedTeardownTimeout: suggested } : {}) };
  if (failures.length === 0) return { text: report, error: undefined, ...found };
  const title = "errors raised before the teardown was abandoned";
  return {
    text: `${report}\n${formatFailures(failures, title)}`,
    error: new GroupError(owner.group?.path ?? "", failures),
    ...found,
  };
}

/** What `abandonedTeardown` found: the text to print, the errors, and how far the teardown got. */
export interface AbandonedTeardown {
  readonly text: string;
  readonly error: GroupError | undefined;
  readonly progress: readonly TeardownProgress[];
  readonly suggestedTeardownTimeout?: number;
}

/** Every failure recorded in the live tree under `owner` and by `owner` itself, each once. */
export function failuresSoFar(owner: TreeRoot): TaskFailure[] {
  const failures: TaskFailure[] = [];
  const visit = (node: TreeNode) => {
    for (const failure of node.failures ?? []) addFailure(failures, failure);
    for (const task of node.tasks ?? []) visit(task);
    for (const group of node.groups ?? []) visit(group);
  };
  if (owner.group) visit(owner.group);
  for (const failure of owner.failures) addFailure(failures, failure);
  return failures;
}

/** Prints every failure once: path, phase, and the error with its stack and causes. */
export function formatFailures(failures: readonly TaskFailure[], title: string): string {
  const lines = [`unwind: ${title}`];
  for (const failure of failures) {
    const origin = failure.origin
      ? `, ${failure.origin}`
      : failure.reason
        ? `, ${failure.reason.message}`
        : "";
    lines.push(`  ✗ ${failure.path || "(root)"} (${failure.phase}${origin}):`);
    lines.push(indent(describeError(failure.error), "      "));
  }
  return lines.join("\n");
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let text = error.stack ?? `${error.name}: ${error.message}`;
  let cause = error.cause;
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    text += `\ncaused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return text;
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => prefix + line)
    .join("\n");
}

export function failuresOf(error: unknown, path: string): readonly TaskFailure[] {
  return error instanceof GroupError ? error.failures : [{ path, phase: "run", error }];
}
