import { readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import {
  inspectDirectory,
  parseSocketName,
  processStartTime,
  socketName,
} from "../program/inspect-address.ts";
import type { ProcessSnapshot } from "../program/inspect-socket.ts";

/** Why a program could not be inspected: printed as it is, exit status 1. */
export class CannotInspect extends Error {
  override name = "CannotInspect";
}

/**
 * Asks the `main()` running as `pid` for its snapshot.
 *
 * Order matters: first what the operating system says about `pid` (is it
 * running, is it ours), then whether it has an unwind socket under its pid
 * *and start time* in this user's private directory; only then is anything
 * sent to it, and only through that socket. A process that is not an unwind
 * program is never connected to, signalled or otherwise disturbed.
 */
export async function askProgram(pid: number, timeoutMs: number): Promise<ProcessSnapshot> {
  const directory = inspectDirectory(false);
  if (directory && "problem" in directory) throw new CannotInspect(`unwind tree: ${directory.problem}`);
  if (directory) removeStaleSockets(directory.path);
  checkProcess(pid);
  const startTime = processStartTime(pid);
  const path = directory && join(directory.path, socketName(pid, startTime));
  if (!path || !exists(path)) {
    throw new CannotInspect(
      `unwind tree: process ${pid}${describe(pid)} is not an unwind program (it has no unwind socket).\n` +
        "Only a program started with unwind's main() answers, once main() has started, " +
        "unless it passed { inspect: false }.",
    );
  }
  return request(pid, path, timeoutMs);
}

/** The unwind programs of this user that can be inspected now: pid and command line. */
export function inspectablePrograms(): { pid: number; command: string }[] {
  const directory = inspectDirectory(false);
  if (!directory || "problem" in directory) return [];
  removeStaleSockets(directory.path);
  return readdirSync(directory.path)
    .map(parseSocketName)
    .filter((parsed) => parsed !== undefined)
    .map(({ pid }) => ({ pid, command: commandLine(pid) ?? "" }))
    .sort((a, b) => a.pid - b.pid);
}

/** Throws unless `pid` is a running process of this user. Reads /proc; elsewhere, `kill(pid, 0)` (which delivers nothing). */
function checkProcess(pid: number): void {
  const notRunning = new CannotInspect(`unwind tree: no process ${pid} is running`);
  const notOurs = new CannotInspect(
    `unwind tree: process ${pid} belongs to another user; unwind tree inspects only your own programs`,
  );
  if (exists("/proc/self/stat")) {
    let owner: number;
    try {
      owner = statSync(`/proc/${pid}`).uid;
    } catch {
      throw notRunning;
    }
    if (owner !== process.getuid?.()) throw notOurs;
    return;
  }
  try {
    process.kill(pid, 0);
  } catch (error) {
    throw (error as NodeJS.ErrnoException).code === "EPERM" ? notOurs : notRunning;
  }
}

/** Sockets left behind by programs that are gone (killed with SIGKILL, say): their pid now has another start time, or no process. */
function removeStaleSockets(directory: string): void {
  for (const name of readdirSync(directory)) {
    const parsed = parseSocketName(name);
    if (!parsed || parsed.startTime === undefined) continue;
    if (processStartTime(parsed.pid) === parsed.startTime) continue;
    try {
      unlinkSync(join(directory, name));
    } catch {
      // Removed meanwhile by its program or another unwind tree.
    }
  }
}

function request(pid: number, path: string, timeoutMs: number): Promise<ProcessSnapshot> {
  return new Promise((resolve, reject) => {
    let text = "";
    const socket = createConnection(path);
    socket.setEncoding("utf8");
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(
        new CannotInspect(
          `unwind tree: process ${pid} did not answer within ${timeoutMs} ms: its event loop may be ` +
            "blocked by synchronous work (try again, or a longer --timeout)",
        ),
      );
    });
    socket.on("data", (chunk: string) => {
      text += chunk;
    });
    socket.on("end", () => {
      try {
        resolve(JSON.parse(text) as ProcessSnapshot);
      } catch {
        reject(new CannotInspect(`unwind tree: process ${pid} answered something that is not a snapshot`));
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED" || error.code === "ENOENT") {
        // Nobody listens any more: its main() has just ended.
        if (error.code === "ECONNREFUSED") removeQuietly(path);
        reject(new CannotInspect(`unwind tree: process ${pid} no longer answers (its main() has ended)`));
      } else {
        reject(new CannotInspect(`unwind tree: cannot reach process ${pid}: ${error.message}`));
      }
    });
  });
}

function describe(pid: number): string {
  const command = commandLine(pid);
  return command ? ` (${command})` : "";
}

/** The command line of `pid`, where /proc has it; a long one keeps its start and its end (the script). */
function commandLine(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    return text.length > 100 ? `${text.slice(0, 40)}...${text.slice(-57)}` : text;
  } catch {
    return undefined;
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
