import { readdirSync, readFileSync } from "node:fs";

/**
 * A child started by `exec()` leads a process group of its own (`detached:
 * true` makes it call setsid()), so one signal reaches the child and
 * everything it started that stayed in the group: a shell's commands, a
 * build tool's compilers.
 */

/** Sends `signal` to every process of the group `pgid`; a group that is gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/**
 * Is any process of the group still running? `kill(-pgid, 0)` also counts
 * zombies: processes that ended but that nobody reaped, which is what a
 * killed grandchild becomes when its parent is gone and PID 1 does not reap
 * (a minimal container init). On Linux /proc tells them apart, so a
 * teardown does not wait on the dead.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  if (process.platform !== "linux") return true;
  return livingMembers(pgid).length > 0;
}

/** The pids of the group's processes that are not zombies (Linux, from /proc). */
export function livingMembers(pgid: number): number[] {
  const living: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // it ended while we looked
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = fields[0];
    if (Number(fields[2]) === pgid && state !== "Z" && state !== "X") living.push(Number(entry));
  }
  return living;
}
