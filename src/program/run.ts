import { type Operation, run as runEffection, useScope } from "effection";
import { checkRun, returnsOperation } from "../core/arguments.ts";
import { DrainContext } from "../core/drain-registry.ts";
import { group } from "../core/group.ts";
import { HaltReason } from "../core/halt-reason.ts";
import { OwnerContext } from "../core/owner.ts";
import { RootOwner } from "../core/root-owner.ts";
import type { Group, GroupOptions } from "../core/types.ts";
import { snapshot, type TaskTree } from "../observe/inspect.ts";
import { refuseNestedRoot } from "./nested-root.ts";
import { onParentHalt } from "./parent-port.ts";
import { ProcessListeners } from "./process-listeners.ts";

/**
 * Options of `run()`: those of the root group, plus optional signals.
 *
 * @example
 * ```ts
 * import { type RunOptions, run } from "unwind";
 * import { suspend } from "effection";
 *
 * const options: RunOptions = { name: "worker", signals: ["SIGTERM"] };
 * const root = run(function* () {
 *   yield* suspend();
 * }, options);
 * await root; // until SIGTERM halts it
 * ```
 */
export interface RunOptions extends GroupOptions {
  /**
   * Signals that halt the root; none unless given (use `main()` for
   * programs). With signals, the root also keeps Node alive until it ends,
   * and in a worker thread started by `worker()` of "unwind/process" the
   * parent's halt counts as SIGTERM.
   */
  signals?: readonly NodeJS.Signals[];
}

/**
 * A running root group, for promise code. Await it for the body's value (or
 * `undefined` if it was halted); it rejects with a `GroupError`.
 *
 * @example
 * ```ts
 * import { run, type Root } from "unwind";
 *
 * const root: Root<string> = run(function* () { return "done"; });
 * console.log(await root, root.inspect());
 * ```
 */
export interface Root<T> extends PromiseLike<T | undefined> {
  /** Path of the root group (its name). */
  readonly path: string;
  /**
   * Halts the root: the whole tree tears down in tree order. Resolves once
   * every cleanup has finished; rejects with the `GroupError` if any failed.
   * `reason` becomes the `cause` of the `halted` halt reason.
   */
  halt(reason?: unknown): Promise<void>;
  /** A snapshot of the live task tree. */
  inspect(): TaskTree | undefined;
}

/**
 * Runs `body` as a root group from promise code: for tests, for embedding
 * unwind in a program that owns its own lifecycle, or for libraries. It
 * installs no process listeners unless `signals` is given; `main()` is the
 * entry point for whole programs.
 *
 * A root belongs to nobody, so `run()` refuses to run inside a running
 * unwind task, group body or cleanup, and throws: start the work there with
 * `g.spawn()` or `group()` instead. This is checked while that code runs
 * synchronously; a call from an async callback inside a task (after an
 * `await`, in a timer or an event listener) is not caught.
 *
 * @param body The root group's body: gets the root's handle.
 * @param options The root group's options, plus `signals` (none by default).
 * @returns The running root: await it for the body's value, `halt()` it, `inspect()` it.
 *
 * @example
 * ```ts
 * import { run, onTeardown } from "unwind";
 * import { suspend } from "effection";
 *
 * const root = run(function* (g) {
 *   g.spawn(function* () {
 *     yield* onTeardown(() => console.log("worker closed"));
 *     yield* suspend();
 *   }, { name: "worker" });
 * });
 * await root.halt(); // "worker closed" has been printed
 * ```
 */
export function run<T>(body: (root: Group) => Operation<T>, options: RunOptions = {}): Root<T> {
  refuseNestedRoot("run", run);
  checkRun(body, options);
  body = returnsOperation("run()", "body", body);
  const root = new RootHandle<T>(options.name ?? "main");
  const { signals = [], ...groupOptions } = options;
  if (signals.length === 0) return root.start(body, groupOptions);
  // Waiting for a signal must keep Node alive.
  const listeners = new ProcessListeners().keepAlive();
  const onSignal = (signal: NodeJS.Signals) => root.owner.halt(HaltReason.signal(signal));
  for (const signal of signals) listeners.on(signal, onSignal);
  // In a worker thread, the halt message of its parent is its SIGTERM.
  const leaveParent = onParentHalt(() => onSignal("SIGTERM"));
  listeners.add(() => leaveParent());
  const dispose = () => listeners.dispose();
  root.start(body, groupOptions).then(dispose, dispose);
  return root;
}

/**
 * The root of a `run()`; `main()` drives one too. Made in two steps so that
 * an entry point can install its listeners before any user code runs (the
 * body may run synchronously up to its first pause). Not exported from the
 * package.
 */
export class RootHandle<T> implements Root<T> {
  readonly owner: RootOwner;
  private result: Promise<T | undefined> | undefined;

  /** `onTeardownStarted`: called when the root's teardown begins (main() starts its deadline there). */
  constructor(
    readonly path: string,
    onTeardownStarted?: () => void,
  ) {
    this.owner = new RootOwner(onTeardownStarted);
  }

  start(body: (root: Group) => Operation<T>, options: GroupOptions): this {
    const owner = this.owner;
    const rootOptions = { ...options, name: this.path };
    const task = runEffection(function* () {
      const scope = yield* useScope();
      scope.set(OwnerContext, owner);
      scope.set(DrainContext, owner.drains);
      return yield* group(body, rootOptions);
    });
    this.result = task.then((value) => value);
    return this;
  }

  private get settled(): Promise<T | undefined> {
    if (!this.result) throw new Error("unwind: root used before start()");
    return this.result;
  }

  // biome-ignore lint/suspicious/noThenProperty: a root is awaited like a promise, by design
  then<R1 = T | undefined, R2 = never>(
    onfulfilled?: ((value: T | undefined) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.settled.then(onfulfilled, onrejected);
  }

  halt(reason?: unknown): Promise<void> {
    this.owner.halt(HaltReason.halted(reason));
    return this.settled.then(() => undefined);
  }

  inspect(): TaskTree | undefined {
    const root = this.owner.group;
    return root && snapshot(root);
  }
}
