import { sleep, suspend } from "effection";
import { group, main, onTeardown } from "unwind";

function* worker(name: string) {
  yield* onTeardown((reason) => console.log(`${name}: cleaned up (${reason?.message})`));
  try {
    yield* suspend();
  } catch (error) {
    console.log(`${name}: caught ${error}`); // never printed: a halt is not an exception
  }
  console.log(`${name}: carried on`); // never printed either
}

await main(function* () {
  const result = yield* group(
    function* (g) {
      yield* onTeardown(() => console.log("pool: closed, after all of its workers"));
      for (const name of ["w1", "w2", "w3"]) g.spawn(() => worker(name), { name });
      yield* sleep(10); // let the workers start
      console.log("pool: shutting down");
      yield* g.halt(); // cancel every task, and wait for every teardown
      console.log("never printed: g.halt() from inside ends the body too");
    },
    { name: "pool" },
  );
  console.log(`main: pool returned ${result}`);
});
