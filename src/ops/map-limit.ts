import { type Operation, until } from "effection";
import { checkMapLimit } from "../core/arguments.ts";
import { internalGroup } from "../core/group.ts";
import { GroupError } from "../core/group-error.ts";
import { onTeardown } from "../core/on-teardown.ts";
import { isPromiseLike } from "../core/promise-like.ts";
import type { TaskFailure } from "../core/types.ts";

/**
 * One job of `mapLimit`: a promise, or an operation.
 *
 * @example
 * ```ts
 * import type { Job } from "unwind";
 * import { sleep } from "effection";
 *
 * const asPromise: Job<number> = Promise.resolve(1);
 * const asOperation: Job<void> = sleep(10);
 * ```
 */
export type Job<R> = PromiseLike<R> | Operation<R>;

/**
 * Runs `fn` for every item with at most `limit` jobs at a time, and returns
 * the results in the order of the items (like `Promise.all`, bounded like
 * p-limit or errgroup's `SetLimit`).
 *
 * Jobs are not tasks: `limit` lanes of plain promise code take the items one
 * after another, so a promise job costs about what it costs in p-limit. A
 * job that returns an operation runs as a task of the group, named
 * `job-<index>`.
 *
 * Structured all the same: the first failure stops the lanes, aborts the
 * `signal` passed to the running jobs (pass it on to `fetch`, a driver...),
 * halts the running operation jobs, waits for every running job to settle,
 * and throws a `GroupError` with every failure tagged `.../job-<index>`.
 * Halting the caller does the same without the error. No job starts after
 * either.
 *
 * @param items The items: an array or any iterable.
 * @param limit How many jobs may run at once: an integer >= 1.
 * @param fn Makes the job of one item: a promise (an async function is fine
 *   here) or an operation. `signal` aborts when the jobs must stop.
 * @returns An operation with the results, in the order of the items.
 * @throws A `GroupError` with every job's failure, tagged `.../job-<index>`.
 *
 * @example
 * ```ts
 * import { main, mapLimit } from "unwind";
 *
 * await main(function* () {
 *   const urls = ["https://example.com/a", "https://example.com/b"];
 *   const statuses = yield* mapLimit(urls, 8, async (url, _index, signal) => (await fetch(url, { signal })).status);
 *   console.log(statuses);
 * });
 * ```
 */
export function mapLimit<T, R>(
  items: Iterable<T> | ArrayLike<T>,
  limit: number,
  fn: (item: T, index: number, signal: AbortSignal) => Job<R>,
): Operation<R[]> {
  checkMapLimit(items, limit, fn);
  const list = Array.from(items);
  return internalGroup(function* (g) {
    const results = new Array<R>(list.length);
    const failures: TaskFailure[] = [];
    const stop = new AbortController();
    let next = 0;

    const lane = async () => {
      while (next < list.length && !stop.signal.aborted) {
        const index = next++;
        let operationJob = false;
        try {
          const job = fn(list[index] as T, index, stop.signal);
          if (isPromiseLike<R>(job)) {
            results[index] = await job;
          } else {
            operationJob = true;
            const task = g.spawn(() => job, { name: `job-${index}` });
            await new Promise<void>((resolve) => task.onSettled(resolve));
            results[index] = task.result();
          }
        } catch (error) {
          // A failed operation job already failed the group, with its path.
          if (!operationJob) failures.push({ path: `${g.path}/job-${index}`, phase: "run", error });
          stop.abort(error);
        }
      }
    };
    const lanes = Promise.all(Array.from({ length: Math.min(limit, list.length) }, lane));
    // Runs after the group's children: no job may outlive the group.
    yield* onTeardown(() => lanes.then(() => {}));
    let finished = false;
    try {
      yield* until(lanes);
      finished = true;
    } finally {
      // Halted: tell the running jobs to stop; start no more.
      if (!finished) stop.abort(new Error(`mapLimit in ${g.path} was halted`));
    }
    if (failures.length > 0) throw new GroupError(g.path, failures);
    return results;
  });
}
