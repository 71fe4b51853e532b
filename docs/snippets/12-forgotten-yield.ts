import { sleep, suspend } from "effection";
import { main, onTeardown } from "unwind";

await main(function* (root) {
  const worker = root.spawn(
    function* () {
      onTeardown(() => console.log("never printed: nothing was registered"));
      yield* onTeardown(() => console.log("worker: the cleanup registered with yield* ran"));
      yield* suspend();
    },
    { name: "worker" },
  );
  yield* sleep(10);
  worker.halt();
  console.log(`main: after worker.halt(), the worker is ${worker.state}`);
  yield* worker.halt();
  console.log(`main: after yield* worker.halt(), the worker is ${worker.state}`);
});
