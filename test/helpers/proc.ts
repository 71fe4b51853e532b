// Reads /proc (Linux) to find processes that are still running: the
// leftovers a test must not leave behind. Zombies (ended, not yet reaped:
// what an orphan becomes when PID 1 does not reap) do not count.
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";

interface Stat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
}

function stats(): Stat[] {
  const all: Stat[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    const [state = "", ppid, pgrp] = text.slice(text.lastIndexOf(")") + 2).split(" ");
    all.push({ pid: Number(entry), state, ppid: Number(ppid), pgrp: Number(pgrp) });
  }
  return all;
}

const living = (stat: Stat) => stat.state !== "Z" && stat.state !== "X";

/** Running processes in any of the process groups `pgids`. */
export function livingInGroups(pgids: Iterable<number>): number[] {
  const wanted = new Set(pgids);
  return stats()
    .filter((s) => wanted.has(s.pgrp) && living(s))
    .map((s) => s.pid);
}

/**
 * Running children of `pid` (this process by default), except tsx's
 * esbuild service, which tsx starts on a cold cache and keeps for the
 * process's life.
 */
export function livingChildren(pid: number = process.pid): number[] {
  return stats()
    .filter((s) => s.ppid === pid && living(s) && !commandLine(s.pid).includes("esbuild"))
    .map((s) => s.pid);
}

/** Is `pid` running (not ended, not a zombie)? */
export function isLiving(pid: number): boolean {
  return stats().some((s) => s.pid === pid && living(s));
}

/** Polls until no process of `pgids` runs; returns what still runs after `ms`. */
export async function waitUntilGone(pgids: Iterable<number>, ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = livingInGroups(pgids);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await delay(20);
  }
}

/** The command line of `pid`, or "" if it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}
