import type { Operation, Scope } from "effection";
import type { HaltReason } from "./halt-reason.ts";

// The interfaces that unwind's modules share, in one place (as effection's
// lib/types.ts): a module imports the interface it uses, never the class
// that implements it. The public ones come first (re-exported by the entry
// points), then the internal ones that connect the engine's parts. It
// imports types only from halt-reason.ts, which imports nothing, so no
// import cycle goes through it (test/package/layers.test.ts checks).

/**
 * The life of a task or group, as shown by `inspect()` and the stuck report.
 *
 * - `queued`: waiting for a place under its group's `limit`;
 * - `running`: its body is running (or, for a group, waiting for children);
 * - `halting`: its teardown has started and has not finished;
 * - `done` / `failed` / `halted`: settled, every cleanup finished.
 *
 * @example
 * ```ts
 * import { main, type TaskState } from "unwind";
 * import { suspend } from "effection";
 *
 * await main(function* (root) {
 *   const worker = root.spawn(function* () {
 *     yield* suspend();
 *   }, { name: "worker" });
 *   const before: TaskState = worker.state; // "running"
 *   yield* worker.halt();
 *   console.log(before, worker.state); // running halted
 * });
 * ```
 */
export type TaskState = "queued" | "running" | "halting" | "done" | "failed" | "halted";

/**
 * Where in a task's life an error happened: in its body (`run`) or in one of
 * its cleanups (`teardown`).
 *
 * @example
 * ```ts
 * import type { GroupError, TaskPhase } from "unwind";
 *
 * const cleanupErrors = (e: GroupError, phase: TaskPhase = "teardown") =>
 *   e.failures.filter((f) => f.phase === phase);
 * ```
 */
export type TaskPhase = "run" | "teardown";

/**
 * One error, tagged with the task it came from.
 *
 * `origin` is set when the error did not come from a task's own code but was
 * caught by the process (`uncaughtException` / `unhandledRejection`) and
 * charged to the root.
 *
 * @example
 * ```ts
 * import type { TaskFailure } from "unwind";
 *
 * const line = (f: TaskFailure) => `${f.path} (${f.phase}): ${String(f.error)}`;
 * ```
 */
export interface TaskFailure {
  /** Task path such as `main/inner/w2`. */
  readonly path: string;
  readonly phase: TaskPhase;
  readonly error: unknown;
  readonly origin?: "uncaughtException" | "unhandledRejection";
  /** For a `teardown` failure: why the task was being torn down. */
  readonly reason?: HaltReason;
}

/**
 * A cleanup as users write it: synchronous, or returning a promise that the
 * teardown waits for. It receives why the scope is being torn down
 * (`undefined` when it simply ended).
 *
 * @example
 * ```ts
 * import { type Cleanup, main, onTeardown } from "unwind";
 * import { until } from "effection";
 * import { open } from "node:fs/promises";
 *
 * await main(function* () {
 *   const log = yield* until(open("app.log", "a"));
 *   const closeLog: Cleanup = async (reason) => {
 *     await log.write(`closing (${reason?.kind ?? "done"})\n`);
 *     await log.close();
 *   };
 *   yield* onTeardown(closeLog);
 *   yield* until(log.write("started\n"));
 * });
 * ```
 */
export type Cleanup = (reason: HaltReason | undefined) => void | Promise<void>;

/**
 * Options of `g.spawn()` and `g.start()`.
 *
 * @example
 * ```ts
 * import { main, useTaskPath } from "unwind";
 * import { sleep } from "effection";
 *
 * await main(function* (root) {
 *   const poller = root.spawn(function* () {
 *     console.log(yield* useTaskPath()); // main/poller
 *     yield* sleep(10);
 *   }, { name: "poller" });
 *   yield* poller;
 * });
 * ```
 */
export interface SpawnOptions {
  /** Name within the group; the default is the function's name, else `task-<n>`. */
  name?: string;
}

/**
 * A child task of a group, as its spawner sees it. `yield* handle` waits
 * until the task and its cleanups are done, and gives its value; it throws
 * the task's error if it failed, or a `HaltedError` if it was halted.
 *
 * @example
 * ```ts
 * import { main } from "unwind";
 * import { sleep } from "effection";
 *
 * await main(function* (root) {
 *   const answer = root.spawn(function* () {
 *     yield* sleep(10);
 *     return 42;
 *   }, { name: "answer" });
 *   console.log(yield* answer); // 42, once the task and its cleanups are done
 *   const idle = root.spawn(function* () { yield* sleep(60_000); }, { name: "idle" });
 *   yield* idle.halt(); // returns once idle's teardown has finished
 * });
 * ```
 */
export interface TaskHandle<T> extends Operation<T> {
  /** The task's name within its group. */
  readonly name: string;
  /** The task's path, such as `main/inner/w2`. */
  readonly path: string;
  /** Where the task is in its life. */
  readonly state: TaskState;
  /**
   * Halts the task and returns once its teardown (its children, then its own
   * cleanups) has finished. Like every operation, it does nothing until it is
   * run with `yield*`.
   */
  halt(): Operation<void>;
}

/**
 * The handle a group body receives: the only way to start tasks in unwind.
 *
 * @example
 * ```ts
 * import { group, main, onTeardown } from "unwind";
 * import { sleep, suspend } from "effection";
 *
 * await main(function* () {
 *   yield* group(function* (g) {
 *     const port = yield* g.start<number>(function* (ready) {
 *       yield* onTeardown(() => console.log("listener closed"));
 *       ready(8080); // g.start() returns 8080; the listener goes on running
 *       yield* suspend();
 *     }, { name: "listener" });
 *     console.log(`listening on ${port}`); // use the value inside the group...
 *     g.spawn(function* () {
 *       yield* sleep(1_000);
 *     }, { name: "ticker" });
 *     yield* sleep(5_000);
 *     // ...because the group joins its children: it returns only once they
 *     // have ended, and the listener never ends by itself.
 *     yield* g.halt();
 *   }, { name: "server" });
 * });
 * ```
 */
export interface Group {
  /** Path of the group, such as `main/inner`. */
  readonly path: string;
  /**
   * Starts `op` as a child task of this group and returns its handle at once.
   * The group does not end until the task (and its cleanups) have finished.
   * The task takes its first step as soon as the caller yields; a task whose
   * group is halted before that step, or that is spawned while the group is
   * tearing down, never runs (it has registered no cleanups to run).
   */
  spawn<T>(op: () => Operation<T>, options?: SpawnOptions): TaskHandle<T>;
  /**
   * Starts a child task and waits until it calls `ready(value)`; returns that
   * value (Trio's `nursery.start`). If the task fails before `ready()`, the
   * error is thrown here instead of failing the group; if the caller is
   * halted before `ready()`, a later failure of the task fails the group.
   * Calling `ready()` a second time throws.
   */
  start<R, T = unknown>(
    body: (ready: (value: R) => void) => Operation<T>,
    options?: SpawnOptions,
  ): Operation<R>;
  /**
   * Ends the group early: halts the body and every child, runs the cleanups,
   * and returns once all of that has finished. From inside the group the
   * caller is halted with it, and the group returns `undefined`. `reason`
   * becomes the `cause` of the `halted` halt reason.
   */
  halt(reason?: unknown): Operation<void>;
}

/**
 * Options of `group()`.
 *
 * @example
 * ```ts
 * import { group, main, onTeardown } from "unwind";
 * import { suspend } from "effection";
 *
 * function* connection(id: number) {
 *   yield* onTeardown(async () => console.log(`connection ${id} closed`));
 *   yield* suspend();
 * }
 *
 * await main(function* () {
 *   // Joins the connections: runs until Ctrl-C, then closes all three at once.
 *   yield* group(function* (g) {
 *     for (const id of [1, 2, 3]) g.spawn(() => connection(id), { name: `conn-${id}` });
 *   }, { name: "pool", teardown: "concurrent" });
 * });
 * ```
 */
export interface GroupOptions {
  /** A path segment for the group; without one the group shares its owner's path. */
  name?: string;
  /**
   * Order of the children's teardown: `serial` (default) halts them one by
   * one, newest first, like a stack; `concurrent` halts them all at once, so
   * teardown takes as long as the slowest child, not the sum.
   *
   * Serial is the default because siblings are often a resource and its
   * users (a pool started with `g.start`, then workers that use it): newest
   * first, a later sibling's cleanup can still use an earlier sibling, as
   * with `using` / `DisposableStack`, effection and Swift. Concurrent
   * teardown breaks that silently: choose it for a group whose children are
   * independent (connection handlers, jobs), above all when there are
   * thousands of them with cleanups that wait. When `main()`'s
   * `teardownTimeout` cuts a serial teardown short, the stuck report says
   * how far it got and whether a larger deadline or this option would have
   * let it finish.
   */
  teardown?: "serial" | "concurrent";
  /**
   * `fail-fast` (default): the first failure halts the body and the other
   * children. `supervise`: a failing child does not disturb its siblings;
   * failures are collected, `onError` is called for each, and the group
   * throws a `GroupError` at the end. (The body failing always ends the group.)
   */
  policy?: "fail-fast" | "supervise";
  /** Called for each failure of a child under `policy: "supervise"`. */
  onError?: (error: unknown, task: TaskHandle<unknown>) => void;
  /** At most this many children run at once; the others wait, in order, as `queued`. */
  limit?: number;
  /**
   * Milliseconds the group may run; then it is torn down and throws a
   * `TimeoutError`. From 0 to 2^31−1 (about 24.8 days, the longest delay a
   * Node timer takes): a larger value is a `RangeError`, not a timer that
   * fires after 1 ms. Leave it out for no limit.
   */
  timeout?: number;
  /**
   * Like `timeout`, as a time (ms since the epoch, like `Date.now()`), at
   * most 2^31−1 ms from now. The tighter of all wins, inherited ones included.
   */
  deadline?: number;
  /** Halts the group (it then returns `undefined`) when this signal aborts. */
  signal?: AbortSignal;
}

/**
 * An OS process or a worker thread held by a task or a group body (started
 * with `exec()` or `worker()` of "unwind/process"), as the task tree and
 * the stuck report show it. Plain data.
 *
 * @example
 * ```ts
 * import type { ProcessInfo } from "unwind";
 *
 * const describe = (p: ProcessInfo) =>
 *   p.kind === "process" ? `pid ${p.pid}: ${p.command}` : `thread ${p.threadId}: ${p.module}`;
 * ```
 */
export type ProcessInfo =
  | (ProcessInfoBase & {
      readonly kind: "process";
      /** The OS process id; also the id of its process group. */
      readonly pid: number;
      /** The command line. */
      readonly command: string;
    })
  | (ProcessInfoBase & {
      readonly kind: "worker";
      /** The worker's `threadId`. */
      readonly threadId: number;
      /** The worker's module. */
      readonly module: string;
    });

/**
 * What every `ProcessInfo` has.
 *
 * @example
 * ```ts
 * import type { ProcessInfoBase } from "unwind";
 *
 * const age = (p: ProcessInfoBase, now = Date.now()) => now - p.startedAt;
 * ```
 */
export interface ProcessInfoBase {
  /** Its name under its owner (`sleep`, `pool/worker-2`). */
  readonly name: string;
  /** Its path: the owner's path and its name (`main/convert/ffmpeg`). */
  readonly path: string;
  /** `stopping` from the moment its owner's teardown asked it to stop. */
  readonly state: "running" | "stopping";
  /** When it started (ms since the epoch). */
  readonly startedAt: number;
  /** When it was asked to stop, if it was. */
  readonly haltStartedAt?: number;
}

// Internal: not exported by the entry points.

/**
 * Whoever owns the code that is running: a task, the body of a group, or the
 * root of a `run()` / `main()`. Every unwind task and group finds its owner
 * through this context, which gives it its path, the place its errors go and
 * its place in the task tree. What code running under an owner needs from
 * it is a method here, so nobody has to ask which kind of owner it is.
 */
export interface Owner {
  /** Task path such as `main/inner/w2` (`""` above the root group). */
  readonly path: string;
  /** Why it is being torn down, once it is. */
  readonly haltReason: HaltReason | undefined;
  /** The time (ms since the epoch) by which it must end; Infinity for none. */
  readonly deadline: number;
  /**
   * Registers `cleanup` for this owner's code running in `scope` (what
   * `onTeardown()` does): it runs when that scope ends, after everything
   * started in it. Returns a function that takes the cleanup back.
   */
  addTeardown(scope: Scope, cleanup: Cleanup): () => void;
  /** A cleanup registered by this owner threw. */
  cleanupFailed(error: unknown): void;
  /**
   * Errors of a nested group that was halted from outside. A halted group
   * cannot throw, so it hands its errors up rather than losing them.
   */
  adopt(failures: readonly TaskFailure[]): void;
  /** The root group of its tree: the one of its `run()` / `main()`, else the outermost group. */
  rootGroup(): TreeGroup | undefined;
  /** A group opened in this owner's code: it shows under the owner in the task tree. */
  attach(group: TreeGroup): void;
  /** That group has ended. */
  detach(group: TreeGroup): void;
  /** Called when a group directly under this owner starts tearing down. */
  teardownStarted?(group: TreeGroup): void;
  /** Its cancel signal (tasks and group bodies have one; see `useCancelSignal()`). */
  cancelSignal?(): AbortSignal;
  /**
   * What its teardown waits for besides its children and cleanups (aborted
   * promise work), while it waits: shown by the task tree and the stuck report.
   */
  waitingFor?: string | undefined;
}

/**
 * A task or a group as the task tree, the stuck report and the failure
 * report read it: what `inspect()` turns into a `TaskTree`.
 */
export interface TreeNode {
  readonly kind: "task" | "group";
  /** Its name within its group; `undefined` for a group made without one. */
  readonly name: string | undefined;
  readonly path: string;
  readonly state: TaskState;
  readonly startedAt: number;
  /** When its teardown started; `undefined` until it does. */
  readonly haltStartedAt: number | undefined;
  readonly haltReason: HaltReason | undefined;
  /** Where it was started, when spawn sites are recorded. */
  readonly site: string | undefined;
  /** What its teardown waits for besides children and cleanups (see `Owner`). */
  readonly waitingFor?: string | undefined;
  /** Groups opened directly in its code. */
  readonly groups: ReadonlySet<TreeGroup> | undefined;
  /** A group's child tasks (running or queued), in spawn order. */
  readonly tasks?: ReadonlySet<TreeNode>;
  /** A group's failures so far, its children's included. */
  readonly failures?: readonly TaskFailure[];
  /** A group's queued children that its teardown dropped before they started. */
  readonly dropped?: number;
  /** A group tearing down two or more children: how far it has got (see `ChildTeardown`). */
  readonly childTeardown?: ChildTeardown | undefined;
}

/**
 * How far a group has got in tearing its children down: what the stuck
 * report needs to say whether a larger `teardownTimeout` or the other
 * order would have let it finish. Kept only by a group that had two or
 * more children to tear down (with one, no order and nobody waits).
 */
export interface ChildTeardown {
  readonly order: "serial" | "concurrent";
  /** When the group started halting its children (ms since the epoch). */
  readonly startedAt: number;
  /** How many children it had to halt then. */
  readonly children: number;
  /** Of those, how many have been torn down (halted, every cleanup run). */
  readonly tornDown: number;
  /** When the last of those finished; 0 before the first. */
  readonly lastAt: number;
  /** The longest teardown of one of them, from its halt to its end, in ms. */
  readonly slowestMs: number;
}

/** A group as its owner, the task tree and the root see it. */
export interface TreeGroup extends TreeNode {
  readonly kind: "group";
  readonly settled: boolean;
  /** Starts the group's teardown from inside: it then returns normally. */
  requestTeardown(reason: HaltReason): void;
  /** Records a failure of the group (under any policy it ends the group). */
  fail(failure: TaskFailure): void;
  /** Registers a cleanup of the group itself: it runs after everything in the group has ended. */
  addCleanup(cleanup: Cleanup): void;
}

/** What sits above the root group of a `run()` or `main()`. */
export interface TreeRoot extends Owner {
  /** The root group, once it has started. */
  readonly group: TreeGroup | undefined;
  /** Errors that no group can throw any more (the root's own). */
  readonly failures: readonly TaskFailure[];
}

/**
 * A group as its child tasks see it: their path and deadline come from it,
 * their failures and their end go to it. `Child` is the class of the tasks
 * (which this module does not import).
 */
export interface TaskParent<Child> {
  readonly path: string;
  /** The time (ms since the epoch) by which the group must end; Infinity for none. */
  readonly deadline: number;
  /** Records a failure; `child`: of that child task (the group's policy decides what follows). */
  fail(failure: TaskFailure, child?: Child): void;
  /** `child` has settled: every cleanup of it has run. */
  childSettled(child: Child): void;
  /** The root group of its tree (see `Owner`). */
  rootGroup(): TreeGroup | undefined;
}

/**
 * A child task as unwind's own operations use it from promise code and
 * event handlers (`mapLimit`, `serveJobs`).
 */
export interface ChildTask<T> extends TaskHandle<T> {
  /** Calls `callback` once the task has settled (at once if it has). */
  onSettled(callback: () => void): void;
  /** The settled task's value; throws its error, or a `HaltedError`. */
  result(): T;
  /** Starts halting the task without waiting for it. */
  haltInBackground(reason: HaltReason): void;
}

/**
 * A group as unwind's own operations see it (`internalGroup()`), beyond the
 * public `Group`: its tasks as `ChildTask`s, and for the servers of
 * "unwind/http", tasks made by the caller (request scopes, of the class
 * `Child`, which this module does not import) and a drain before the
 * teardown halts them.
 */
export interface GroupInternal<Child> extends Group, TreeGroup, TaskParent<Child> {
  spawn<T>(op: () => Operation<T>, options?: SpawnOptions): ChildTask<T>;
  fail(failure: TaskFailure, child?: Child): void;
  /** Starts `child` as a child task of this group, running `op`. */
  launch(child: Child, op: () => Operation<unknown>): void;
  /**
   * Once, from the body: `drain` gives the children a chance to finish by
   * themselves at the start of the teardown, before any of them is halted.
   * A second call throws.
   */
  drainChildrenFirst(drain: () => Operation<void>): void;
}

/** What a group's own time limit and abort signal do to it (see `GroupLimits`). */
export interface Limited {
  /** It ran out of its `ms`: it fails with a `TimeoutError` and tears down. */
  timedOut(ms: number): void;
  /** Its `signal` aborted with `cause`: it tears down, then returns `undefined`. */
  aborted(cause: unknown): void;
}

/** Something held outside the task's own code that can describe itself. */
export interface HeldProcess {
  describe(): ProcessInfo;
}

/**
 * Something that can finish its in-flight work before it is halted: an HTTP
 * server or a mounted handler. With a `drainTimeout`, `main()` drains them
 * at the first signal before it halts the tree; a second signal skips the
 * rest of any drain. With a `shutdownDelay`, readiness fails first while
 * everything else is still served, so that load balancers stop sending
 * traffic before the drain refuses it.
 */
export interface Drainable {
  /** Milliseconds that main() keeps serving after the first signal while readiness answers 503 (Kubernetes' endpoint lag); 0 for none. */
  readonly shutdownDelay: number;
  /** From now on the readiness path answers 503; everything else is served as before. Idempotent. */
  beginShutdownDelay(): void;
  /** True from the start of the drain until nothing is in flight any more. */
  readonly drainInProgress: boolean;
  /** Starts draining (once); resolves when nothing is in flight any more. */
  beginDrain(): Promise<void>;
  /** Gives up on the rest of the drain: halts what is still in flight, with `reason`. */
  skipDrain(reason?: HaltReason): void;
  /**
   * `main()` received a shutdown request (a signal, or a cluster primary's
   * message): called for every one, before the shutdown ladder takes its
   * step. A cluster forwards each one to its workers, whose own ladders then
   * take the same steps. `handOver`: another process takes the traffic over
   * (a cluster's reload): a server then serves what still reaches it, with
   * `Connection: close`, instead of refusing it, and lets its open
   * connections close by themselves (closing an idle one would reset a
   * request already on its way).
   */
  shutdownRequested?(signal: NodeJS.Signals, handOver: boolean): void;
}
