import { type Operation, type Scope, sleep } from "effection";
import { checkSupervisedSpawn, returnsOperation } from "../core/arguments.ts";
import { restartChannel } from "../core/diagnostics.ts";
import { setRestartCount } from "../core/restart-count.ts";
import type { GroupInternal, SpawnOptions, TaskFailure, TaskHandle, TaskState } from "../core/types.ts";
import { WakeList } from "../core/wake-list.ts";
import { type BackoffSettings, backoffDelay } from "./backoff.ts";
import { RestartIntensityError } from "./restart-intensity-error.ts";
import { useCancelSignal } from "./use-cancel-signal.ts";

/**
 * When a supervised child is started again (Erlang/OTP's restart types):
 *
 * - `permanent` (the default): always, whether it failed or returned;
 * - `transient`: only after a failure; a child that returned stays ended
 *   (but a `one-for-all` / `rest-for-one` restart of its siblings starts
 *   it again, as OTP does);
 * - `temporary`: never; its failure is kept and thrown when the supervisor
 *   ends, as under `policy: "supervise"`.
 *
 * @example
 * ```ts
 * import type { RestartType } from "unwind";
 *
 * const forJobs: RestartType = "transient"; // retried until it succeeds once
 * ```
 */
export type RestartType = "permanent" | "transient" | "temporary";

/**
 * Which children a restart takes down and starts again (Erlang/OTP's
 * strategies): `one-for-one` only the child that ended; `one-for-all`
 * every child; `rest-for-one` the child and every child spawned after it.
 *
 * @example
 * ```ts
 * import type { RestartStrategy } from "unwind";
 *
 * const pipeline: RestartStrategy = "rest-for-one"; // a stage restarts the stages after it
 * ```
 */
export type RestartStrategy = "one-for-one" | "one-for-all" | "rest-for-one";

/**
 * Options of `s.spawn()`: those of `g.spawn()`, plus when to restart.
 *
 * @example
 * ```ts
 * import { main, supervisor, type SupervisedSpawnOptions } from "unwind";
 * import { sleep } from "effection";
 *
 * // Retried (after a backoff) until it succeeds once.
 * const options: SupervisedSpawnOptions = { name: "upload", restart: "transient" };
 * await main(function* () {
 *   yield* supervisor(function* (s) {
 *     s.spawn(function* () {
 *       yield* sleep(100);
 *       if (Math.random() < 0.5) throw new Error("connection reset");
 *     }, options);
 *   });
 * });
 * ```
 */
export interface SupervisedSpawnOptions extends SpawnOptions {
  /** Default `permanent`. */
  restart?: RestartType;
}

/**
 * A supervised child as its spawner sees it: one name and path across all
 * of its incarnations.
 *
 * @example
 * ```ts
 * import { main, supervisor } from "unwind";
 * import { sleep } from "effection";
 *
 * await main(function* () {
 *   yield* supervisor(function* (s) {
 *     // Permanent: started again each time it returns.
 *     const ticker = s.spawn(function* () { yield* sleep(1_000); }, { name: "ticker" });
 *     yield* sleep(5_500);
 *     console.log(`${ticker.path} restarted ${ticker.restarts} times`); // main/ticker restarted 5 times
 *     yield* ticker.halt(); // for good: no restart; the supervisor returns
 *   }, { maxRestarts: 10, withinMs: 10_000, backoff: false });
 * });
 * ```
 */
export interface SupervisedTask {
  readonly name: string;
  /** The path of every incarnation, such as `main/workers/poller`. */
  readonly path: string;
  /** How many times the supervisor has started it again. */
  readonly restarts: number;
  /**
   * Halts the current incarnation and removes the child from the
   * supervisor: it is not started again. Returns once its teardown is done.
   */
  halt(): Operation<void>;
}

/**
 * The handle a `supervisor()` body receives.
 *
 * @example
 * ```ts
 * import { main, supervisor, type Supervisor } from "unwind";
 * import { type Operation, sleep, suspend } from "effection";
 *
 * function* consumer(queue: string): Operation<void> {
 *   console.log(`consuming ${queue}`);
 *   yield* sleep(1_000);
 *   throw new Error(`${queue}: broker went away`);
 * }
 *
 * function* consumers(s: Supervisor): Operation<void> {
 *   s.spawn(() => consumer("orders"), { name: "orders" });
 *   s.spawn(() => consumer("refunds"), { name: "refunds" });
 *   yield* suspend();
 * }
 *
 * await main(function* () {
 *   yield* supervisor(consumers, { name: "consumers" });
 * });
 * ```
 */
export interface Supervisor {
  /** Path of the supervisor's group. */
  readonly path: string;
  /** Restarts made so far, every child counted. */
  readonly restarts: number;
  /**
   * Starts `op` as a supervised child and returns its handle at once. Each
   * name identifies one child across its restarts, so it must be unique
   * among the children the supervisor still has.
   */
  spawn(op: () => Operation<unknown>, options?: SupervisedSpawnOptions): SupervisedTask;
  /** Ends the supervisor, like `g.halt()`: children halted in tree order, no restarts. */
  halt(reason?: unknown): Operation<void>;
}

/** The supervisor's options with their defaults, checked. */
export interface SupervisionSettings {
  readonly strategy: RestartStrategy;
  readonly maxRestarts: number;
  readonly withinMs: number;
  readonly backoff: BackoffSettings;
}

/** How an incarnation ended by itself: returned (`failure` undefined) or threw. */
interface Exit {
  readonly child: Child;
  readonly incarnation: number;
  readonly failure: TaskFailure | undefined;
}

/** A restart, remembered for the restart intensity. */
interface Restart {
  readonly at: number;
  readonly failure: TaskFailure | undefined;
}

/** One supervised child: its spec (op, restart type) and its current incarnation. */
class Child implements SupervisedTask {
  restarts = 0;
  incarnation = 0;
  /** The running incarnation, until it has settled. */
  current: TaskHandle<void> | undefined;
  /** Still among the supervisor's children (halted and temporary children leave). */
  listed = true;
  /** Set while a restart waits (its backoff) to start this child: the token of that restart. */
  pending: object | undefined;

  constructor(
    private readonly supervision: Supervision,
    readonly name: string,
    readonly op: () => Operation<unknown>,
    readonly restart: RestartType,
  ) {}

  get path(): string {
    return `${this.supervision.path}/${this.name}`;
  }

  halt(): Operation<void> {
    return { [Symbol.iterator]: () => this.supervision.haltChild(this)[Symbol.iterator]() };
  }
}

/**
 * The restart engine of `supervisor()`, on top of one group (policy
 * `supervise`) and its public handle.
 *
 * - Each incarnation of a child is a task of the group, named after the
 *   child, so that its path (and its subtree's) is the same every time.
 *   Its body reports how it ended; a failure that will be restarted is
 *   handled here and never reaches the group (a restarted failure is not
 *   an error of the supervisor: it is announced on `unwind:restart`).
 * - Exits are handled one at a time, in the order they happened, by a
 *   control task that lives in the supervisor's body scope (outside the
 *   task tree): it waits until the ended incarnation has settled (its
 *   cleanups ran), counts the restart against the intensity, tears down
 *   what the strategy names newest first, and hands the start to a timer
 *   task that waits out the backoff and starts them again in spawn order.
 *   The control task and the timers belong to the body, so halting the
 *   supervisor stops them before any child is halted: no restart can race
 *   a teardown, and halting during a backoff starts nothing.
 * - A sibling that failed by itself while a restart was tearing it down is
 *   restarted by that restart, announced with its own error (OTP logs such
 *   a failure as a shutdown error and does not count it again).
 */
export class Supervision implements Supervisor {
  /** Listed children, in spawn order. */
  private readonly children: Child[] = [];
  private readonly exits: Exit[] = [];
  /** Restarts within the current intensity window, oldest first. */
  private readonly window: Restart[] = [];
  private handling = false;
  private readonly changes = new WakeList();
  private unnamed = 0;
  restarts = 0;

  constructor(
    private readonly group: GroupInternal<unknown>,
    /** The body's scope: the control task and the backoff timers run in it. */
    private readonly scope: Scope,
    private readonly settings: SupervisionSettings,
  ) {}

  get path(): string {
    return this.group.path;
  }

  spawn(op: () => Operation<unknown>, options: SupervisedSpawnOptions = {}): SupervisedTask {
    checkSupervisedSpawn(op, options);
    const { restart = "permanent" } = options;
    const name = options.name ?? (op.name || `child-${++this.unnamed}`);
    if (this.children.some((child) => child.name === name)) {
      throw new Error(
        `s.spawn(): ${this.path} already supervises a child named "${name}"; a name identifies one child across its restarts, give each child its own`,
      );
    }
    const child = new Child(this, name, returnsOperation("s.spawn()", "op", op), restart);
    this.children.push(child);
    this.start(child);
    return child;
  }

  halt(reason?: unknown): Operation<void> {
    return this.group.halt(reason);
  }

  /** Returns once nothing runs, nothing waits to restart and no exit is left to handle. */
  *untilIdle(): Operation<void> {
    while (!this.idle()) yield* this.changes.wait();
  }

  private idle(): boolean {
    return !this.handling && this.children.every((child) => !child.current && !child.pending);
  }

  /** Starts a new incarnation of `child` as a task of the group. */
  private start(child: Child): void {
    const incarnation = ++child.incarnation;
    const supervision = this;
    const task = this.group.spawn(
      function* (): Operation<void> {
        // Aborts when this incarnation's halt starts: an error thrown after
        // that (a `finally` that throws) is the halt's, not a failure to restart.
        const halted = yield* useCancelSignal();
        try {
          yield* child.op();
          supervision.exited({ child, incarnation, failure: undefined });
        } catch (error) {
          if (halted.aborted) throw error;
          supervision.exited({ child, incarnation, failure: { path: child.path, phase: "run", error } });
          // Nothing restarts a temporary child: its failure is the group's, like any other.
          if (child.restart === "temporary") throw error;
        }
      },
      { name: child.name },
    );
    child.current = task;
    if (child.restarts > 0) setRestartCount(task, child.restarts);
  }

  /** An incarnation ended by itself (it is still running its cleanups). */
  private exited(exit: Exit): void {
    if (this.group.state !== "running") return; // the teardown takes care of everything
    this.exits.push(exit);
    if (this.handling) return;
    this.handling = true;
    this.scope.run(() => this.handleExits());
  }

  private *handleExits(): Operation<void> {
    try {
      for (let exit = this.exits.shift(); exit && this.group.state === "running"; exit = this.exits.shift()) {
        yield* this.handle(exit);
      }
    } catch (error) {
      // A bug here must not vanish in the body's scope: it fails the supervisor.
      this.group.fail({ path: this.path, phase: "run", error });
    } finally {
      this.handling = false;
      this.changes.wakeAll();
    }
  }

  private *handle({ child, incarnation, failure }: Exit): Operation<void> {
    if (child.incarnation !== incarnation || !child.listed) return;
    const task = child.current;
    if (task) yield* settled(task);
    if (child.incarnation !== incarnation || !child.listed) return; // halted meanwhile
    child.current = undefined;
    this.changes.wakeAll();
    const restart = child.restart === "permanent" || (child.restart === "transient" && failure !== undefined);
    if (!restart) {
      if (child.restart === "temporary") this.unlist(child);
      return;
    }
    const now = Date.now();
    while (this.window.length > 0 && (this.window[0]?.at ?? now) <= now - this.settings.withinMs) {
      this.window.shift();
    }
    this.window.push({ at: now, failure });
    if (this.window.length > this.settings.maxRestarts) {
      this.giveUp();
      return;
    }
    this.restarts++;
    setRestartCount(this.group, this.restarts);
    yield* this.restartFrom(child, failure);
  }

  /** Tears down what the strategy names (newest first), then starts it again after the backoff. */
  private *restartFrom(trigger: Child, failure: TaskFailure | undefined): Operation<void> {
    const affected = this.affectedBy(trigger);
    // Why each one restarts, and how its last incarnation ended, for the announcement.
    const ended = new Map<Child, { state: TaskState; error: unknown }>();
    ended.set(trigger, { state: failure ? "failed" : "done", error: failure?.error });
    for (const child of [...affected].reverse()) {
      if (child === trigger) continue;
      const task = child.current;
      if (!task) {
        ended.set(child, { state: "done", error: failure?.error });
        continue;
      }
      const own = this.takeExit(child);
      if (own) yield* settled(task);
      else yield* task.halt();
      if (child.current === task) child.current = undefined;
      ended.set(
        child,
        own?.failure
          ? { state: "failed", error: own.failure.error }
          : { state: "halted", error: failure?.error },
      );
    }
    const restarting = affected.filter((child) => {
      if (!child.listed) return false;
      if (child.restart !== "temporary") return true;
      this.unlist(child); // torn down by a sibling's restart, never started again
      return false;
    });
    const delayMs = backoffDelay(this.settings.backoff, this.window.length);
    const token = {};
    for (const child of restarting) {
      // Already waiting to start (an earlier restart's backoff): this restart takes it over.
      const waiting = child.pending !== undefined;
      child.pending = token;
      if (waiting) continue;
      child.restarts++;
      const last = ended.get(child);
      this.announce(child, last?.state ?? "done", last?.error, delayMs);
    }
    this.scope.run(() => this.startAfter(delayMs, restarting, token));
  }

  /** Waits out the backoff, then starts each child in spawn order, unless a later restart took it over. */
  private *startAfter(delayMs: number, children: readonly Child[], token: object): Operation<void> {
    if (delayMs > 0) yield* sleep(delayMs);
    for (const child of children) {
      if (!child.listed || child.pending !== token) continue;
      child.pending = undefined;
      this.start(child);
    }
    this.changes.wakeAll();
  }

  /** The children a restart of `trigger` takes down and starts again, in spawn order. */
  private affectedBy(trigger: Child): Child[] {
    switch (this.settings.strategy) {
      case "one-for-one":
        return [trigger];
      case "one-for-all":
        return [...this.children];
      case "rest-for-one":
        return this.children.slice(this.children.indexOf(trigger));
    }
  }

  /** Removes the exit `child`'s current incarnation reported, if one is waiting to be handled. */
  private takeExit(child: Child): Exit | undefined {
    const at = this.exits.findIndex((exit) => exit.child === child && exit.incarnation === child.incarnation);
    if (at === -1) return undefined;
    return this.exits.splice(at, 1)[0];
  }

  private announce(child: Child, state: TaskState, error: unknown, delayMs: number): void {
    if (!restartChannel.hasSubscribers) return;
    restartChannel.publish({
      kind: "task",
      path: child.path,
      state,
      time: Date.now(),
      attempt: child.restarts,
      delayMs,
      ...(error === undefined ? {} : { error }),
    });
  }

  /**
   * The restart intensity was exceeded: the supervisor fails with a
   * `RestartIntensityError` and the failures of the window, which tears it
   * (and every child, in tree order) down.
   */
  private giveUp(): void {
    const { maxRestarts, withinMs } = this.settings;
    const error = new RestartIntensityError(this.path, maxRestarts, withinMs, this.restarts);
    this.group.fail({ path: this.path, phase: "run", error });
    for (const { failure } of this.window) if (failure) this.group.fail(failure);
  }

  /** Halts `child` for good: it leaves the supervisor, nothing restarts it. */
  *haltChild(child: Child): Operation<void> {
    if (!child.listed) return;
    this.unlist(child);
    const task = child.current;
    if (task) yield* task.halt();
    child.current = undefined;
    this.changes.wakeAll();
  }

  private unlist(child: Child): void {
    child.listed = false;
    child.pending = undefined;
    const at = this.children.indexOf(child);
    if (at !== -1) this.children.splice(at, 1);
  }
}

/** Waits until `task` has settled, every cleanup included; its outcome was reported already. */
function* settled(task: TaskHandle<void>): Operation<void> {
  try {
    yield* task;
  } catch {
    // A failure (reported by the incarnation itself) or a halt (by whoever halted it).
  }
}
