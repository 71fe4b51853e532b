import { isOwnFrame, stackBelow } from "../core/own-code.ts";

/**
 * Refuses to make a root inside a running unwind task (or group body, or
 * cleanup): that root would belong to nobody, outlive the task, and escape
 * its halt, its errors and its teardown. Trio raises in the same case.
 *
 * Detected from the call stack, and only here: one stack trace per root,
 * nothing per task. A frame of unwind's own code below the call means that
 * unwind is running user code at this moment. A call made later, from an
 * async callback (after an `await`, in a timer or an event listener), has
 * no such frame and is not caught.
 */
export function refuseNestedRoot(name: "run" | "main", entry: (...args: never[]) => unknown): void {
  if (!stackBelow(entry).some(isOwnFrame)) return;
  throw new Error(
    `${name}() was called inside a running unwind task: the root it would make belongs to nobody and would outlive the task. ` +
      "Start the work in the task's own tree instead: g.spawn(() => work()) for a task, or yield* group(body) for a nested group",
  );
}
