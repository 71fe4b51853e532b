import { type Operation, resource, until } from "effection";
import { DrainContext } from "../core/drain-registry.ts";
import { internalGroup } from "../core/group.ts";
import { onTeardown } from "../core/on-teardown.ts";
import type { TaskNode } from "../core/task-node.ts";
import type { GroupInternal } from "../core/types.ts";
import type { Connections } from "./connections.ts";
import { RequestDispatcher } from "./request-dispatcher.ts";
import { RequestDrain } from "./request-drain.ts";
import type { RequestHandler } from "./request-handler.ts";
import type { RequestSettings } from "./request-options.ts";

/** Where the requests come from: what `serve()` and `mount()` differ in. */
export interface RequestSource {
  /** The connections the requests come on. */
  readonly connections: Connections;
  /** Called once, first thing in the drain (`serve()` stops listening). */
  readonly stopAccepting?: () => void;
}

/**
 * The resource behind `serve()` and `mount()`: a group (named like the
 * options say) whose children are the request scopes, drained before they
 * are halted, and known to `main()` so that its first signal starts the
 * drain. `open` connects the dispatcher to what feeds it requests and
 * returns the caller's handle.
 */
export function requestGroup<T>(
  handler: RequestHandler,
  settings: RequestSettings,
  source: RequestSource,
  open: (
    dispatcher: RequestDispatcher,
    drain: RequestDrain,
    g: GroupInternal<TaskNode<unknown>>,
  ) => Operation<T>,
): Operation<T> {
  return resource(function* (provide) {
    yield* internalGroup(
      function* (g) {
        const drain = new RequestDrain(g.path, settings, source.connections, source.stopAccepting);
        const dispatcher = new RequestDispatcher(g, handler, settings, drain, source.connections);
        // The group's teardown waits for the drain before it halts a request.
        g.drainChildrenFirst(() => until(drain.beginDrain()));
        const drains = yield* DrainContext.get();
        drains?.add(drain);
        yield* onTeardown(() => void drains?.delete(drain));
        yield* provide(yield* open(dispatcher, drain, g));
      },
      // Requests are independent: halting them one by one would add up their teardowns.
      { name: settings.name, teardown: "concurrent" },
    );
  });
}
