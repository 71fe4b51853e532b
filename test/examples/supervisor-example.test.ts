import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startScript } from "../helpers/fixture.ts";

describe("the supervisor example (examples/supervisor)", () => {
  it("restarts the flaky feed twice with a growing backoff, shows the counts, and stops in tree order on Ctrl-C", async () => {
    const example = startScript("examples/supervisor/main.ts");
    await example.waitFor("ready (press Ctrl-C)");
    example.child.kill("SIGINT");
    const { code, stdout, stderr } = await example.exited;
    assert.equal(code, 130, stderr);
    assert.equal(stderr, "");
    // The tree as printed, its ages (they vary) replaced.
    const shown = stdout.map((line) => line.replace(/ +\d+(ms|\.\ds)(?= {2}|$)/, " <age>"));
    assert.deepEqual(shown, [
      "feed: connection 1 open",
      "feed: connection 1 closed",
      "supervisor: restarting main/ingest/feed (restart 1) in 100 ms: connection 1 reset by peer",
      "feed: connection 2 open",
      "feed: connection 2 closed",
      "supervisor: restarting main/ingest/feed (restart 2) in 200 ms: connection 2 reset by peer",
      "feed: connection 3 open",
      "feed: streaming",
      "main          group 1  running <age>",
      "└─ ingest     group 2  running <age>  2 restarts",
      "   ├─ writer  task 3   running <age>",
      "   └─ feed    task 4   running <age>  2 restarts",
      "ready (press Ctrl-C)",
      "feed: connection 3 closed",
      "writer: flushed",
    ]);
  });
});
