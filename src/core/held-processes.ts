import type { HeldProcess, ProcessInfo } from "./types.ts";

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
