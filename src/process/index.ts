/**
 * unwind/process: structured concurrency beyond one process. `cluster()`
 * runs a program in several worker processes (node:cluster) under the
 * primary's `main()`: shutdown requests reach every worker, crashed
 * workers are restarted, a reload replaces them one at a time.
 *
 * @module
 */
export { type Cluster, type ClusterOptions, cluster } from "./cluster.ts";
export { ClusterWorkerError } from "./cluster-error.ts";
