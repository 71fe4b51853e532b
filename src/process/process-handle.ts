import type { Readable, Writable } from "node:stream";
import type { Operation } from "effection";

/**
 * How a process ended: its exit code, or the signal that killed it (the
 * other one is `null`), as Node's `'exit'` event reports them.
 *
 * @example
 * ```ts
 * import type { ExitStatus } from "unwind/process";
 *
 * const ok = (status: ExitStatus) => status.code === 0;
 * ```
 */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * An OS process started by `exec()`, owned by the task (or group body)
 * that started it: when that owner ends, however it ends, the process and
 * everything it started in its process group are stopped and the owner's
 * teardown waits until they are gone.
 *
 * @example
 * ```ts
 * import { main } from "unwind";
 * import { exec } from "unwind/process";
 *
 * await main(function* () {
 *   const git = yield* exec("git", ["rev-parse", "HEAD"], { stdio: ["ignore", "pipe", "pipe"] });
 *   let head = "";
 *   git.stdout?.on("data", (chunk) => (head += chunk));
 *   yield* git.expect(); // throws a ProcessError on a non-zero exit
 *   console.log(`pid ${git.pid} printed ${head.trim()}`);
 * });
 * ```
 */
export interface Process {
  /** The OS process id; also the id of the process group it leads. */
  readonly pid: number;
  /** The command line, for messages. */
  readonly command: string;
  /** Its path in the task tree: the owner's path and its name (`main/build/tsc`). */
  readonly path: string;
  /** Its stdin, when piped (the default). */
  readonly stdin: Writable | null;
  /** Its stdout, when piped (the default). Read it, or a chatty process blocks once the pipe is full. */
  readonly stdout: Readable | null;
  /**
   * Its stderr, when piped (the default). unwind reads it as it comes to
   * keep the last lines for `ProcessError`: attach your own `'data'`
   * listener (or pipe it) right after `exec()` returns to see all of it.
   */
  readonly stderr: Readable | null;
  /** How it ended, once it has; `undefined` while it runs. */
  readonly exitStatus: ExitStatus | undefined;
  /**
   * Waits until the process has exited and its stdout and stderr are
   * closed (Node's `'close'`), and returns how it ended, whatever the code.
   * A background child that keeps the process's stdout open keeps this
   * waiting, as it would keep a shell pipeline waiting.
   */
  join(): Operation<ExitStatus>;
  /** Like `join()`, but throws a `ProcessError` unless the process exited with code 0. */
  expect(): Operation<ExitStatus>;
}
