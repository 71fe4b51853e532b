import { PROTOCOL, type SentFailure } from "../program/worker-protocol.ts";

/**
 * The messages between a `workerPool()` and `serveJobs()` in its workers
 * (next to the halt and the end of the worker, see worker-protocol.ts).
 * Job ids are unique within a pool.
 */
export type JobRequest =
  | { readonly [PROTOCOL]: "job"; readonly id: number; readonly job: unknown }
  | { readonly [PROTOCOL]: "cancel"; readonly id: number };

export type JobReply =
  | { readonly [PROTOCOL]: "job-done"; readonly id: number; readonly value: unknown }
  | {
      readonly [PROTOCOL]: "job-failed";
      readonly id: number;
      /** The worker's root path, replaced by the worker's path in the parent. */
      readonly root: string;
      readonly failure: SentFailure;
    }
  /** The job's task was halted and its teardown has finished. */
  | { readonly [PROTOCOL]: "job-cancelled"; readonly id: number };
