// The pool's worker: its own main() answers the pool's jobs. When the pool
// stops it, main() sees that as SIGTERM and tears its tree down.
import { main } from "unwind";
import { serveJobs } from "unwind/process";

const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));

await main(() => serveJobs((n: number) => fib(n)));
