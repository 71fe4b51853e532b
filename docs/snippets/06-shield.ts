import { sleep, suspend } from "effection";
import { group, main, onTeardown, shield } from "unwind";

function* commit(ms: number) {
  console.log(`  tx: committing (takes ${ms} ms)`);
  yield* sleep(ms);
  console.log("  tx: committed");
}

function* haltDuringCommit(ms: number) {
  yield* group(function* (g) {
    g.spawn(
      function* () {
        yield* onTeardown(() => console.log("  worker: connection closed"));
        yield* shield(commit(ms), { timeout: 200 });
        console.log("  worker: back to work"); // never printed: the halt goes on
        yield* suspend();
      },
      { name: "worker" },
    );
    yield* sleep(10); // let the commit start
    console.log("  main: halting the worker in the middle of the commit");
    yield* g.halt();
  });
}

await main(function* () {
  console.log("a commit that takes 50 ms:");
  yield* haltDuringCommit(50);
  console.log("a commit that hangs (the shield gives up after 200 ms):");
  yield* haltDuringCommit(60_000);
  console.log("main: done");
});
