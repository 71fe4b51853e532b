/**
 * Short ids for the task tree, so that two siblings of the same name (or a
 * task and the unnamed group it runs, which share a path) can be told apart.
 *
 * An id is given the first time a task or group appears in a snapshot and
 * kept for its life (per process, never reused): nothing is paid for tasks
 * nobody inspects, and the same task has the same id in every snapshot, the
 * in-process `inspect()` and `unwind tree <pid>` alike.
 */
const ids = new WeakMap<object, number>();
let last = 0;

export function taskId(node: object): number {
  let id = ids.get(node);
  if (id === undefined) ids.set(node, (id = ++last));
  return id;
}
