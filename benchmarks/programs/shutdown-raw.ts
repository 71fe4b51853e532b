// N pending "tasks" as raw promises, each with a 1 ms asynchronous cleanup.
// On SIGTERM: run every cleanup in parallel, await them all, exit 143.
// Usage: shutdown-raw.ts <N>
import { shutdownProgram } from "../lib/program-args.ts";

const { n, cleaned } = shutdownProgram("shutdown-raw");
const keepAlive = setInterval(() => {}, 2 ** 31 - 1);
const cleanups: (() => Promise<void>)[] = [];
const tasks: Promise<void>[] = [];
for (let i = 0; i < n; i++) {
  tasks.push(new Promise<void>(() => {}));
  cleanups.push(() => new Promise<void>((resolve) => setTimeout(resolve, 1)).then(cleaned));
}

process.once("SIGTERM", async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  clearInterval(keepAlive);
  process.exit(143);
});

process.stdout.write(tasks.length === n ? "ready\n" : "");
