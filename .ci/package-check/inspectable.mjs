// A running main() program for `npx unwind tree <pid>` against the installed
// package: a worker task under the root, until SIGTERM.

import { suspend } from "effection";
import { main } from "unwind";

await main(function* (root) {
  root.spawn(
    function* () {
      yield* suspend();
    },
    { name: "worker" },
  );
  console.log("ready");
  yield* suspend();
});
