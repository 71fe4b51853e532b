import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startScript } from "../helpers/fixture.ts";

describe("the npm start demo", () => {
  it("prints the tree, and on Ctrl-C every teardown step in tree order, then exits 130", async () => {
    const demo = startScript("examples/tree-demo/main.ts");
    await demo.waitFor("Press Ctrl-C to shut down (the demo stops itself after 15 s).");
    demo.child.kill("SIGINT");
    const { code, stdout, stderr } = await demo.exited;
    assert.equal(code, 130, stderr);
    // The tree as printed (ages vary): a task that runs an unnamed group shows it as its child.
    const tree = stdout.slice(stdout.findIndex((line) => line.startsWith("main ")));
    assert.deepEqual(
      tree.slice(0, 10).map((line) => line.replace(/ +\d+(ms|\.\ds)$/, " <age>")),
      [
        "main                group 1  running <age>",
        "├─ db               task 2   running <age>",
        "│  └─ (unnamed)     group 3  running <age>",
        "│     ├─ conn-1     task 4   running <age>",
        "│     └─ conn-2     task 5   running <age>",
        "└─ http             task 6   running <age>",
        "   └─ (unnamed)     group 7  running <age>",
        "      ├─ listener   task 8   running <age>",
        "      ├─ request-1  task 9   running <age>",
        "      └─ request-2  task 10  running <age>",
      ],
      stdout.join("\n"),
    );
    const steps = stdout
      .filter((line) => /^\s+\+\s*\d+ ms {2}/.test(line))
      .map((line) => line.replace(/^\s+\+\s*\d+ ms {2}/, ""));
    assert.deepEqual(steps, [
      "closed main/http/request-2 (port 8080)",
      "closed main/http/request-1 (port 8080)",
      "stopped listening main/http/listener",
      "closed main/db/conn-2",
      "closed main/db/conn-1",
      "released pool main/db (after its connections)",
      "main's own cleanup ran last (received SIGINT)",
    ]);
    assert.ok(stdout.includes("shutting down (received SIGINT), children first, newest sibling first:"));
    assert.equal(stdout.at(-1), "outcome: signal, exit code 130");
  });
});
