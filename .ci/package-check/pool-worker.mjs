// A workerPool() worker as a user ships it: plain JavaScript against the
// installed package.
import { main } from "unwind";
import { serveJobs } from "unwind/process";

const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2));
await main(() => serveJobs((n) => fib(n)));
