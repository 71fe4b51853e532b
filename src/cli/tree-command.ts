import { basename } from "node:path";
import { colorsFor, painter } from "../observe/colors.ts";
import { formatDuration, formatTree } from "../observe/tree-printer.ts";
import type { ProcessSnapshot } from "../program/inspect-socket.ts";
import { askProgram, CannotInspect, inspectablePrograms } from "./ask-program.ts";

export const treeUsage = `Usage: unwind tree <pid> [--json] [--timeout <ms>]

Prints the live task tree of a running program started with unwind's main(),
like \`python -m asyncio pstree\`: every group and task with its id, state,
how long it has been in that state, and why it is being torn down.

Only your own programs can be inspected. Nothing is sent to a process before
it is known to be an unwind program (by its private socket, named by its pid
and start time); a program started with main({ inspect: false }) has none.

Options:
  --json          print the snapshot as JSON, for tools
  --timeout <ms>  how long to wait for the program to answer (default 5000)`;

/** What `unwind tree` prints, and its exit status. */
export interface CommandResult {
  readonly code: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

/** `unwind tree <pid> [--json] [--timeout <ms>]`, with its arguments already parsed. */
export async function treeCommand(
  pidText: string | undefined,
  options: { json: boolean; timeout: string | undefined },
): Promise<CommandResult> {
  if (pidText === undefined) return { code: 2, stderr: `${treeUsage}\n\n${listPrograms()}` };
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    return { code: 2, stderr: `unwind tree: the pid must be a positive integer, got "${pidText}"` };
  }
  const timeout = Number(options.timeout ?? 5000);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    return {
      code: 2,
      stderr: `unwind tree: --timeout must be a number of milliseconds > 0, got "${options.timeout}"`,
    };
  }
  let snapshot: ProcessSnapshot;
  try {
    snapshot = await askProgram(pid, timeout);
  } catch (error) {
    if (error instanceof CannotInspect) return { code: 1, stderr: error.message };
    throw error;
  }
  if (options.json) return { code: 0, stdout: JSON.stringify(snapshot, null, 2) };
  return { code: 0, stdout: formatSnapshot(snapshot, colorsFor(process.stdout)) };
}

/** A title line (pid, command, uptime, shutdown phase), then the tree. */
export function formatSnapshot(snapshot: ProcessSnapshot, color: boolean): string {
  const paint = painter(color);
  const [node, ...args] = snapshot.argv;
  const command = [node === undefined ? "" : basename(node), ...args].join(" ");
  const shutdown =
    snapshot.phase === "running" ? "" : `  ${paint("yellow", `shutting down: ${snapshot.phase}`)}`;
  const title = `${paint("bold", `pid ${snapshot.pid}`)}  ${command}  ${paint("gray", `up ${formatDuration(snapshot.uptime)}`)}${shutdown}`;
  const tree = snapshot.tree
    ? formatTree(snapshot.tree, { now: snapshot.takenAt, color })
    : "(the root group has not started yet)";
  return `${title}\n${tree}`;
}

function listPrograms(): string {
  const programs = inspectablePrograms();
  if (programs.length === 0) return "No unwind program of yours is running now.";
  return ["Unwind programs of yours running now:", ...programs.map((p) => `  ${p.pid}  ${p.command}`)].join(
    "\n",
  );
}
