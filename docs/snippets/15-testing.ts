import { type Operation, sleep, suspend } from "effection";
import { type Group, onTeardown, TimeoutError, withTimeout } from "unwind";
import { testMain, testRun } from "unwind/testing";

// The code under test: three tries of 30 s each, with a backoff between them.
function* askWithRetries(ask: () => Operation<string>): Operation<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return yield* withTimeout(30_000, ask());
    } catch (error) {
      if (!(error instanceof TimeoutError) || attempt === 3) throw error;
      yield* sleep(1_000 * 2 ** attempt); // 2 s, then 4 s
    }
  }
}

// A service that hangs twice, then answers in 10 s.
let calls = 0;
function* slowService(): Operation<string> {
  calls++;
  yield* sleep(calls < 3 ? 3_600_000 : 10_000);
  return `answer #${calls}`;
}

// 76 s of timeouts, backoff and waiting, in a few milliseconds.
const { value, elapsed } = await testRun(() => askWithRetries(slowService));
console.log(`${value} after ${elapsed / 1000} s`);

// A whole program: two services whose cleanups take 500 ms each.
function* program(root: Group): Operation<void> {
  for (const name of ["db", "http"]) {
    root.spawn(
      function* () {
        yield* onTeardown(() => new Promise<void>((resolve) => setTimeout(resolve, 500)));
        yield* suspend();
      },
      { name },
    );
  }
  yield* suspend(); // until a signal
}

const running = testMain(program, { virtualClock: true, now: 0 });
running.signal("SIGTERM");
const outcome = await running;
console.log(`exit ${outcome.exitCode} after ${running.elapsed} ms`);
for (const event of running.events) {
  if (event.event !== "spawn") console.log(`  ${event.time} ms: ${event.event} ${event.path}`);
}
