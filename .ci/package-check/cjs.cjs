// A CommonJS program against the installed package (require() of ESM, Node >= 20.19).
const { group, onTeardown, run, GroupError } = require("unwind");
const { serve } = require("unwind/http");
const { exec } = require("unwind/process");
const { until } = require("effection");

const lines = [];
run(function* () {
  yield* group(
    function* (g) {
      yield* onTeardown(() => lines.push("group cleanup"));
      g.spawn(
        function* () {
          throw new Error("boom");
        },
        { name: "child" },
      );
      const server = yield* serve(function* (_req, res) {
        res.end("hello");
      });
      yield* until(fetch(server.url));
    },
    { name: "check" },
  );
})
  .then(
    () => console.log("no error"),
    (error) =>
      console.log(
        `${error instanceof GroupError} ${error.failures.map((f) => f.path).join(",")}; ${lines.join("; ")}`,
      ),
  )
  .then(() =>
    run(function* () {
      const child = yield* exec("sh", ["-c", "exit 0"]);
      return yield* child.join();
    }),
  )
  .then((status) => console.log(`exec ${JSON.stringify(status)}`));
