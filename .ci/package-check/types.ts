// Strict type-check of the installed package's declarations.

import { type Operation, sleep } from "effection";
import { type Group, group, type MainOutcome, main, moveOnAfter, onTeardown, run, withTimeout } from "unwind";
import { type HttpServer, type RequestHandler, serve } from "unwind/http";
import { type InstrumentOptions, instrument } from "unwind/otel";
import {
  type ExitStatus,
  exec,
  type Process,
  ProcessError,
  serveJobs,
  type WorkerHandle,
  type WorkerPool,
  worker,
  workerPool,
} from "unwind/process";
import {
  type RecordedEvent,
  type TestMainOptions,
  type TestProgram,
  type TestRunOptions,
  type TestRunResult,
  testMain,
  testRun,
} from "unwind/testing";

const handler: RequestHandler = function* (_req, res) {
  res.end("ok");
};

function* body(root: Group): Operation<number> {
  yield* onTeardown(() => {});
  const server: HttpServer = yield* serve(handler);
  const port: number = yield* root.start<number>(function* (ready) {
    ready(server.port);
    yield* sleep(1);
  });
  const inner: string = yield* group(function* () {
    return "inner";
  });
  const quick: number = yield* withTimeout(
    10,
    (function* () {
      return 1;
    })(),
  );
  const late: string | undefined = yield* moveOnAfter(
    10,
    (function* () {
      yield* sleep(100);
      return "late";
    })(),
  );
  return port + inner.length + quick + (late?.length ?? 0);
}

function* processes(): Operation<number> {
  const child: Process = yield* exec("ls", ["-l"], { stdio: ["ignore", "pipe", "pipe"], gracePeriod: 100 });
  const status: ExitStatus = yield* child.expect();
  const thread: WorkerHandle = yield* worker(new URL("file:///srv/w.js"), { name: "w", data: 1 });
  const code: number = yield* thread.join();
  const pool: WorkerPool<number, string> = yield* workerPool<number, string>("./pool.js", { size: 2 });
  const text: string = yield* pool.run(1);
  yield* serveJobs((n: number) => String(n));
  try {
    yield* child.expect();
  } catch (error) {
    if (error instanceof ProcessError) return error.code ?? error.pid;
  }
  return (status.code ?? 0) + code + text.length;
}

export async function check(): Promise<void> {
  const outcome: MainOutcome<number> = await main(body, { exit: false });
  if (outcome.status === "ok") {
    const value: number = outcome.value;
    console.log(value);
  }
  const value: number | undefined = await run(body);
  console.log(value, await run(processes));
}

export async function checkTesting(): Promise<void> {
  const options: TestRunOptions = { name: "t", now: new Date(0), timeout: 1_000 };
  const result: TestRunResult<number> = await testRun(body, options);
  const value: number | undefined = result.value;
  const mainOptions: TestMainOptions = { virtualClock: true, now: 0, teardownTimeout: 1_000 };
  const program: TestProgram<number> = testMain(body, mainOptions);
  program.signal("SIGTERM");
  const outcome: MainOutcome<number> = await program;
  const events: readonly RecordedEvent[] = program.events;
  const kinds: ("spawn" | "halt-begin" | "settle" | "cleanup-error")[] = events.map((e) => e.event);
  console.log(
    value,
    result.elapsed,
    result.timersLeft,
    outcome.exitCode,
    kinds,
    program.stderr,
    program.elapsed,
  );
  console.log(program.inspect()?.path);
}

export function checkOtel(): void {
  const options: InstrumentOptions = {};
  const uninstall: () => void = instrument(options);
  uninstall();
}
