import { type Operation, until, useScope, withResolvers } from "effection";
import { internal } from "../core/effection-internals.ts";
import { holdProcess } from "../core/held-processes.ts";
import { addTeardown } from "../core/on-teardown.ts";
import { OwnerContext } from "../core/owner.ts";
import type { Owner, TaskFailure } from "../core/types.ts";
import { PROTOCOL, receiveFailure } from "../program/worker-protocol.ts";
import { checkWorkerPool } from "./arguments.ts";
import type { JobReply, JobRequest } from "./job-protocol.ts";
import { WorkerError } from "./worker-error.ts";
import { WorkerThread } from "./worker-thread.ts";

/**
 * Options of `workerPool()`.
 *
 * @example
 * ```ts
 * import type { WorkerPoolOptions } from "unwind/process";
 * import { availableParallelism } from "node:os";
 *
 * const options: WorkerPoolOptions = { size: availableParallelism(), name: "thumbnails", gracePeriod: 1_000 };
 * ```
 */
export interface WorkerPoolOptions {
  /** How many worker threads (fixed). */
  size: number;
  /** The pool's path segment; its workers are `<name>/worker-1` ... Default `pool`. */
  name?: string;
  /** Every worker's `workerData`. */
  data?: unknown;
  /**
   * Milliseconds a cancelled job, and a worker asked to stop, get before
   * their thread is terminated (a cancelled job's thread is then replaced).
   * Default 5 000.
   */
  gracePeriod?: number;
}

/**
 * A fixed set of worker threads that run jobs: `mapLimit` for CPU work.
 *
 * @example
 * ```ts
 * import { main, mapLimit } from "unwind";
 * import { workerPool, type WorkerPool } from "unwind/process";
 *
 * await main(function* () {
 *   const pool: WorkerPool<number, number> = yield* workerPool<number, number>(
 *     new URL("./fib-worker.js", import.meta.url),
 *     { size: 4 },
 *   );
 *   const results = yield* mapLimit([30, 31, 32, 33, 34, 35], pool.size, (n) => pool.run(n));
 *   console.log(results);
 * });
 * ```
 */
export interface WorkerPool<Job, Result> {
  /** The pool's path, such as `main/pool`. */
  readonly path: string;
  readonly size: number;
  /**
   * Runs `job` on the next free worker (jobs wait in order while all are
   * busy) and returns its result. Halting the caller cancels the job: a
   * queued job never starts; a running one is halted in its worker, and
   * the caller's teardown waits until it has stopped (or its thread has
   * been terminated after `gracePeriod`). A job that fails throws a
   * `WorkerError` with the job's path (`main/pool/worker-2/job-7`).
   */
  run(job: Job): Operation<Result>;
}

/**
 * Starts `size` worker threads running `module`, owned by the current task
 * or group body, and returns the pool once they are started. The module
 * answers jobs with `serveJobs()` under its own `main()`.
 *
 * When the owner ends, jobs still queued are dropped, every worker is
 * asked to stop (its `main()` sees SIGTERM and tears down its jobs and
 * whatever it set up) and terminated after `gracePeriod`; the owner's
 * teardown goes on once every thread has exited. A worker that dies (an
 * uncaught error, `process.exit()`) fails the owner with a `WorkerError`
 * and fails the job it was running.
 *
 * @example
 * The program, `main.ts`, compiled to `main.js` next to `fib-worker.js`:
 * ```ts
 * import { main, mapLimit } from "unwind";
 * import { workerPool } from "unwind/process";
 *
 * await main(function* () {
 *   const pool = yield* workerPool<number, number>(new URL("./fib-worker.js", import.meta.url), { size: 2 });
 *   console.log(yield* mapLimit([25, 26, 27, 28], 2, (n) => pool.run(n)));
 * });
 * ```
 *
 * @example
 * The worker's module, `fib-worker.ts`: its own `main()` answers the jobs.
 * ```ts
 * import { main } from "unwind";
 * import { serveJobs } from "unwind/process";
 *
 * const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
 *
 * await main(() => serveJobs((n: number) => fib(n)));
 * ```
 */
export function workerPool<Job = unknown, Result = unknown>(
  module: URL | string,
  options: WorkerPoolOptions,
): Operation<WorkerPool<Job, Result>> {
  checkWorkerPool(module, options);
  const { size, gracePeriod = 5000, data, name = "pool" } = options;
  return {
    *[Symbol.iterator]() {
      const scope = yield* useScope();
      const owner = scope.get(OwnerContext);
      const path = owner?.path ? `${owner.path}/${name}` : name;
      const pool = new Pool<Job, Result>({ module, name, path, size, data, gracePeriod, owner });
      addTeardown(scope, () => pool.close());
      return pool;
    },
  };
}

interface PoolSettings {
  readonly module: URL | string;
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly data: unknown;
  readonly gracePeriod: number;
  readonly owner: Owner | undefined;
}

interface Slot {
  readonly index: number;
  thread: WorkerThread;
  ticket: Ticket | undefined;
  /** Its worker died by itself (a failure): the slot takes no more jobs. */
  dead: boolean;
}

/** One job on its way through the pool. */
class Ticket {
  state: "queued" | "running" | "ended" = "queued";
  slot: Slot | undefined;
  readonly outcome = withResolvers<unknown>();
  private readonly endWaiters: Array<() => void> = [];

  constructor(
    readonly id: number,
    readonly job: unknown,
  ) {}

  resolve(value: unknown): void {
    if (this.end()) this.outcome.resolve(value);
  }

  reject(error: Error): void {
    if (this.end()) this.outcome.reject(error);
  }

  /** Resolves once the job is no longer queued or running anywhere. */
  ended(): Promise<void> {
    if (this.state === "ended") return Promise.resolve();
    return new Promise((resolve) => this.endWaiters.push(resolve));
  }

  private end(): boolean {
    if (this.state === "ended") return false;
    this.state = "ended";
    if (this.slot?.ticket === this) this.slot.ticket = undefined;
    for (const wake of this.endWaiters.splice(0)) wake();
    return true;
  }
}

class Pool<Job, Result> implements WorkerPool<Job, Result> {
  private readonly slots: Slot[] = [];
  private readonly queue: Ticket[] = [];
  private nextId = 1;
  private closed = false;
  /** Failures of workers, kept for the teardown if nobody has taken them. */
  private readonly failures: TaskFailure[] = [];

  constructor(private readonly settings: PoolSettings) {
    try {
      for (let index = 1; index <= settings.size; index++) {
        const slot: Slot = { index, thread: this.startThread(index), ticket: undefined, dead: false };
        this.watch(slot);
        this.slots.push(slot);
      }
    } catch (error) {
      for (const slot of this.slots) void slot.thread.terminate();
      throw error;
    }
  }

  get path(): string {
    return this.settings.path;
  }

  get size(): number {
    return this.settings.size;
  }

  run(job: Job): Operation<Result> {
    const pool = this;
    return {
      *[Symbol.iterator]() {
        if (pool.closed) throw new Error(`${pool.path}: run() after the pool was closed (its owner ended)`);
        const scope = yield* useScope();
        const ticket = pool.submit(job);
        // If the caller is torn down before the job ends, its teardown
        // cancels the job and waits until it no longer runs. One destructor,
        // taken back when the job ends first (a long-lived caller may run
        // many jobs).
        const unregister = internal(scope).ensure(() => until(pool.cancel(ticket)));
        let ended = false;
        try {
          const value = (yield* ticket.outcome.operation) as Result;
          ended = true;
          return value;
        } catch (error) {
          ended = true;
          throw error;
        } finally {
          if (ended) unregister();
        }
      },
    };
  }

  private startThread(index: number): WorkerThread {
    const { module, name, path, data, owner } = this.settings;
    const thread = new WorkerThread(module, {
      name: `${name}/worker-${index}`,
      path: `${path}/worker-${index}`,
      data,
    });
    const detach = owner ? holdProcess(owner, thread) : () => {};
    thread.onExit(detach);
    return thread;
  }

  private watch(slot: Slot): void {
    const { thread } = slot;
    thread.onProtocolMessage = (message) => this.replied(slot, message as JobReply);
    thread.onExit(() => this.exited(slot, thread));
  }

  private submit(job: Job): Ticket {
    const ticket = new Ticket(this.nextId++, job);
    this.queue.push(ticket);
    this.dispatch();
    return ticket;
  }

  private dispatch(): void {
    if (this.slots.every((slot) => slot.dead)) {
      const error = new Error(`${this.path}: every worker of the pool has died`);
      for (const ticket of this.queue.splice(0)) ticket.reject(error);
      return;
    }
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.dead || slot.ticket || slot.thread.exitCode !== undefined || slot.thread.stopped) continue;
      const ticket = this.queue.shift() as Ticket;
      const request: JobRequest = { [PROTOCOL]: "job", id: ticket.id, job: ticket.job };
      try {
        slot.thread.worker.postMessage(request);
      } catch (error) {
        ticket.reject(
          new Error(`${this.path}: job ${ticket.id} cannot be sent to a worker`, { cause: error }),
        );
        continue;
      }
      ticket.state = "running";
      ticket.slot = slot;
      slot.ticket = ticket;
    }
  }

  private replied(slot: Slot, reply: JobReply): void {
    const ticket = slot.ticket;
    if (!ticket || ticket.id !== reply.id) return; // a late reply for a job already given up
    const kind = reply[PROTOCOL];
    if (kind === "job-done") ticket.resolve(reply.value);
    else if (kind === "job-failed") {
      const failure = receiveFailure(reply.failure, reply.root, slot.thread.path);
      ticket.reject(new WorkerError(failure.path, [failure]));
    } else ticket.reject(new Error(`${slot.thread.path}: job ${ticket.id} was cancelled`));
    this.dispatch();
  }

  /** Cancels a job whose caller is being torn down; resolves once the job runs nowhere. */
  async cancel(ticket: Ticket): Promise<void> {
    if (ticket.state === "queued") {
      this.queue.splice(this.queue.indexOf(ticket), 1);
      ticket.reject(new Error(`job ${ticket.id} was cancelled before it started`));
      return;
    }
    const slot = ticket.slot;
    if (ticket.state === "ended" || !slot) return;
    const request: JobRequest = { [PROTOCOL]: "cancel", id: ticket.id };
    slot.thread.worker.postMessage(request);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">(
      (resolve) => (timer = setTimeout(resolve, this.settings.gracePeriod, "late")),
    );
    const outcome = await Promise.race([ticket.ended(), late]);
    clearTimeout(timer);
    if (outcome === "late" && slot.ticket === ticket) await this.replace(slot);
  }

  /**
   * The job in `slot` did not stop when cancelled (synchronous work cannot
   * see a halt): its thread is terminated, and a fresh one takes its place.
   */
  private async replace(slot: Slot): Promise<void> {
    const ticket = slot.ticket;
    await slot.thread.terminate();
    ticket?.reject(new Error(`${slot.thread.path}: job ${ticket.id} did not stop when cancelled`));
    if (this.closed) return;
    slot.thread = this.startThread(slot.index);
    this.watch(slot);
    this.dispatch();
  }

  private exited(slot: Slot, thread: WorkerThread): void {
    if (thread.stopped || this.closed) return; // stopped by the pool: not a failure
    const error =
      thread.failure ??
      new WorkerError(thread.path, [
        {
          path: thread.path,
          phase: "run",
          error: new Error(`${thread.path}: a pool worker ended by itself`),
        },
      ]);
    slot.dead = true;
    slot.ticket?.reject(error);
    const owner = this.settings.owner;
    if (owner) owner.adopt(error.failures);
    else this.failures.push(...error.failures);
    this.dispatch();
  }

  /** The owner's teardown: drop the queue, stop every worker, report what failed on the way. */
  async close(): Promise<void> {
    this.closed = true;
    for (const ticket of this.queue.splice(0)) {
      ticket.reject(new Error(`${this.path} closed before job ${ticket.id} started`));
    }
    // Threads that ended before have reported already (see exited()).
    const live = this.slots.map((slot) => slot.thread).filter((thread) => thread.exitCode === undefined);
    await Promise.all(live.map((thread) => thread.stop(this.settings.gracePeriod)));
    for (const slot of this.slots) {
      slot.ticket?.reject(new Error(`${this.path} closed while job ${slot.ticket.id} ran`));
    }
    for (const thread of live) if (thread.failure) this.failures.push(...thread.failure.failures);
    if (this.failures.length > 0) throw new WorkerError(this.path, this.failures);
  }
}
