// Plain effection without its main(): N tasks, each with a 1 ms
// asynchronous cleanup, and on SIGTERM every task halted at once by hand
// (task.halt() of all, then one wait). The floor for what unwind's
// concurrent teardown does with effection.
// mode "ensure": the cleanup is effection's public ensure() (a resource, so
// one more task per cleanup); "scope-ensure": the scope's private destructor
// stack, which unwind's onTeardown() uses.
// Usage: shutdown-effection-all.ts <N> <ensure|scope-ensure>
import {
  ensure,
  type Operation,
  run,
  type Scope,
  sleep,
  spawn,
  suspend,
  type Task,
  until,
  useScope,
} from "effection";
import { shutdownProgram } from "../lib/program-args.ts";

const { n, cleaned } = shutdownProgram("shutdown-effection-all");
const mode = process.argv[3];
if (mode !== "ensure" && mode !== "scope-ensure") {
  throw new Error(`shutdown-effection-all: mode must be ensure or scope-ensure, got ${mode}`);
}
const cleanup = () => new Promise<void>((resolve) => setTimeout(resolve, 1)).then(cleaned);
const keepAlive = setInterval(() => {}, 2 ** 30);
const tasks: Task<void>[] = [];

const root = run(function* () {
  let registered = 0;
  for (let i = 0; i < n; i++) {
    const task = yield* spawn(function* () {
      if (mode === "ensure") {
        yield* ensure(() => until(cleanup()));
      } else {
        const scope = (yield* useScope()) as Scope & { ensure(op: () => Operation<void>): () => void };
        scope.ensure(() => until(cleanup()));
      }
      registered++;
      yield* suspend();
    });
    tasks.push(task);
  }
  while (registered < n) yield* sleep(1);
  process.stdout.write("ready\n");
  yield* suspend();
});

process.once("SIGTERM", async () => {
  await Promise.all(tasks.map((task) => task.halt()));
  await root.halt();
  clearInterval(keepAlive);
  process.exit(143);
});
