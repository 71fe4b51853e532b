/**
 * unwind/process: work beyond this thread, owned like any task. `exec()`
 * starts an OS process that is stopped (its whole process group, signal
 * then SIGKILL) when its owner ends, and never outlives the program, even
 * when Node is killed; `worker()` runs a worker thread whose own `main()`
 * sees the parent's halt as SIGTERM; `workerPool()` spreads CPU jobs over
 * a fixed set of workers, and `serveJobs()` answers them in each worker.
 * `cluster()` runs a program in several worker processes (node:cluster)
 * under the primary's `main()`: shutdown requests reach every worker,
 * crashed workers are restarted, a reload replaces them one at a time.
 *
 * @module unwind/process
 */
export { type Cluster, type ClusterOptions, cluster } from "./cluster.ts";
export { ClusterWorkerError } from "./cluster-error.ts";
export { type ExecOptions, exec, type StdioMode } from "./exec.ts";
export { ProcessError } from "./process-error.ts";
export type { ExitStatus, Process } from "./process-handle.ts";
export { type JobHandler, serveJobs } from "./serve-jobs.ts";
export { type WorkerHandle, type WorkerOptions, worker } from "./worker.ts";
export { WorkerError } from "./worker-error.ts";
export { type WorkerPool, type WorkerPoolOptions, workerPool } from "./worker-pool.ts";
