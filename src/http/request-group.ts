import { type Operation, resource, until } from "effection";
import { DrainContext } from "../core/drain-registry.ts";
import { group } from "../core/group.ts";
import { GroupNode } from "../core/group-node.ts";
import { onTeardown } from "../core/on-teardown.ts";
import type { RequestHandler } from "./request-handler.ts";
import type { RequestSettings } from "./request-options.ts";
import { RequestScopes } from "./request-scopes.ts";

/**
 * The resource behind `serve()` and `mount()`: a group (named like the
 * options say) whose children are the request scopes, drained before they
 * are halted, and known to `main()` so that its first signal starts the
 * drain. `open` sets up what feeds it requests and returns the caller's handle.
 */
export function requestGroup<T>(
  handler: RequestHandler,
  settings: RequestSettings,
  open: (scopes: RequestScopes) => Operation<T>,
): Operation<T> {
  return resource(function* (provide) {
    yield* group(
      function* (g) {
        if (!(g instanceof GroupNode)) throw new Error("unwind: expected a group made by group()");
        const scopes = new RequestScopes(g, handler, settings);
        // The group's teardown waits for the drain before it halts a request.
        g.setDrain(() => until(scopes.beginDrain()));
        const drains = yield* DrainContext.get();
        drains?.add(scopes);
        yield* onTeardown(() => void drains?.delete(scopes));
        yield* provide(yield* open(scopes));
      },
      // Requests are independent: halting them one by one would add up their teardowns.
      { name: settings.name, teardown: "concurrent" },
    );
  });
}
