import type { ExitStatus } from "./process-handle.ts";

/**
 * A process started by `exec()` did not exit with code 0: what
 * `expect()` throws. It names the command, the task that started it, how
 * the process ended (exit code or signal), and the last lines of its
 * stderr (when stderr was piped, the default).
 *
 * @example
 * ```ts
 * import { main } from "unwind";
 * import { exec, ProcessError } from "unwind/process";
 *
 * await main(function* () {
 *   const ls = yield* exec("ls", ["/does-not-exist"]);
 *   try {
 *     yield* ls.expect();
 *   } catch (error) {
 *     if (!(error instanceof ProcessError)) throw error;
 *     console.log(error.code, error.stderr); // 2 "ls: cannot access '/does-not-exist': ..."
 *   }
 * });
 * ```
 */
export class ProcessError extends Error {
  override name = "ProcessError";
  /** The command line. */
  readonly command: string;
  /** The process's path in the task tree, such as `main/build/tsc`. */
  readonly path: string;
  readonly pid: number;
  /** The exit code, or `null` if a signal ended the process. */
  readonly code: number | null;
  /** The signal that ended the process, if one did. */
  readonly signal: NodeJS.Signals | null;
  /** The last lines of its stderr (empty when stderr was not piped). */
  readonly stderr: string;

  constructor(details: { command: string; path: string; pid: number; status: ExitStatus; stderr: string }) {
    const { command, path, pid, status, stderr } = details;
    const how = status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
    const tail = stderr
      ? `; the last lines of its stderr:\n${stderr
          .split("\n")
          .map((line) => `    ${line}`)
          .join("\n")}`
      : "";
    super(`${path}: "${command}" (pid ${pid}) ${how}${tail}`);
    this.command = command;
    this.path = path;
    this.pid = pid;
    this.code = status.code;
    this.signal = status.signal;
    this.stderr = stderr;
  }
}
