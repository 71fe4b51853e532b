import type { TransferListItem } from "node:worker_threads";
import { type Operation, until, useScope } from "effection";
import { holdProcess } from "../core/held-processes.ts";
import { addTeardown } from "../core/on-teardown.ts";
import { OwnerContext } from "../core/owner.ts";
import { checkWorker } from "./arguments.ts";
import { defaultWorkerName, WorkerThread } from "./worker-thread.ts";

/**
 * Options of `worker()`.
 *
 * @example
 * ```ts
 * import type { WorkerOptions } from "unwind/process";
 *
 * const options: WorkerOptions = { name: "thumbnails", data: { size: 256 }, gracePeriod: 2_000 };
 * ```
 */
export interface WorkerOptions {
  /** Its name: the segment it adds to the owner's path; default the module's file name without extension. */
  name?: string;
  /** The worker's `workerData` (structured-cloned). */
  data?: unknown;
  /** Milliseconds the worker gets to stop once asked, before `terminate()`. Default 5 000. */
  gracePeriod?: number;
}

/**
 * A worker thread started by `worker()`.
 *
 * @example
 * ```ts
 * import { main } from "unwind";
 * import { worker } from "unwind/process";
 *
 * await main(function* () {
 *   const hasher = yield* worker(new URL("./hasher.js", import.meta.url), { name: "hasher" });
 *   hasher.onMessage((digest) => console.log(`digest: ${digest}`));
 *   hasher.postMessage("hello");
 *   yield* hasher.join(); // until the worker's main() returns
 * });
 * ```
 */
export interface WorkerHandle {
  readonly name: string;
  /** Its path, such as `main/hasher`: the worker's own task paths continue it. */
  readonly path: string;
  readonly threadId: number;
  /** Sends `value` to the worker's `parentPort`. */
  postMessage(value: unknown, transfer?: readonly TransferListItem[]): void;
  /**
   * Calls `listener` with each message the worker posts on its
   * `parentPort` (messages that came before the first listener are kept
   * and delivered to it). Returns a function that removes the listener.
   * Objects with an `"@unwind"` key are unwind's own messages (the halt,
   * the worker's failures, the pool's jobs): they are not passed on.
   */
  onMessage(listener: (value: unknown) => void): () => void;
  /**
   * Waits until the worker thread has exited by itself and returns its
   * exit code (0); throws a `WorkerError` if it failed.
   */
  join(): Operation<number>;
}

/**
 * Runs `module` in a `node:worker_threads` worker owned by the current task
 * or group body, and returns its handle once the thread is started.
 *
 * - **Halt = SIGTERM.** When the owner ends, the worker is asked to stop:
 *   a `main()` (or a `run()` with `signals`) running in the worker takes
 *   that as SIGTERM and tears its own tree down in tree order. After
 *   `gracePeriod` ms the thread is terminated. The owner's teardown goes
 *   on once the thread has exited.
 * - **Failures come home with their paths.** An error in the worker
 *   (its `main()` failed, a cleanup threw during its teardown, an uncaught
 *   exception, a non-zero exit) fails the owner with a `WorkerError` whose
 *   failures continue the worker's path: `main/pool/worker-2/compute`.
 *   A task waiting in `join()` gets that error; otherwise it fails the
 *   owner as a child's failure would.
 *
 * The module is loaded by Node in the new thread: compiled JavaScript, or
 * TypeScript where the thread can load it (on Node 20, tsx's hooks are not
 * inherited by worker threads).
 *
 * @example
 * The program, `main.ts`, compiled to `main.js` next to `indexer.js`:
 * ```ts
 * import { main } from "unwind";
 * import { worker } from "unwind/process";
 * import { sleep } from "effection";
 *
 * await main(function* () {
 *   yield* worker(new URL("./indexer.js", import.meta.url), { name: "indexer", data: { dir: "/srv/docs" } });
 *   yield* sleep(60_000); // then the indexer's main() is halted, as on SIGTERM
 * });
 * ```
 *
 * @example
 * The worker's module, `indexer.ts`: a program of its own.
 * ```ts
 * import { workerData } from "node:worker_threads";
 * import { main, onTeardown } from "unwind";
 * import { suspend } from "effection";
 *
 * const { dir } = workerData as { dir: string };
 *
 * await main(function* () {
 *   yield* onTeardown(() => console.log(`indexer of ${dir} stopped`));
 *   yield* suspend();
 * });
 * ```
 */
export function worker(module: URL | string, options: WorkerOptions = {}): Operation<WorkerHandle> {
  checkWorker(module, options);
  const { gracePeriod = 5000, data } = options;
  const name = options.name ?? defaultWorkerName(module);
  return {
    *[Symbol.iterator]() {
      const scope = yield* useScope();
      const owner = scope.get(OwnerContext);
      const path = owner?.path ? `${owner.path}/${name}` : name;
      const thread = new WorkerThread(module, { name, path, data });
      const handle = new OwnedWorker(thread);
      // Registered in the same synchronous stretch as the start.
      const removeTeardown = addTeardown(scope, async () => {
        await thread.stop(gracePeriod);
        handle.throwUndelivered();
      });
      const detach = owner ? holdProcess(owner, thread) : () => {};
      thread.onExit(() => {
        detach();
        if (thread.stopped) return; // the teardown reports the end
        removeTeardown();
        // Ended by itself: a failure goes to whoever waits in join(), else to the owner.
        if (thread.failure && handle.joiners === 0 && owner) {
          handle.delivered = true;
          owner.adopt(thread.failure.failures);
        }
      });
      return handle;
    },
  };
}

class OwnedWorker implements WorkerHandle {
  joiners = 0;
  delivered = false;

  constructor(private readonly thread: WorkerThread) {}

  get name(): string {
    return this.thread.name;
  }

  get path(): string {
    return this.thread.path;
  }

  get threadId(): number {
    return this.thread.threadId;
  }

  postMessage(value: unknown, transfer?: readonly TransferListItem[]): void {
    this.thread.worker.postMessage(value, transfer ? [...transfer] : undefined);
  }

  onMessage(listener: (value: unknown) => void): () => void {
    return this.thread.onMessage(listener);
  }

  *join(): Operation<number> {
    if (this.thread.exitCode === undefined) {
      this.joiners++;
      try {
        yield* until(this.thread.exited);
      } finally {
        this.joiners--;
      }
    }
    if (this.thread.failure) {
      this.delivered = true;
      throw this.thread.failure;
    }
    return this.thread.exitCode ?? 0;
  }

  /** In the owner's teardown: a failure nobody has seen yet is the teardown's error. */
  throwUndelivered(): void {
    if (!this.thread.failure || this.delivered) return;
    this.delivered = true;
    throw this.thread.failure;
  }
}
