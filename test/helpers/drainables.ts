// The drainables (servers, mounted handlers) of the current root: what
// main() drains at its first signal. A test reaches them here to do what
// main() does, one step at a time (its shutdown delay, a drain started
// synchronously).
import type { Operation } from "effection";
import { DrainContext } from "../../src/core/drain-registry.ts";
import type { Drainable } from "../../src/core/types.ts";

export type { Drainable };

/** The drainables of the current root, oldest first. */
export function* useDrainables(): Operation<Drainable[]> {
  return [...(yield* DrainContext.expect())];
}
