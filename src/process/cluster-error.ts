/**
 * A worker process of a `cluster()` did not do what it should: it exited
 * before it listened (`start`), it exited while nobody asked it to
 * (`run`: the cluster restarts it), or it did not shut down cleanly when
 * asked to (`stop`: an exit code other than 0 or 128 + a shutdown signal's
 * number, or it outlived `gracePeriod` and was killed).
 *
 * @example
 * ```ts
 * import { GroupError } from "unwind";
 * import { ClusterWorkerError } from "unwind/process";
 *
 * const crashes = (error: GroupError) =>
 *   error.failures.filter((f) => f.error instanceof ClusterWorkerError && f.error.phase === "run");
 * ```
 */
export class ClusterWorkerError extends Error {
  override name = "ClusterWorkerError";

  constructor(
    /** The slot's path, such as `main/cluster/worker-2`. */
    readonly path: string,
    readonly pid: number,
    readonly phase: "start" | "run" | "stop",
    /** How it exited: the exit code, or the signal that ended it. */
    readonly code: number | null,
    readonly signal: NodeJS.Signals | null,
    /** `stop` only: it outlived the grace period and was killed. */
    readonly killed = false,
  ) {
    super(`${path}: worker process ${pid} ${describe(phase, code, signal, killed)}`);
  }
}

function describe(
  phase: ClusterWorkerError["phase"],
  code: number | null,
  signal: string | null,
  killed: boolean,
) {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  if (phase === "start") return `${how} before it listened; check its output for the error`;
  if (phase === "run") return `${how} while nobody had asked it to stop (a crash); check its output`;
  if (killed) return "did not exit within the grace period after the shutdown request; killed with SIGKILL";
  return `${how} when asked to shut down (expected 0 or 128 + the signal's number); check its output`;
}
