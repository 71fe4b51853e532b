import type { Stats } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Not `import ... from "node:fs"`: an ES module import of node:fs loads
// node:stream, which importing the core entry must not (main() uses this
// file). The CommonJS module, fetched when needed, loads nothing more.
const fs = () => process.getBuiltinModule("node:fs");

/**
 * Where a running `main()` answers `unwind tree <pid>`: a Unix domain socket
 * in a directory only its user can enter (`<tmpdir>/unwind-<uid>`, 0700),
 * named by the process's pid and start time (`<pid>-<start>.sock`, 0600).
 *
 * The name is the identity check: `unwind tree` connects only to the socket
 * of the process that has that pid *now* (a pid reused by another program
 * has another start time), so it never disturbs a process it has not
 * identified as an unwind program, and it sends no signal at all. Other
 * users cannot enter the directory, so only the program's own user can ask.
 * Where the start time cannot be read (no `/proc`), the name is `<pid>.sock`
 * and a socket nobody listens on any more counts as stale.
 */

/** The per-user directory, or an explanation of why it cannot be used. */
export type InspectDirectory = { readonly path: string } | { readonly problem: string };

/**
 * The private directory of this user's inspection sockets. With `create`,
 * makes it (0700) if it does not exist. Refuses one that another user could
 * have prepared: not a directory (a symlink, say), not owned by this user,
 * or open to group or others.
 */
export function inspectDirectory(create: boolean): InspectDirectory | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return { problem: "this platform has no Unix user ids" };
  const path = join(tmpdir(), `unwind-${uid}`);
  if (create) {
    try {
      fs().mkdirSync(path, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST")
        return { problem: `cannot create ${path}: ${(error as Error).message}` };
    }
  }
  let stat: Stats;
  try {
    stat = fs().lstatSync(path);
  } catch {
    return undefined;
  }
  if (!stat.isDirectory()) return { problem: `${path} is not a directory` };
  if (stat.uid !== uid) return { problem: `${path} belongs to another user (uid ${stat.uid})` };
  if ((stat.mode & 0o077) !== 0) {
    return { problem: `${path} is open to other users (mode ${(stat.mode & 0o777).toString(8)})` };
  }
  return { path };
}

/**
 * When the process `pid` started, in clock ticks since boot (field 22 of
 * `/proc/<pid>/stat`); undefined where there is no `/proc` or no such process.
 */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = fs().readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces and
  // parentheses itself: count the fields from the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[19];
}

/** The socket's file name for a process. */
export function socketName(pid: number, startTime: string | undefined): string {
  return startTime === undefined ? `${pid}.sock` : `${pid}-${startTime}.sock`;
}

/** The pid and start time in a socket's file name, if it is one. */
export function parseSocketName(name: string): { pid: number; startTime: string | undefined } | undefined {
  const match = /^(\d+)(?:-(\d+))?\.sock$/.exec(name);
  if (!match) return undefined;
  return { pid: Number(match[1]), startTime: match[2] };
}
