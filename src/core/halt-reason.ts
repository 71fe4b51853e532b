import { timedOutMessage } from "./timeout-error.ts";

/**
 * Why a task or group is being torn down: the `kind` of a `HaltReason`.
 *
 * @example
 * ```ts
 * import type { HaltKind } from "unwind";
 *
 * const expected: HaltKind[] = ["signal", "halted"];
 * ```
 */
export type HaltKind =
  | "signal"
  | "sibling-failed"
  | "timeout"
  | "parent-exited"
  | "client-disconnected"
  | "aborted"
  | "halted";

/**
 * A halt reason as plain data: what `HaltReason.toJSON()` returns, and what
 * the task tree (`TaskTree.haltReason`), the diagnostics events
 * (`UnwindEvent.reason`) and `unwind tree --json` carry.
 *
 * @example
 * ```ts
 * import { inspect, main, type HaltReasonJSON, type TaskTree } from "unwind";
 *
 * const reasons = (t: TaskTree): HaltReasonJSON[] => [
 *   ...(t.haltReason ? [t.haltReason] : []),
 *   ...t.children.flatMap(reasons),
 * ];
 *
 * await main(function* () {
 *   console.log(reasons(yield* inspect())); // [] while nothing is halting
 * });
 * ```
 */
export interface HaltReasonJSON {
  readonly kind: HaltKind;
  /** For people: `received SIGTERM`, `main/db failed`, `main/job timed out after 500 ms`, ... */
  readonly message: string;
}

/**
 * Why a task is being torn down: the value of `useHaltReason()`, the
 * `reason` of the `useCancelSignal()` signal, the argument of `onTeardown`
 * cleanups, and what the task tree and the stuck report show.
 *
 * It is an `Error` named `AbortError` (what `fetch` and other
 * `AbortSignal` users expect as an abort reason), but it is never thrown
 * into a halted task: halting is not an exception, and no `catch` sees it.
 *
 * - `signal`: the process received `signal` (SIGINT, SIGTERM, ...);
 * - `sibling-failed`: the task at `path` failed with `cause`;
 * - `timeout`: the group at `path` ran out of its `ms` (negative: its
 *   deadline had passed that many ms before it started);
 * - `parent-exited`: the scope around the group ended (e.g. it lost a race);
 * - `client-disconnected`: the HTTP client went away;
 * - `aborted`: an `AbortSignal` given to the group aborted with `cause`;
 * - `halted`: explicitly, by `g.halt()`, `handle.halt()` or `root.halt()`.
 *
 * @example
 * ```ts
 * import { main, onTeardown } from "unwind";
 * import { suspend } from "effection";
 *
 * await main(function* () {
 *   yield* onTeardown((reason) => {
 *     if (reason?.kind === "signal") console.log(`stopping on ${reason.signal}`);
 *   });
 *   yield* suspend(); // Ctrl-C: "stopping on SIGINT"
 * });
 * ```
 */
export class HaltReason extends Error {
  override name = "AbortError";

  private constructor(
    readonly kind: HaltKind,
    message: string,
    readonly details: { signal?: NodeJS.Signals; path?: string; ms?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  /** The signal, for `kind: "signal"`. */
  get signal(): NodeJS.Signals | undefined {
    return this.details.signal;
  }

  /** The failed task (`sibling-failed`) or the timed-out group (`timeout`). */
  get path(): string | undefined {
    return this.details.path;
  }

  static signal(signal: NodeJS.Signals): HaltReason {
    return new HaltReason("signal", `received ${signal}`, { signal });
  }

  static siblingFailed(path: string, cause: unknown): HaltReason {
    return new HaltReason("sibling-failed", `${path || "a task"} failed`, { path, cause });
  }

  static timeout(path: string, ms: number): HaltReason {
    return new HaltReason("timeout", timedOutMessage(path || "a group", ms), { path, ms });
  }

  static parentExited(): HaltReason {
    return PARENT_EXITED;
  }

  static clientDisconnected(): HaltReason {
    return new HaltReason("client-disconnected", "the client disconnected");
  }

  static aborted(cause: unknown): HaltReason {
    return new HaltReason("aborted", "the group's AbortSignal aborted", { cause });
  }

  static halted(cause?: unknown): HaltReason {
    return cause === undefined ? HALTED : new HaltReason("halted", "halted", { cause });
  }

  /** Plain data, for `JSON.stringify`, the task tree and the diagnostics events. */
  toJSON(): HaltReasonJSON {
    return { kind: this.kind, message: this.message };
  }
}

// Shared instances for the reasons without details: no allocation per halt.
const PARENT_EXITED = Reflect.construct(HaltReason, [
  "parent-exited",
  "the enclosing scope ended",
]) as HaltReason;
const HALTED = Reflect.construct(HaltReason, ["halted", "halted"]) as HaltReason;
