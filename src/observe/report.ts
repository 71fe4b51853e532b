import { GroupError, type TaskFailure } from "../core/group-error.ts";
import { processLine, type TaskTree } from "./inspect.ts";

/**
 * Lines that name every task still open when teardown was cut short, with
 * its state and for how long it has been in it, deepest first: the tasks at
 * the top are the ones holding everything else up.
 */
export function formatStuckReport(tree: TaskTree | undefined, why: string, now: number = Date.now()): string {
  const lines = [`unwind: ${why}; still open:`];
  const open: string[] = [];
  const walk = (node: TaskTree, depth: number) => {
    for (const child of node.children) walk(child, depth + 1);
    const seconds = (since: number) => `${((now - since) / 1000).toFixed(2)}s`;
    const why = node.haltReason ? ` (${node.haltReason.message})` : "";
    const state = node.haltStartedAt
      ? `${node.state} for ${seconds(node.haltStartedAt)}${why}`
      : `${node.state} for ${seconds(node.startedAt)} (halt not started)`;
    open.push(`  ${node.path || "(root)"}  ${node.kind}  ${state}`);
    if (node.site) open.push(`      started at ${node.site}`);
    for (const process of node.processes ?? []) open.push(`      holds ${processLine(process, seconds)}`);
  };
  if (tree) walk(tree, 0);
  return [...lines, ...(open.length > 0 ? open : ["  (no task is open)"])].join("\n");
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
