/**
 * unwind: structured-concurrency task groups for Node, built on effection.
 *
 * Every task belongs to a group; halting a group tears its tree down
 * post-order (children before their parent's cleanups) and every teardown
 * finishes before the group, or the process, ends.
 *
 * @module
 */
export type { Cleanup } from "./cleanup.ts";
export { Channels, type UnwindEvent } from "./diagnostics.ts";
export { ExitCode } from "./exit-codes.ts";
export { type FetchHandler, fromFetch } from "./from-fetch.ts";
export { group } from "./group.ts";
export { GroupError, type TaskFailure, type TaskPhase } from "./group-error.ts";
export type { Group, GroupOptions, SpawnOptions } from "./group-node.ts";
export { type HaltKind, HaltReason } from "./halt-reason.ts";
export { formatTree, inspect, type TaskTree } from "./inspect.ts";
export { type MainOptions, type MainOutcome, main } from "./main.ts";
export { type Job, mapLimit } from "./map-limit.ts";
export { type MountedHandler, mount } from "./mount.ts";
export { onTeardown } from "./on-teardown.ts";
export type { RequestErrorInfo, RequestHandler } from "./request-handler.ts";
export type { RequestOptions } from "./request-options.ts";
export { type Root, type RunOptions, run } from "./run.ts";
export { type HttpServer, type ServeOptions, serve } from "./serve.ts";
export { type ShieldOptions, shield } from "./shield.ts";
export type { TaskHandle } from "./task-node.ts";
export type { TaskState } from "./task-state.ts";
export { TimeoutError } from "./timeout-error.ts";
export { moveOnAfter, withTimeout } from "./timeouts.ts";
export { useCancelSignal } from "./use-cancel-signal.ts";
export { useHaltReason } from "./use-halt-reason.ts";
export { useTaskPath } from "./use-task-path.ts";
