import type { TaskFailure } from "./types.ts";

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
 * Adds `failure` to `list` unless that same failure is already there, and
 * says whether it did. A nested `GroupError` is flattened into its failures.
 *
 * What makes two failures the same: a failure *is* its `TaskFailure`
 * record, made once where the error happened (a task's body, a cleanup, a
 * timeout, the process), never its error value. Two tasks that throw the
 * same value (`"boom"`, `undefined`, `0`, even one shared `Error` object)
 * make two records, and both are kept, each with its path and phase. The
 * record, not the value, is what travels: a nested group's `GroupError`
 * carries its records up (thrown and flattened, or adopted when the group
 * was halted from outside), and a task that rethrows the error it got from
 * `yield* handle` of a failed task passes that task's record on (see
 * `failureOf`). So the only thing merged here is one failure reaching a
 * group twice, through two routes.
 */
export function addFailure(list: TaskFailure[], failure: TaskFailure): boolean {
  const { error } = failure;
  if (error instanceof GroupError) {
    let added = false;
    for (const inner of error.failures) added = addFailure(list, inner) || added;
    return added;
  }
  if (list.includes(failure)) return false;
  list.push(failure);
  return true;
}
