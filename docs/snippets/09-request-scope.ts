import { sleep, until, withResolvers } from "effection";
import { main, onTeardown, useCancelSignal, useTaskPath } from "unwind";
import { serve } from "unwind/http";

await main(function* () {
  const ended = withResolvers<void>();
  const server = yield* serve(function* (_req, res) {
    const path = yield* useTaskPath();
    console.log(`${path}: started`);
    const signal = yield* useCancelSignal(); // pass it to fetch, your database driver...
    signal.addEventListener("abort", () => console.log(`${path}: cancel signal aborted`));
    yield* onTeardown((reason) => {
      console.log(`${path}: cleanup (${reason?.kind ?? "finished"})`);
      ended.resolve();
    });
    yield* sleep(5_000); // a slow report
    res.end("the report\n");
  });

  try {
    yield* until(fetch(`${server.url}/report`, { signal: AbortSignal.timeout(1_000) }));
  } catch (error) {
    console.log(`client: gave up (${(error as Error).name})`);
  }
  yield* ended.operation;
  console.log("main: done; the server drains and stops as main ends");
});
