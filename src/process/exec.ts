import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { basename } from "node:path";
import { type Operation, until, useScope } from "effection";
import { holdProcess } from "../core/held-processes.ts";
import { addTeardown } from "../core/on-teardown.ts";
import { OwnerContext } from "../core/owner.ts";
import type { Owner, TreeGroup } from "../core/types.ts";
import { CLUSTER_WORKER_ENV } from "../program/cluster-membership.ts";
import { checkExec } from "./arguments.ts";
import { ChildNode } from "./child-node.ts";
import type { Process } from "./process-handle.ts";
import { watchdog } from "./watchdog.ts";

/**
 * What a child's stdin, stdout or stderr is connected to: a pipe this
 * process reads or writes (`pipe`), this process's own (`inherit`), or
 * nothing (`ignore`).
 *
 * @example
 * ```ts
 * import type { StdioMode } from "unwind/process";
 *
 * const quiet: [StdioMode, StdioMode, StdioMode] = ["ignore", "ignore", "pipe"];
 * ```
 */
export type StdioMode = "pipe" | "inherit" | "ignore";

/**
 * Options of `exec()`.
 *
 * @example
 * ```ts
 * import type { ExecOptions } from "unwind/process";
 *
 * const options: ExecOptions = {
 *   name: "build",
 *   cwd: "/srv/app",
 *   env: { ...process.env, NODE_ENV: "production" },
 *   stdio: ["ignore", "inherit", "pipe"],
 *   gracePeriod: 10_000,
 *   killSignal: "SIGINT",
 * };
 * ```
 */
export interface ExecOptions {
  /** Its name in the task tree and in errors; default the command's base name. */
  name?: string;
  /** Working directory; default this process's. */
  cwd?: string | URL;
  /**
   * The whole environment of the child (as `child_process.spawn` takes it);
   * default `process.env`. Without `UNWIND_CLUSTER_WORKER` either way: the
   * mark of a `cluster()` worker is this process's, not its children's.
   */
  env?: NodeJS.ProcessEnv;
  /** One mode for stdin, stdout and stderr, or one each. Default `pipe` for all three. */
  stdio?: StdioMode | readonly [StdioMode, StdioMode, StdioMode];
  /** Milliseconds between `killSignal` and SIGKILL when the owner ends. Default 5 000. */
  gracePeriod?: number;
  /** The signal that asks the process group to stop. Default `SIGTERM`. */
  killSignal?: NodeJS.Signals;
}

/**
 * Starts an OS process owned by the current task or group body, and
 * returns its handle as soon as it runs.
 *
 * - **Owned.** When the owner ends (returns, fails, is halted, or the
 *   program gets a signal), unwind sends `killSignal` to the process's
 *   whole process group, waits up to `gracePeriod` ms for the group to be
 *   gone, then sends SIGKILL; the owner's teardown goes on only once no
 *   process of the group is left. A process that exits by itself is simply
 *   gone; a background child it left in its group is stopped with the owner.
 * - **Its own process group.** The child is started with `detached: true`
 *   (a session of its own), so every signal reaches what it started too
 *   (a shell's commands, a build's compilers), and Ctrl-C in a terminal
 *   reaches only this program, whose teardown then stops the child in
 *   order. A child that needs the terminal (an editor, a prompt) does not
 *   fit this model.
 * - **No orphans, even on a crash.** A small watchdog process (one `sh`
 *   per root, not per child) kills every live group if this Node process
 *   dies without a teardown (SIGKILL, a crash): `killSignal`, then SIGKILL
 *   about 0.3 s later. Processes that leave their group (`setsid`,
 *   daemons) are out of reach.
 * - `expect()` turns a non-zero exit into a `ProcessError` with the last
 *   lines of stderr; `join()` returns the exit status whatever it is. A
 *   process nobody joins may exit non-zero without failing anything.
 *
 * Needs process groups: Linux or macOS.
 *
 * @example
 * ```ts
 * import { main } from "unwind";
 * import { exec } from "unwind/process";
 * import { sleep } from "effection";
 *
 * await main(function* (root) {
 *   root.spawn(function* () {
 *     const server = yield* exec("python3", ["-m", "http.server", "8000"], { stdio: "inherit" });
 *     console.log(`serving from pid ${server.pid}`);
 *     yield* server.expect(); // fails the task if the server dies
 *   }, { name: "static" });
 *   yield* sleep(10_000); // then main returns: SIGTERM to the server's group, and it is gone
 * });
 * ```
 */
export function exec(
  command: string,
  args: readonly string[] = [],
  options: ExecOptions = {},
): Operation<Process> {
  checkExec(command, args, options);
  const { gracePeriod = 5000, killSignal = "SIGTERM", stdio = "pipe", cwd, env } = options;
  const name = options.name ?? basename(command);
  const commandLine = [command, ...args].map(quote).join(" ");
  return {
    *[Symbol.iterator]() {
      const scope = yield* useScope();
      const owner = scope.get(OwnerContext);
      const path = owner?.path ? `${owner.path}/${name}` : name;
      leaseForRoot(owner);
      const release = watchdog.lease();
      // From the spawn to the registration of its teardown: synchronous, so
      // no halt can fall between them.
      let child: ChildProcess;
      try {
        child = spawn(command, args, {
          detached: true,
          stdio: typeof stdio === "string" ? stdio : [...stdio],
          ...(cwd === undefined ? {} : { cwd }),
          env: withoutClusterMark(env ?? process.env),
        });
      } catch (error) {
        void release();
        throw error;
      }
      if (child.pid === undefined) {
        void release();
        const [error] = (yield* until(once(child, "error"))) as [Error];
        throw new Error(`exec(): could not start "${commandLine}" in ${path}: ${error.message}`, {
          cause: error,
        });
      }
      watchdog.watch(child.pid, killSignal);
      const node = new ChildNode(child, commandLine, name, path, { gracePeriod, killSignal });
      const removeTeardown = addTeardown(scope, async () => {
        await node.stop();
        await release();
      });
      const detach = owner ? holdProcess(owner, node) : () => {};
      node.onFinish(() => {
        watchdog.unwatch(node.pid);
        removeTeardown();
        detach();
        void release();
      });
      return node;
    },
  };
}

/** Roots that hold a watchdog lease until they end (see watchdog.ts). */
const leasedRoots = new WeakSet<TreeGroup>();

/**
 * The watchdog lives as long as the root that first needed it, so that a
 * program that starts a process now and then pays for one watchdog, not
 * one per process. The root's lease is a cleanup of the root group itself:
 * it runs after everything in the tree, processes included, has gone.
 */
function leaseForRoot(owner: Owner | undefined): void {
  const root = owner?.rootGroup();
  if (!root || leasedRoots.has(root) || root.state !== "running") return;
  const release = watchdog.lease();
  leasedRoots.add(root);
  root.addCleanup(() => release());
}

/** `env` without the mark `cluster()` gives its workers: a child of a worker is no worker. */
function withoutClusterMark(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env[CLUSTER_WORKER_ENV] === undefined) return env;
  const { [CLUSTER_WORKER_ENV]: _mark, ...rest } = env;
  return rest;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg);
}
