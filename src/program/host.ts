import type { ColorTarget } from "../observe/colors.ts";
import { leaveCluster } from "./cluster-exit.ts";
import { isClusterWorker } from "./cluster-membership.ts";
import { type ProgramState, serveInspection } from "./inspect-socket.ts";
import { onParentHalt, type WorkerEnding } from "./parent-port.ts";

/** Where a program's signals and the process's uncaught errors come from: `process`, or a stand-in. */
export interface HostEvents {
  on(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
  off(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
}

/** Where `main()` writes its reports: standard error, or a stand-in. */
export interface HostStream extends ColorTarget {
  write(text: string): unknown;
}

/**
 * Everything `main()` takes from the process it runs in: where signals and
 * uncaught errors come from, what keeps it alive, where it writes, how it
 * exits, the inspection socket and the parent thread of a worker. The real
 * process is the default; "unwind/testing" runs a program in-process with
 * a stand-in, so that a test sends it signals, reads what it printed and
 * sees how it would have exited, without touching the test's own process.
 * Not exported from the package.
 */
export interface ProgramHost {
  readonly events: HostEvents;
  /** Keeps the host alive until the returned function is called. */
  keepAlive(): () => void;
  readonly stderr: HostStream;
  exit(code: number): void;
  /** Lets `unwind tree <pid>` see the program; returns the removal. */
  serveInspection(state: () => ProgramState): () => void;
  /** In a worker thread started by `worker()`: the parent's halt request (see parent-port.ts). */
  onParentHalt(listener: () => void): (ending?: WorkerEnding) => void;
}

/** The process itself. */
export const processHost: ProgramHost = {
  events: process,
  keepAlive() {
    // An effection task waiting on `suspend()` holds no handle of its own:
    // with nothing else pending, Node would exit (code 13, an unsettled
    // top-level await) under a root that is still running, e.g. one
    // waiting for a signal.
    const timer = setInterval(() => {}, 2 ** 31 - 1);
    return () => clearInterval(timer);
  },
  // A getter: process.stderr is made on first use, and making it loads
  // node:stream, which importing the core entry must not.
  get stderr(): HostStream {
    return process.stderr;
  },
  exit(code) {
    // A worker of cluster() first reads every connection still on its way
    // to it, which node:cluster then gives to another worker.
    if (isClusterWorker()) void leaveCluster().then(() => process.exit(code));
    else process.exit(code);
  },
  serveInspection,
  onParentHalt,
};
