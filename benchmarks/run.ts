// npm run bench [-- --quick] [-- --only=tasks,heap,bounded,shutdown,http,process,cluster,otel] [-- --write]
// Runs every benchmark and prints one table per figure, each with ratios to
// raw promises and to plain effection measured in the same run. --write puts
// the tables into benchmarks/RESULTS.md (between the results markers).
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { boundedConcurrency } from "./bounded.ts";
import { clusterBenchmark } from "./cluster.ts";
import { heap } from "./heap.ts";
import { http } from "./http.ts";
import type { BenchOptions } from "./lib/options.ts";
import { parseOptions } from "./lib/options.ts";
import { formatTable, type Row } from "./lib/table.ts";
import { otel } from "./otel.ts";
import { processes } from "./process.ts";
import { shutdown } from "./shutdown.ts";
import { tasks } from "./tasks.ts";

const suites: Record<string, (options: BenchOptions) => Promise<Row[]>> = {
  tasks,
  heap,
  bounded: boundedConcurrency,
  shutdown,
  http,
  process: processes,
  cluster: clusterBenchmark,
  otel,
};

const args = process.argv.slice(2);
const options = parseOptions(args);
const only = args
  .find((a) => a.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",");
const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
const started = performance.now();
const sections = [
  `Machine: ${machine}${options.quick ? " (quick mode: sizes too small to mean anything)" : ""}`,
];
console.log(sections[0]);

for (const [name, suite] of Object.entries(suites)) {
  if (only && !only.includes(name)) continue;
  const t0 = performance.now();
  const table = formatTable(await suite(options));
  const section = `### ${name}\n\n${table}`;
  sections.push(section);
  console.log(`\n${section}\n(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
console.log(`\nall benchmarks: ${((performance.now() - started) / 1000).toFixed(1)} s`);

if (args.includes("--write")) {
  const file = new URL("./RESULTS.md", import.meta.url);
  const text = readFileSync(file, "utf8");
  const [head, rest] = text.split("<!-- results:start -->");
  const tail = rest?.split("<!-- results:end -->")[1];
  if (head === undefined || tail === undefined) throw new Error("RESULTS.md lacks the results markers");
  writeFileSync(file, `${head}<!-- results:start -->\n${sections.join("\n\n")}\n<!-- results:end -->${tail}`);
  console.log("wrote benchmarks/RESULTS.md");
}
process.exit(0);
