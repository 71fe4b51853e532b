// Where the time of a shutdown goes: runs one shutdown program (the same as
// benchmarks/shutdown.ts) with V8's CPU profiler started at SIGTERM, and
// prints the profile's self time split into categories (effection's halt
// path, GC, unwind's own files, Node, ...), so the split can be redone after
// a change. Also summarises any .cpuprofile (e.g. from `node --cpu-prof`).
//
//   node --conditions=unwind-source --import tsx benchmarks/profile.ts [--n=10000] [--program=unwind-concurrent] [--keep=DIR]
//   node --conditions=unwind-source --import tsx benchmarks/profile.ts FILE.cpuprofile
//
// programs: unwind-concurrent, unwind-serial, effection, effection-all (every
// task halted at once by hand, cleanups on scope.ensure), effect, raw.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { formatSummary, summarise } from "./lib/cpu-profile.ts";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const programs: Record<string, string[]> = {
  "unwind-concurrent": [here("./programs/shutdown-unwind.ts"), "concurrent"],
  "unwind-serial": [here("./programs/shutdown-unwind.ts"), "serial"],
  effection: [here("./programs/shutdown-effection.ts")],
  "effection-all": [here("./programs/shutdown-effection-all.ts"), "scope-ensure"],
  effect: [here("./programs/shutdown-effect.ts")],
  raw: [here("./programs/shutdown-raw.ts")],
};

const args = process.argv.slice(2);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const file = args.find((a) => !a.startsWith("--"));

if (file) {
  console.log(formatSummary(summarise(file)));
} else {
  const n = Number(option("n") ?? 10_000);
  const name = option("program") ?? "unwind-concurrent";
  const program = programs[name];
  if (!program)
    throw new Error(`profile: unknown --program=${name}; one of ${Object.keys(programs).join(", ")}`);
  const out = join(
    option("keep") ?? mkdtempSync(join(tmpdir(), "unwind-profile-")),
    `shutdown-${name}-${n}.cpuprofile`,
  );
  const [script, ...extra] = program;
  const child = spawn(
    process.execPath,
    [
      "--conditions=unwind-source",
      "--import",
      "tsx",
      "--import",
      here("./lib/profile-after-sigterm.ts"),
      script!,
      String(n),
      ...extra,
    ],
    {
      cwd: projectRoot,
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, UNWIND_PROFILE_OUT: out },
    },
  );
  let stdout = "";
  child.stdout.setEncoding("utf8");
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      if (stdout.split("\n").includes("ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`profile: ${name} exited with ${code} before "ready"`)));
  });
  const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
  await ready;
  await delay(100);
  const start = performance.now();
  child.kill("SIGTERM");
  const exit = await closed;
  const ms = performance.now() - start;
  const cleanups = /^cleanups (\d+)$/m.exec(stdout)?.[1];
  console.log(
    `${name}, N = ${n}: SIGTERM to exit ${ms.toFixed(0)} ms (profiler on), exit ${exit}, cleanups ${cleanups} of ${n}`,
  );
  console.log(`profile: ${out}\n`);
  console.log(formatSummary(summarise(out)));
}
