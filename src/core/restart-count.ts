/**
 * How many times a supervised child has been restarted, kept next to the
 * task (or group) that runs its current incarnation, for the task tree. A
 * `WeakMap` rather than a field: the tasks no supervisor started (nearly
 * all of them) pay nothing, and an entry goes away with its task.
 */
const counts = new WeakMap<object, number>();

/** Records that `node` runs a child restarted `count` times so far. */
export function setRestartCount(node: object, count: number): void {
  counts.set(node, count);
}

/** The restart count recorded for `node`, if any. */
export function restartCountOf(node: object): number | undefined {
  return counts.get(node);
}
