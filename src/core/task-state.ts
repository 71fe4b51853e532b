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
 * import { main, type TaskState } from "unwind";
 * import { suspend } from "effection";
 *
 * await main(function* (root) {
 *   const worker = root.spawn(function* () {
 *     yield* suspend();
 *   }, { name: "worker" });
 *   const before: TaskState = worker.state; // "running"
 *   yield* worker.halt();
 *   console.log(before, worker.state); // running halted
 * });
 * ```
 */
export type TaskState = "queued" | "running" | "halting" | "done" | "failed" | "halted";
