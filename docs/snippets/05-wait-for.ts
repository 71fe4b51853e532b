import { suspend } from "effection";
import { main, moveOnAfter, onTeardown, TimeoutError, withTimeout } from "unwind";

function* connect(host: string) {
  yield* onTeardown((reason) => console.log(`connect: gave up on ${host} (${reason?.message})`));
  yield* suspend(); // the host never answers
  return "connected";
}

await main(function* () {
  try {
    yield* withTimeout(100, connect("192.168.1.143:6600"));
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    console.log(`main: caught TimeoutError: ${error.message}`);
  }

  const cached = yield* moveOnAfter(50, connect("cache:6379"));
  console.log(`main: moveOnAfter gave ${cached}; carrying on without the cache`);
});
