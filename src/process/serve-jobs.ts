import { isMainThread, parentPort } from "node:worker_threads";
import { type Operation, suspend, until, useScope } from "effection";
import { internalGroup } from "../core/group.ts";
import { HaltReason } from "../core/halt-reason.ts";
import { onTeardown } from "../core/on-teardown.ts";
import { OwnerContext } from "../core/owner.ts";
import { isPromiseLike } from "../core/promise-like.ts";
import type { ChildTask } from "../core/types.ts";
import { useCancelSignal } from "../ops/use-cancel-signal.ts";
import { isProtocolMessage, PROTOCOL, sendFailure } from "../program/worker-protocol.ts";
import { checkServeJobs } from "./arguments.ts";
import type { JobReply, JobRequest } from "./job-protocol.ts";

/**
 * What a pool worker does with one job: return the result, a promise of
 * it, or an operation (a generator function's generator, or an effection
 * operation such as `call(...)`), which can be halted between its steps.
 * `signal` aborts when the job is cancelled.
 *
 * @example
 * ```ts
 * import type { JobHandler } from "unwind/process";
 * import { sleep } from "effection";
 *
 * const square: JobHandler<number, number> = (n) => n * n;
 * const slowSquare: JobHandler<number, number> = function* (n) {
 *   yield* sleep(100); // a cancelled job stops here
 *   return n * n;
 * };
 * ```
 */
export type JobHandler<Job, Result> = (
  job: Job,
  signal: AbortSignal,
) => Result | PromiseLike<Result> | Operation<Result>;

/**
 * The worker side of `workerPool()`: answers the pool's jobs in this
 * worker thread until the worker is halted. Run it from the worker
 * module's own `main()`, which is where the worker sets up what every job
 * needs (and tears it down, in tree order, when the pool stops it).
 *
 * Each job runs as a task named `job-<id>` (its failures reach the caller
 * of `pool.run()` as a `WorkerError` with the path
 * `main/pool/worker-2/job-7`). A job whose caller is halted is halted here:
 * its cancel signal aborts and its cleanups run. Synchronous CPU work
 * cannot see that before it returns; the pool terminates its thread after
 * its `gracePeriod` and starts a fresh one. Split long work into steps
 * (a generator function that `yield*`s now and then) to be cancellable.
 *
 * @example
 * A worker's module, `fib-worker.ts`, that a program starts (compiled) with
 * `workerPool(new URL("./fib-worker.js", import.meta.url), { size: 4 })`:
 * ```ts
 * import { main } from "unwind";
 * import { serveJobs } from "unwind/process";
 *
 * const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
 *
 * await main(() => serveJobs((n: number) => fib(n)));
 * ```
 */
export function serveJobs<Job>(handler: JobHandler<Job, unknown>): Operation<void> {
  checkServeJobs(handler);
  return {
    *[Symbol.iterator]() {
      const port = parentPort;
      if (isMainThread || !port) {
        throw new Error(
          "serveJobs() answers the jobs of a workerPool(): call it in the worker module, under main()",
        );
      }
      const root = (yield* useScope()).get(OwnerContext)?.rootGroup()?.path ?? "";
      const send = (reply: JobReply) => port.postMessage(reply);
      yield* internalGroup(function* (g) {
        const running = new Map<number, ChildTask<void>>();
        const start = (id: number, job: Job) => {
          const name = `job-${id}`;
          // Not task.path: the body may take its first step inside g.spawn().
          const path = g.path ? `${g.path}/${name}` : name;
          const task = g.spawn(
            function* () {
              yield* onTeardown((reason) => {
                running.delete(id);
                if (reason) send({ [PROTOCOL]: "job-cancelled", id });
              });
              try {
                const value = yield* runJob(handler, job);
                try {
                  send({ [PROTOCOL]: "job-done", id, value });
                } catch (error) {
                  // The result cannot be cloned to the parent (a function, a socket...).
                  throw new Error(`the result of job ${id} cannot be sent to the pool`, { cause: error });
                }
              } catch (error) {
                const failure = sendFailure({ path, phase: "run", error });
                send({ [PROTOCOL]: "job-failed", id, root, failure });
              }
            },
            { name },
          );
          running.set(id, task);
        };
        const onMessage = (message: unknown) => {
          if (!isProtocolMessage(message)) return;
          const request = message as JobRequest;
          if (request[PROTOCOL] === "job") start(request.id, request.job as Job);
          else if (request[PROTOCOL] === "cancel") {
            running.get(request.id)?.haltInBackground(HaltReason.halted(CANCELLED));
          }
        };
        port.on("message", onMessage);
        yield* onTeardown(() => {
          port.off("message", onMessage);
        });
        yield* suspend();
      });
    },
  };
}

const CANCELLED = new Error("the caller of pool.run() was halted");

function* runJob<Job>(handler: JobHandler<Job, unknown>, job: Job): Operation<unknown> {
  const signal = yield* useCancelSignal();
  const result = handler(job, signal);
  if (isPromiseLike(result)) return yield* until(result);
  if (isOperation(result)) return yield* result;
  return result;
}

/**
 * A generator (what a generator function returns), or a plain object with
 * `[Symbol.iterator]` (how effection writes operations). Arrays, maps and
 * other iterable results are results, not operations.
 */
function isOperation<T>(value: unknown): value is Operation<T> {
  if (typeof value !== "object" || value === null || !(Symbol.iterator in value)) return false;
  const isGenerator =
    typeof (value as Generator).next === "function" && typeof (value as Generator).throw === "function";
  return isGenerator || Object.getPrototypeOf(value) === Object.prototype;
}
