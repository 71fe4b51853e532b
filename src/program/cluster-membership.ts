/**
 * The environment variable `cluster()` sets for each worker it forks, to
 * the worker's slot name (`worker-1`, ...).
 */
export const CLUSTER_WORKER_ENV = "UNWIND_CLUSTER_WORKER";

/**
 * Is this process a worker forked by unwind's `cluster()`? Read from the
 * environment, with an IPC channel to the primary, so that the core entry
 * never loads `node:cluster` (which loads `node:child_process` and more).
 * (node:cluster's own marker, `NODE_UNIQUE_ID`, is of no use here: Node
 * deletes it from `process.env` while it sets the worker up, before any
 * code of the program runs.)
 */
export function isClusterWorker(): boolean {
  return process.env[CLUSTER_WORKER_ENV] !== undefined && typeof process.send === "function";
}
