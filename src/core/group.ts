import { type Operation, scoped, useScope } from "effection";
import { checkGroup, returnsOperation } from "./arguments.ts";
import { GroupError } from "./group-error.ts";
import { GroupNode } from "./group-node.ts";
import { detachedOwner, OwnerContext } from "./owner.ts";
import type { TaskNode } from "./task-node.ts";
import type { Group, GroupInternal, GroupOptions } from "./types.ts";

/**
 * Runs `body` as a group: a scope whose child tasks are started with
 * `g.spawn()` / `g.start()` and all belong to it.
 *
 * - Join: returns the body's value only after the body and every child have
 *   finished and every cleanup has run.
 * - Fail-fast: the first failure halts the body and the other children; then
 *   the group throws one `GroupError` with every failure (including errors
 *   thrown by cleanups), each tagged with its task path and phase.
 * - Tree order: on teardown the body is halted, then the children (newest
 *   first, or all at once with `teardown: "concurrent"`), each child's
 *   subtree before the child's own cleanups, then the body's cleanups.
 * - `g.halt()` ends the group early; it then returns `undefined`.
 *
 * @param body The group's body: gets the handle `g` that starts its tasks.
 * @param options `name`, `policy`, `teardown`, `limit`, `timeout`, `deadline`, `signal`, `onError`:
 *   see `GroupOptions`. A misspelt or out-of-range value throws at the call.
 * @returns An operation: run it with `yield*` for the body's value (`undefined` if
 *   the group was ended by `g.halt()` or its `signal`).
 * @throws A `GroupError` with every failure of the group, once its teardown has finished.
 *
 * @example
 * ```ts
 * import { main, group, onTeardown } from "unwind";
 * import { sleep, suspend } from "effection";
 *
 * await main(function* () {
 *   const total = yield* group(function* (g) {
 *     yield* onTeardown(() => console.log("pool closed")); // after both workers
 *     const a = g.spawn(function* () { yield* sleep(10); return 1; }, { name: "a" });
 *     const b = g.spawn(function* () { yield* sleep(20); return 2; }, { name: "b" });
 *     return (yield* a) + (yield* b);
 *   }, { name: "pool" });
 *   console.log(total); // 3
 * });
 * ```
 */
export function group<T>(body: (g: Group) => Operation<T>, options: GroupOptions = {}): Operation<T> {
  checkGroup(body, options);
  return openGroup(returnsOperation("group()", "body", body), options);
}

/**
 * `group()` for unwind's own operations: the body gets the group as a
 * `GroupInternal` (see there). Not exported from the package.
 */
export function internalGroup<T>(
  body: (g: GroupInternal<TaskNode<unknown>>) => Operation<T>,
  options: GroupOptions = {},
): Operation<T> {
  checkGroup(body, options);
  return openGroup(returnsOperation("group()", "body", body), options);
}

function openGroup<T>(body: (g: GroupNode) => Operation<T>, options: GroupOptions): Operation<T> {
  return {
    *[Symbol.iterator]() {
      const scope = yield* useScope();
      const owner = scope.get(OwnerContext) ?? detachedOwner;
      const node = new GroupNode(owner, options.name, options);
      let thrown = false;
      try {
        const value = yield* scoped(() => node.main(body));
        if (node.failures.length > 0) {
          thrown = true;
          throw new GroupError(node.path, node.failures);
        }
        // `undefined` only when the group was halted from inside (g.halt()).
        return value as T;
      } finally {
        // Halted from outside, even in the instant after the group ended by
        // itself: this frame can no longer throw, so the owner takes the
        // errors. (Synchronous on purpose, see "effection pitfalls".)
        if (!thrown && node.failures.length > 0) node.owner.adopt(node.failures);
      }
    },
  };
}
