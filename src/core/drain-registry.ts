import { createContext } from "effection";
import type { Drainable } from "./types.ts";

/** The drainables of the current root, set by `run()` and `main()`. */
export const DrainContext = createContext<Set<Drainable>>("unwind.drains");
