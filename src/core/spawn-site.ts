import { isOwnFrame } from "./own-code.ts";

/**
 * Where tasks and groups were started, for the stuck report and the task
 * tree. Off by default: it takes a stack trace per spawn, which makes a
 * spawn markedly slower (benchmarks/RESULTS.md). On with
 * `UNWIND_SPAWN_SITES=1` in the environment or `main({ spawnSites: true })`.
 */
let enabled = process.env.UNWIND_SPAWN_SITES === "1";

export function recordSpawnSites(on: boolean): void {
  enabled = on;
}

// Frames of unwind itself (see own-code.ts), of effection, of Node and of
// generator plumbing (`Generator.next (<anonymous>)`) are not the site.
const foreign = ["/effection/", "(node:", "(<anonymous>)"];

/** The first stack frame outside unwind and effection, or undefined when off. */
export function spawnSite(): string | undefined {
  if (!enabled) return undefined;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  for (const line of stack.split("\n").slice(1)) {
    if (isOwnFrame(line) || foreign.some((part) => line.includes(part))) continue;
    return line.trim().replace(/^at /, "");
  }
  return undefined;
}
