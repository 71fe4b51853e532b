import { GroupError } from "../core/group-error.ts";
import type { TaskFailure } from "../core/types.ts";

/**
 * A worker thread (`worker()`, a `workerPool()` worker or one of its jobs)
 * failed. A `GroupError` whose failures carry the paths they had in the
 * worker, continued from the worker's own path in this thread: a task
 * `compute` under the worker's `main()` fails as
 * `main/pool/worker-2/compute`. Each error is rebuilt from what the worker
 * sent (name, message, stack, code, causes): its class is not kept.
 *
 * @example
 * ```ts
 * import { main } from "unwind";
 * import { worker, WorkerError } from "unwind/process";
 *
 * await main(function* () {
 *   const resize = yield* worker(new URL("./resize.js", import.meta.url), { name: "resize" });
 *   try {
 *     yield* resize.join();
 *   } catch (error) {
 *     if (!(error instanceof WorkerError)) throw error;
 *     for (const f of error.failures) console.log(f.path, f.phase, String(f.error));
 *     // main/resize/decode run Error: not a PNG file
 *   }
 * });
 * ```
 */
export class WorkerError extends GroupError {
  override name = "WorkerError";
  /** The worker's exit code, if it had exited. */
  readonly exitCode: number | undefined;

  constructor(path: string, failures: readonly TaskFailure[], exitCode?: number) {
    super(path, failures);
    this.exitCode = exitCode;
  }
}
