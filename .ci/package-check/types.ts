// Strict type-check of the installed package's declarations.

import { type Operation, sleep } from "effection";
import { type Group, group, type MainOutcome, main, moveOnAfter, onTeardown, run, withTimeout } from "unwind";
import { type HttpServer, type RequestHandler, serve } from "unwind/http";

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

export async function check(): Promise<void> {
  const outcome: MainOutcome<number> = await main(body, { exit: false });
  if (outcome.status === "ok") {
    const value: number = outcome.value;
    console.log(value);
  }
  const value: number | undefined = await run(body);
  console.log(value);
}
