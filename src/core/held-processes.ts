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

/** Something held outside the task's own code that can describe itself. */
export interface HeldProcess {
  describe(): ProcessInfo;
}

// Keyed by the owner (a task or a group), so that tasks that hold nothing
// (nearly all of them) pay nothing: no field, no allocation.
const held = new WeakMap<object, Set<HeldProcess>>();

/** Shows `process` under `owner` in the task tree until the returned function is called. */
export function holdProcess(owner: object, process: HeldProcess): () => void {
  let set = held.get(owner);
  if (!set) held.set(owner, (set = new Set()));
  set.add(process);
  return () => {
    set.delete(process);
  };
}

/** What `owner` holds now, or `undefined` for nothing. */
export function processesOf(owner: object): ProcessInfo[] | undefined {
  const set = held.get(owner);
  if (!set || set.size === 0) return undefined;
  return [...set].map((process) => process.describe());
}
