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
 * const worker = g.spawn(job, { name: "worker" });
 * if (worker.state === "running") yield* worker.halt();
 * ```
 */
export type TaskState = "queued" | "running" | "halting" | "done" | "failed" | "halted";
