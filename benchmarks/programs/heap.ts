// Heap bytes per suspended task, and the CPU time it took to get them all
// suspended, measured in a fresh process (run with --expose-gc):
// node --expose-gc ... programs/heap.ts <variant> <n>
import { ensure, run as runEffection, spawn, suspend } from "effection";
import { onTeardown, run } from "unwind";
import { forkNeverEnding } from "../lib/effect-fibers.ts";

const [variant = "", count = "20000"] = process.argv.slice(2);
const n = Number(count);
const gc = globalThis.gc;
if (!gc) throw new Error("run with --expose-gc");

const start: Record<string, () => unknown> = {
  raw: () => {
    // N raw "tasks": async functions suspended until one abort. (One
    // listener per task on the same signal would cost O(N^2) to add.)
    const controller = new AbortController();
    const aborted = new Promise((resolve) => controller.signal.addEventListener("abort", resolve));
    return Array.from({ length: n }, async () => {
      await aborted;
    });
  },
  effection: () =>
    runEffection(function* () {
      for (let i = 0; i < n; i++) yield* spawn(suspend);
      yield* suspend();
    }),
  "effection + ensure": () =>
    runEffection(function* () {
      for (let i = 0; i < n; i++)
        yield* spawn(function* () {
          yield* ensure(() => {});
          yield* suspend();
        });
      yield* suspend();
    }),
  unwind: () =>
    run(function* (g) {
      for (let i = 0; i < n; i++) g.spawn(suspend);
      yield* suspend();
    }),
  "unwind + onTeardown": () =>
    run(function* (g) {
      for (let i = 0; i < n; i++)
        g.spawn(function* () {
          yield* onTeardown(() => {});
          yield* suspend();
        });
      yield* suspend();
    }),
  Effect: () => forkNeverEnding(n),
};

const make = start[variant];
if (!make) throw new Error(`unknown variant ${variant}; one of ${Object.keys(start).join(", ")}`);
const settle = () => new Promise((resolve) => setImmediate(resolve));
// Settle what loading left behind before taking the baseline.
for (let i = 0; i < 3; i++) {
  await settle();
  gc();
}
const before = process.memoryUsage().heapUsed;
const cpuBefore = process.cpuUsage();
const held = make();
if (held && typeof held === "object" && "ready" in held) await held.ready;
await settle();
await settle();
// CPU (all threads) from the first spawn until every task is suspended.
const cpu = process.cpuUsage(cpuBefore);
gc();
const after = process.memoryUsage().heapUsed;
const spawnUsPerTask = (cpu.user + cpu.system) / n;
console.log(
  JSON.stringify({
    variant,
    n,
    bytesPerTask: (after - before) / n,
    spawnUsPerTask,
    held: held !== undefined,
  }),
);
process.exit(0);
