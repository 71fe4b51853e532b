/**
 * unwind: structured-concurrency task groups for Node, built on effection.
 *
 * Every task belongs to a group; halting a group tears its tree down
 * post-order (children before their parent's cleanups) and every teardown
 * finishes before the group, or the process, ends.
 *
 * @module unwind
 */

export { Channels, type UnwindEvent } from "./core/diagnostics.ts";
export { group } from "./core/group.ts";
export { GroupError } from "./core/group-error.ts";
export { type HaltKind, HaltReason, type HaltReasonJSON } from "./core/halt-reason.ts";
export { HaltedError } from "./core/halted-error.ts";
export { onTeardown } from "./core/on-teardown.ts";
export { TimeoutError } from "./core/timeout-error.ts";
export type {
  Cleanup,
  Group,
  GroupOptions,
  ProcessInfo,
  ProcessInfoBase,
  SpawnOptions,
  TaskFailure,
  TaskHandle,
  TaskPhase,
  TaskState,
} from "./core/types.ts";
export { useHaltReason } from "./core/use-halt-reason.ts";
export { inspect, type TaskTree } from "./observe/inspect.ts";
export type { TeardownProgress } from "./observe/teardown-progress.ts";
export { formatTree, type TreeFormat } from "./observe/tree-printer.ts";
export { useTaskPath } from "./observe/use-task-path.ts";
export { abortable } from "./ops/abortable.ts";
export type { Backoff } from "./ops/backoff.ts";
export { type Job, mapLimit } from "./ops/map-limit.ts";
export { RestartIntensityError } from "./ops/restart-intensity-error.ts";
export { type ShieldOptions, shield } from "./ops/shield.ts";
export type {
  RestartStrategy,
  RestartType,
  SupervisedSpawnOptions,
  SupervisedTask,
  Supervisor,
} from "./ops/supervision.ts";
export { type SupervisorOptions, supervisor } from "./ops/supervisor.ts";
export { moveOnAfter, withTimeout } from "./ops/timeouts.ts";
export { useCancelSignal } from "./ops/use-cancel-signal.ts";
export { ExitCode } from "./program/exit-codes.ts";
export { type MainOptions, type MainOutcome, main } from "./program/main.ts";
export { type Root, type RunOptions, run } from "./program/run.ts";
