// An ESM program against the installed package: a group whose cleanup runs
// after its child's, and a request scope of unwind/http on a real socket.

import { suspend, until } from "effection";
import { group, onTeardown, run } from "unwind";
import { serve } from "unwind/http";

const lines = [];
await run(function* () {
  yield* group(
    function* (g) {
      yield* onTeardown(() => lines.push("group cleanup"));
      g.spawn(
        function* () {
          yield* onTeardown(() => lines.push("child cleanup"));
          yield* suspend();
        },
        { name: "child" },
      );
      const server = yield* serve(function* (_req, res) {
        res.end("hello");
      });
      const response = yield* until(fetch(server.url));
      lines.push(`${response.status} ${yield* until(response.text())}`);
      yield* g.halt();
    },
    { name: "check" },
  );
});
console.log(lines.join("; "));
