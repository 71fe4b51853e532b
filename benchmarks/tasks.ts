// Figures 1 and 2: spawn + join of N tasks in one group, and halt of N
// suspended tasks, for raw promises, plain effection, unwind and Effect.
import { Effect, Fiber } from "effect";
import { run as runEffection, scoped, spawn, suspend, type Task } from "effection";
import { type Root, run } from "unwind";
import { forkNeverEnding } from "./lib/effect-fibers.ts";
import { isEntry } from "./lib/entry.ts";
import { measure } from "./lib/measure.ts";
import { type BenchOptions, parseOptions } from "./lib/options.ts";
import { formatTable, type Row } from "./lib/table.ts";

const empty = function* () {};

export const spawnJoin = {
  raw: (n: number) => Promise.all(Array.from({ length: n }, async () => {})),
  effection: (n: number) =>
    runEffection(() =>
      scoped(function* () {
        const tasks: Task<void>[] = [];
        for (let i = 0; i < n; i++) tasks.push(yield* spawn(empty));
        for (const task of tasks) yield* task;
      }),
    ),
  // The group joins its children: no handle needs to be awaited.
  unwind: (n: number) =>
    run(function* (g) {
      for (let i = 0; i < n; i++) g.spawn(empty);
    }),
  Effect: (n: number) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const fibers = [];
        for (let i = 0; i < n; i++) fibers.push(yield* Effect.forkChild(Effect.void));
        for (const fiber of fibers) yield* Fiber.join(fiber);
      }),
    ),
};

/**
 * Each variant starts N suspended tasks (untimed) and resolves, once every
 * task has taken its first step, with the function that halts them all.
 */
export const haltAll: Record<string, (n: number) => Promise<() => PromiseLike<unknown>>> = {
  raw: async (n) => {
    // N raw "tasks": async functions suspended until one abort. (One
    // listener per task on the same signal would cost O(N^2) to add.)
    const controller = new AbortController();
    const aborted = new Promise((resolve) => controller.signal.addEventListener("abort", resolve));
    const waiting = Array.from({ length: n }, async () => {
      await aborted;
    });
    return () => {
      controller.abort();
      return Promise.all(waiting);
    };
  },
  effection: async (n) => {
    const task = runEffection(function* () {
      for (let i = 0; i < n; i++) yield* spawn(suspend);
      yield* suspend();
    });
    await nextTurn();
    return () => task.halt();
  },
  unwind: async (n) => {
    const root: Root<void> = run(function* (g) {
      for (let i = 0; i < n; i++) g.spawn(suspend);
      yield* suspend();
    });
    await nextTurn();
    return () => root.halt();
  },
  Effect: async (n) => {
    const { fiber, ready } = forkNeverEnding(n);
    await ready;
    await nextTurn();
    return () => Effect.runPromise(Fiber.interrupt(fiber));
  },
};

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

export async function tasks(options: BenchOptions): Promise<Row[]> {
  const sizes = options.quick ? [1000] : [1000, 20_000, 100_000];
  const rows: Row[] = [];
  for (const n of sizes) {
    // effection needs ~0.2 ms per task: at 100k one run takes ~20 s.
    const iterations = options.quick ? 1 : n >= 100_000 ? 1 : n >= 20_000 ? 3 : 20;
    const warmup = n < 20_000;
    const variants = Object.fromEntries(
      Object.entries(spawnJoin).map(([name, work]) => [name, { run: () => work(n) }]),
    );
    const settings = { iterations, warmup, unit: "µs/task", perRun: n } as const;
    rows.push(...(await measure(`spawn + join, N = ${n}`, variants, settings)));
    const halts = Object.fromEntries(
      Object.entries(haltAll).map(([name, start]) => {
        let halt: () => PromiseLike<unknown> = async () => {};
        const before = async () => {
          halt = await start(n);
        };
        return [name, { before, run: () => halt() }];
      }),
    );
    rows.push(...(await measure(`halt, N = ${n}`, halts, settings)));
  }
  return rows;
}

if (isEntry(import.meta.url)) console.log(formatTable(await tasks(parseOptions())));
