import { type Operation, useScope } from "effection";
import { OwnerContext } from "../core/owner.ts";

/**
 * The path of the current task (or group body), such as `main/db/reader` or,
 * in a request scope of `serve()`, `main/http/GET /users #12`: for logs that
 * say which task they come from.
 *
 * @example
 * ```ts
 * import { main, onTeardown, useTaskPath } from "unwind";
 * import { suspend } from "effection";
 *
 * await main(function* (root) {
 *   root.spawn(function* () {
 *     const path = yield* useTaskPath(); // "main/worker"
 *     yield* onTeardown((reason) => console.log(`${path} ended (${reason?.kind ?? "returned"})`));
 *     yield* suspend();
 *   }, { name: "worker" });
 *   yield* suspend(); // Ctrl-C: "main/worker ended (signal)"
 * });
 * ```
 */
export function useTaskPath(): Operation<string> {
  return {
    *[Symbol.iterator]() {
      const owner = (yield* useScope()).get(OwnerContext);
      if (!owner) throw new Error("useTaskPath() must run inside main(), run() or group()");
      return owner.path;
    },
  };
}
