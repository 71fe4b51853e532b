import { join } from "node:path";
import type { TaskTree } from "../observe/inspect.ts";
import { inspectDirectory, processStartTime, socketName } from "./inspect-address.ts";
import type { ShutdownPhase } from "./shutdown-ladder.ts";

/**
 * What `unwind tree <pid>` receives from a running `main()` (and prints as
 * it is with `--json`): one snapshot of the process and its task tree.
 */
export interface ProcessSnapshot {
  /** The format of this object; a change that breaks readers raises it. */
  readonly version: 1;
  readonly pid: number;
  readonly argv: readonly string[];
  /** When the snapshot was taken, in ms since the epoch: the tree's ages count to it. */
  readonly takenAt: number;
  /** Milliseconds since the process started. */
  readonly uptime: number;
  /** Where `main()` is in its shutdown: `running`, `delaying`, `draining`, `tearing-down`, `abandoned`. */
  readonly phase: ShutdownPhase;
  /** The root group and everything under it; absent before the root group exists. */
  readonly tree?: TaskTree;
}

/** What `main()` knows and the process does not. */
export interface ProgramState {
  readonly tree: TaskTree | undefined;
  readonly phase: ShutdownPhase;
}

const nothingToUndo = () => {};

/**
 * Lets `unwind tree <pid>` see this program: listens on this process's
 * socket (see inspect-address.ts) and answers each connection with one
 * `ProcessSnapshot` as a line of JSON. Returns the function that stops
 * listening and removes the socket.
 *
 * Nothing is paid until someone asks: one idle handle, unref()'d so that it
 * never keeps the program alive. The socket exists when this returns (a
 * Unix socket is bound at once), so the body of main() can be inspected
 * from its first line. If the socket cannot be made (a directory another
 * user prepared, a path too long for a socket), the program runs as it
 * would have, with a warning that says why it cannot be inspected.
 */
export function serveInspection(state: () => ProgramState): () => void {
  if (process.platform === "win32") return nothingToUndo; // no per-user socket directory there yet
  const directory = inspectDirectory(true);
  if (!directory || "problem" in directory) {
    warn(directory?.problem ?? "its directory vanished");
    return nothingToUndo;
  }
  const path = join(directory.path, socketName(process.pid, processStartTime(process.pid)));
  // A socket's path has room for 103 bytes on macOS (107 on Linux); a longer
  // one would be cut short silently, where `unwind tree` would not find it.
  if (Buffer.byteLength(path) > 103) {
    warn(`the path ${path} is too long for a socket (point TMPDIR at a shorter directory)`);
    return nothingToUndo;
  }
  // Fetched here, not imported: node:net loads node:stream, which importing
  // the core entry must not. Most programs have loaded it by now anyway.
  const { createServer } = process.getBuiltinModule("node:net");
  const fs = process.getBuiltinModule("node:fs");
  const server = createServer((socket) => {
    socket.unref();
    socket.on("error", () => {}); // the asker may leave before the answer
    socket.end(`${JSON.stringify(snapshotOf(state()))}\n`);
  });
  server.unref();
  server.on("error", (error: NodeJS.ErrnoException) => {
    // Another main() of this same process answers there already.
    if (error.code !== "EADDRINUSE") warn(`cannot listen on ${path}: ${error.message}`);
  });
  server.listen(path);
  if (!server.listening) return nothingToUndo;
  fs.chmodSync(path, 0o600);
  return () => {
    server.close(); // removes the socket file, at once
    fs.rmSync(path, { force: true });
  };
}

function snapshotOf({ tree, phase }: ProgramState): ProcessSnapshot {
  return {
    version: 1,
    pid: process.pid,
    argv: process.argv,
    takenAt: Date.now(),
    uptime: Math.round(process.uptime() * 1000),
    phase,
    ...(tree ? { tree } : {}),
  };
}

function warn(problem: string): void {
  process.emitWarning(
    `unwind tree cannot inspect this program: ${problem}. (main({ inspect: false }) turns inspection off.)`,
    { code: "UNWIND_INSPECT" },
  );
}
