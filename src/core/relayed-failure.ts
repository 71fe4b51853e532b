import type { Owner, TaskFailure } from "./types.ts";

/**
 * Failures that `yield* handle` threw into the code of an owner (a task or
 * a group body). If that code lets the same error escape, it passes the
 * failed task's failure on; it has not failed a second time. Kept in a side
 * table rather than on the owners, so that only code that waited for a
 * failed task pays for it.
 */
const received = new WeakMap<Owner, TaskFailure[]>();

/** `yield* handle` is about to throw `failure`'s error into `owner`'s code. */
export function relay(owner: Owner, failure: TaskFailure): void {
  const list = received.get(owner);
  if (list) list.push(failure);
  else received.set(owner, [failure]);
}

/**
 * The failure to record when `failure.error` escapes `owner`'s code: the
 * failure it received with that error if any (the same one, reaching the
 * group by a second route), else `failure` itself, a new one.
 */
export function failureOf(owner: Owner, failure: TaskFailure): TaskFailure {
  const list = received.get(owner);
  return list?.find((f) => f.error === failure.error) ?? failure;
}
