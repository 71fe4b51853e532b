// A CPU pool: fib() in two worker threads, fanned out with mapLimit, then a
// job that takes too long, given up by a timeout. Its synchronous work
// cannot see the halt, so after the pool's gracePeriod its thread is
// terminated and a fresh worker takes its place; the pool goes on.
//
// Run: node --conditions=unwind-source --import tsx examples/cpu-pool/main.ts
import { main, mapLimit, moveOnAfter } from "unwind";
import { workerPool } from "unwind/process";
import { workerModule } from "./worker-module.ts";

await main(function* () {
  const pool = yield* workerPool<number, number>(workerModule("./fib-worker.ts"), {
    size: 2,
    gracePeriod: 500,
  });

  const ns = [25, 26, 27, 28, 29, 30];
  const results = yield* mapLimit(ns, pool.size, (n) => pool.run(n));
  for (const [i, n] of ns.entries()) console.log(`fib(${n}) = ${results[i]}`);

  const late = yield* moveOnAfter(200, pool.run(45)); // seconds of work
  console.log(
    late === undefined ? "fib(45): gave up after 200 ms; its worker was replaced" : `fib(45) = ${late}`,
  );

  console.log(`the pool goes on: fib(31) = ${yield* pool.run(31)}`);
});
