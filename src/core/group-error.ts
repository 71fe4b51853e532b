import type { HaltReason } from "./halt-reason.ts";

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
 * Every error of a group: the first failure, the failures of siblings that
 * failed while it was tearing down, and errors thrown by cleanups. Nested
 * groups are flattened: each failure keeps its full task path.
 *
 * `errors` holds the raw errors (as `AggregateError` does), `failures` the
 * same errors with their path and phase, and `cause` the first failure.
 *
 * @example
 * ```ts
 * import { group, GroupError } from "unwind";
 * import { run } from "effection";
 *
 * await run(function* () {
 *   try {
 *     yield* group(function* (g) {
 *       g.spawn(function* () { throw new Error("disk full"); }, { name: "writer" });
 *     }, { name: "save" });
 *   } catch (error) {
 *     if (error instanceof GroupError) {
 *       for (const f of error.failures) console.log(f.path, f.phase, String(f.error));
 *       // save/writer run Error: disk full
 *     }
 *   }
 * });
 * ```
 */
export class GroupError extends AggregateError {
  override name = "GroupError";
  /** Path of the group that threw. */
  readonly path: string;
  readonly failures: readonly TaskFailure[];

  constructor(path: string, failures: readonly TaskFailure[]) {
    super(
      failures.map((f) => f.error),
      describe(path, failures),
      { cause: failures[0]?.error },
    );
    this.path = path;
    this.failures = failures;
  }
}

function describe(path: string, failures: readonly TaskFailure[]): string {
  const count = failures.length === 1 ? "1 failure" : `${failures.length} failures`;
  const list = failures.map((f) => `${f.path} (${f.phase}): ${messageOf(f.error)}`).join("; ");
  return `${path || "group"}: ${count}: ${list}`;
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Adds `failure` to `list`, flattening a nested `GroupError` and skipping an
 * error object that is already there (a task that rethrows a sibling's error
 * must not make it appear twice).
 */
export function addFailure(list: TaskFailure[], failure: TaskFailure): void {
  const { error } = failure;
  if (error instanceof GroupError) {
    for (const inner of error.failures) addFailure(list, inner);
    return;
  }
  if (list.some((f) => f.error === error)) return;
  list.push(failure);
}
