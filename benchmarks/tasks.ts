// Figures 1 and 2: spawn + join of N tasks in one group, and halt of N
// suspended tasks, for raw promises, plain effection, unwind and Effect.
import { setMaxListeners } from "node:events";
import { Effect, Fiber } from "effect";
import { run as runEffection, scoped, spawn, suspend, type Task } from "effection";
import { type Root, run } from "unwind";
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

/** Each variant starts N suspended tasks (untimed) and returns how to halt them all. */
export const haltAll = {
  raw: (n: number) => {
    const controller = new AbortController();
    setMaxListeners(n + 1, controller.signal);
    const waiting = Array.from(
      { length: n },
      () => new Promise((resolve) => controller.signal.addEventListener("abort", resolve, { once: true })),
    );
    return () => {
      controller.abort();
      return Promise.all(waiting);
    };
  },
  effection: (n: number) => {
    const task = runEffection(function* () {
      for (let i = 0; i < n; i++) yield* spawn(suspend);
      yield* suspend();
    });
    return () => task.halt();
  },
  unwind: (n: number) => {
    const root: Root<void> = run(function* (g) {
      for (let i = 0; i < n; i++) g.spawn(suspend);
      yield* suspend();
    });
    return () => root.halt();
  },
  Effect: (n: number) => {
    const fiber = Effect.runFork(
      Effect.gen(function* () {
        for (let i = 0; i < n; i++) yield* Effect.forkChild(Effect.never);
        return yield* Effect.never;
      }),
    );
    return () => Effect.runPromise(Fiber.interrupt(fiber));
  },
};

export async function tasks(options: BenchOptions): Promise<Row[]> {
  const sizes = options.quick ? [1000] : [1000, 20_000, 100_000];
  const rows: Row[] = [];
  for (const n of sizes) {
    const iterations = options.quick ? 1 : n >= 100_000 ? 3 : n >= 20_000 ? 5 : 20;
    const variants = Object.fromEntries(
      Object.entries(spawnJoin).map(([name, work]) => [name, { run: () => work(n) }]),
    );
    rows.push(
      ...(await measure(`spawn + join, N = ${n}`, variants, { iterations, unit: "µs/task", perRun: n })),
    );
    const halts = Object.fromEntries(
      Object.entries(haltAll).map(([name, start]) => {
        let halt: () => Promise<unknown> = async () => {};
        return [
          name,
          {
            before: async () => {
              halt = start(n);
              // Let every task take its first step before the clock starts.
              await new Promise((resolve) => setImmediate(resolve));
            },
            run: () => halt(),
          },
        ];
      }),
    );
    rows.push(...(await measure(`halt, N = ${n}`, halts, { iterations, unit: "µs/task", perRun: n })));
  }
  return rows;
}

if (isEntry(import.meta.url)) console.log(formatTable(await tasks(parseOptions())));
