import { readFileSync } from "node:fs";

/** The parts of a V8 `.cpuprofile` (from `--cpu-prof` or the inspector) that the summary reads. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** One line of the split: where self time went. */
export interface Share {
  category: string;
  ms: number;
  /** Share of the busy time (idle excluded). */
  percent: number;
}

/**
 * Which part of the system a frame belongs to. effection's files are grouped
 * by what they do on the halt path; unwind's by file. A frame without a
 * script (a V8 builtin) is charged to the nearest caller that has one.
 */
export function categoryOf(url: string, functionName: string): string | undefined {
  if (functionName === "(garbage collector)") return "GC";
  if (functionName === "(idle)") return "idle";
  if (functionName === "(program)") return "V8 / native (program)";
  if (functionName === "(root)") return "V8 / native (program)";
  if (!url) return undefined;
  if (url === "node:inspector") return PROFILER;
  const effection = /\/node_modules\/effection\/(?:esm|script)\/lib\/([^/]+)\.js$/.exec(url);
  if (effection) return `effection: ${effectionGroup(effection[1]!)}`;
  const own = /\/src\/(.+\.ts)$/.exec(url);
  if (own) return `unwind: ${own[1]}`;
  if (url.includes("/node_modules/effect/") || url.includes("/node_modules/@effect/")) return "Effect";
  if (url.includes("/benchmarks/")) return "benchmark program";
  if (url.includes("/node_modules/tsx/") || url.includes("/node_modules/esbuild/")) return "loader (tsx)";
  if (url.startsWith("node:")) return `Node: ${url.slice("node:".length).split("/").slice(-1)[0]}`;
  return `other: ${url}`;
}

/** The profiler's own start and stop: left out of the busy time, like idle. */
const PROFILER = "profiler (left out)";

const EFFECTION_GROUPS: Record<string, string> = {
  task: "task create/halt/settle (task, task-group, trap)",
  "task-group": "task create/halt/settle (task, task-group, trap)",
  trap: "task create/halt/settle (task, task-group, trap)",
  reducer: "reducer queue and coroutine steps",
  coroutine: "reducer queue and coroutine steps",
  "priority-queue": "reducer queue and coroutine steps",
  "scope-internal": "scope create/destroy and contexts",
  scope: "scope create/destroy and contexts",
  scoped: "scope create/destroy and contexts",
  context: "scope create/destroy and contexts",
  contexts: "scope create/destroy and contexts",
  "api-internal": "scope create/destroy and contexts",
  api: "scope create/destroy and contexts",
  future: "futures, promises, actions",
  "lazy-promise": "futures, promises, actions",
  "with-resolvers": "futures, promises, actions",
  action: "futures, promises, actions",
  until: "futures, promises, actions",
  call: "futures, promises, actions",
  result: "futures, promises, actions",
  maybe: "futures, promises, actions",
};

function effectionGroup(file: string): string {
  return EFFECTION_GROUPS[file] ?? `other (${file}.js)`;
}

/** Self time per category and per function, in ms. */
export function summarise(file: string): { total: number; busy: number; shares: Share[]; top: Share[] } {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const categoryCache = new Map<number, string>();
  const categoryOfNode = (id: number): string => {
    const cached = categoryCache.get(id);
    if (cached) return cached;
    let at: number | undefined = id;
    let category: string | undefined;
    while (at !== undefined && category === undefined) {
      const { url, functionName } = byId.get(at)!.callFrame;
      category = categoryOf(url, functionName);
      at = parent.get(at);
    }
    category ??= "V8 / native (program)";
    categoryCache.set(id, category);
    return category;
  };
  const perCategory = new Map<string, number>();
  const perFunction = new Map<string, number>();
  let total = 0;
  // timeDeltas[i] is the time between sample i - 1 and sample i: charge it to sample i.
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    total += us;
    const category = categoryOfNode(id);
    perCategory.set(category, (perCategory.get(category) ?? 0) + us);
    const frame = byId.get(id)!.callFrame;
    const where = frame.url
      ? `${frame.url.split("/").slice(-2).join("/")}:${frame.lineNumber + 1}`
      : category;
    const name = `${frame.functionName || "(anonymous)"} ${where}`;
    perFunction.set(name, (perFunction.get(name) ?? 0) + us);
  });
  const busy = total - (perCategory.get("idle") ?? 0) - (perCategory.get(PROFILER) ?? 0);
  const toShares = (map: Map<string, number>) =>
    [...map]
      .map(([category, us]) => ({ category, ms: us / 1000, percent: (100 * us) / busy }))
      .sort((a, b) => b.ms - a.ms);
  return {
    total: total / 1000,
    busy: busy / 1000,
    shares: toShares(perCategory),
    top: toShares(perFunction).slice(0, 15),
  };
}

/** The split as markdown: categories, then the larger parts summed (effection, unwind, GC, ...). */
export function formatSummary(summary: ReturnType<typeof summarise>): string {
  const parts = new Map<string, number>();
  for (const share of summary.shares) {
    const part = share.category.split(":")[0]!;
    parts.set(part, (parts.get(part) ?? 0) + share.ms);
  }
  const row = (name: string, ms: number) =>
    `| ${name} | ${ms.toFixed(1)} | ${name === "idle" || name === PROFILER ? "–" : `${((100 * ms) / summary.busy).toFixed(1)} %`} |`;
  return [
    `profiled ${summary.total.toFixed(0)} ms, busy ${summary.busy.toFixed(0)} ms (self time; % of busy time)`,
    "",
    "| part | ms | share |",
    "|---|---:|---:|",
    ...[...parts].sort((a, b) => b[1] - a[1]).map(([name, ms]) => row(name, ms)),
    "",
    "| category | ms | share |",
    "|---|---:|---:|",
    ...summary.shares
      .filter((s) => s.percent >= 0.5 || s.category === "idle")
      .map((s) => row(s.category, s.ms)),
    "",
    "| function (top 15 by self time) | ms | share |",
    "|---|---:|---:|",
    ...summary.top.map((s) => row(s.category, s.ms)),
  ].join("\n");
}
