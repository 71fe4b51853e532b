import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startFixture } from "../helpers/fixture.ts";

const treeTeardown = [
  "teardown main/b/leaf",
  "teardown main/b",
  "teardown main/a/leaf",
  "teardown main/a",
  "teardown main",
];

describe("main() in a real process", () => {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    it(`${signal} tears the tree down in tree order, then exits ${code}`, async () => {
      const fixture = startFixture("tree");
      await fixture.waitFor("ready");
      fixture.child.kill(signal);
      const { code: exitCode, stdout, stderr } = await fixture.exited;
      assert.equal(exitCode, code, stderr);
      assert.deepEqual(stdout, ["ready", ...treeTeardown]);
      assert.equal(stderr, "");
    });
  }

  it("with concurrent teardown, tears siblings down at once and still leaves before parents", async () => {
    const fixture = startFixture("tree", { TEARDOWN: "concurrent" });
    await fixture.waitFor("ready");
    fixture.child.kill("SIGTERM");
    const { code, stdout } = await fixture.exited;
    assert.equal(code, 143);
    assert.equal(stdout[0], "ready");
    assert.deepEqual(stdout.slice(1, 3).sort(), ["teardown main/a/leaf", "teardown main/b/leaf"]);
    assert.deepEqual(stdout.slice(3, 5).sort(), ["teardown main/a", "teardown main/b"]);
    assert.deepEqual(stdout.slice(5), ["teardown main"]);
  });

  it("exits 0 after every cleanup when the body and its tasks return", async () => {
    const { code, stdout, stderr } = await startFixture("tree", { FINISH: "return" }).exited;
    assert.equal(code, 0, stderr);
    // Tasks that return tear down as they finish, so only the tree's own
    // constraints hold: each leaf before its parent, everything before main.
    assert.deepEqual([...stdout].sort(), ["ready", ...treeTeardown].sort());
    const at = (line: string) => stdout.indexOf(line);
    assert.ok(at("teardown main/a/leaf") < at("teardown main/a"), stdout.join("|"));
    assert.ok(at("teardown main/b/leaf") < at("teardown main/b"), stdout.join("|"));
    assert.equal(stdout.at(-1), "teardown main");
  });

  it("cuts a teardown that never ends at teardownTimeout, names the stuck task, exits 124", async () => {
    const fixture = startFixture("stuck-teardown", { TEARDOWN_TIMEOUT: "300" });
    await fixture.waitFor("ready");
    fixture.child.kill("SIGTERM");
    const { code, stdout, stderr } = await fixture.exited;
    assert.equal(code, 124);
    assert.deepEqual(stdout, ["ready", "teardown main/quick"]);
    assert.match(stderr, /teardown did not finish within 300 ms; still open:/);
    // Deepest first, in the columns of the tree: path, kind and id, state, time in it, why.
    assert.match(
      stderr,
      /^ {2}main\/stuck {2}task 2 {3}halting {2} *\d+(?:ms|\.\ds) {2}received SIGTERM\n {2}main {8}group 1 {2}halting {2} *\d+(?:ms|\.\ds) {2}received SIGTERM$/m,
    );
    assert.doesNotMatch(stderr, /main\/quick/, "a finished task is not reported as stuck");
    assert.doesNotMatch(stderr, /started at/, "spawn sites are off by default");
  });

  for (const [how, env, second] of [
    ["the teardownTimeout passes", { TEARDOWN_TIMEOUT: "300" }, false],
    ["a second signal arrives", { TEARDOWN_TIMEOUT: "60000" }, true],
  ] as const) {
    it(`prints the errors raised before a stuck teardown with the stuck report when ${how}, exits 124`, async () => {
      const fixture = startFixture("cleanup-error-stuck", env);
      await fixture.waitFor("ready");
      fixture.child.kill("SIGTERM");
      await fixture.waitFor("closing conn");
      if (second) fixture.child.kill("SIGTERM");
      const { code, stdout, stderr } = await fixture.exited;
      assert.equal(code, 124, stderr);
      assert.deepEqual(stdout, ["ready", "closing conn"]);
      const lines = stderr.split("\n");
      const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
      const report = at(
        /^unwind: (teardown did not finish within 300 ms|a signal arrived while tearing down); still open:$/,
      );
      const stuck = at(/^ {2}main\/pool\/stuck +task \d+ +halting +\d+(ms|\.\ds) +received SIGTERM$/);
      const title = at(/^unwind: errors raised before the teardown was abandoned$/);
      const failure = at(/^ {2}✗ main\/pool\/conn \(teardown, received SIGTERM\):$/);
      const error = at(/^ {6}Error: conn close failed$/);
      assert.ok(report >= 0 && report < stuck && stuck < title && title < failure && failure < error, stderr);
      assert.doesNotMatch(stderr, /main\/pool\/conn +task/, "conn finished its teardown: not stuck");
    });
  }

  it("names where each stuck task was started when UNWIND_SPAWN_SITES=1", async () => {
    const fixture = startFixture("stuck-teardown", { TEARDOWN_TIMEOUT: "300", UNWIND_SPAWN_SITES: "1" });
    await fixture.waitFor("ready");
    fixture.child.kill("SIGTERM");
    const { code, stderr } = await fixture.exited;
    assert.equal(code, 124);
    const report = stderr.split("\n").filter((line) => line.startsWith("  "));
    assert.equal(report.length, 4, stderr);
    assert.match(
      report[0] ?? "",
      /^ {2}main\/stuck {2}task 2 {3}halting {2} *\d+(?:ms|\.\ds) {2}received SIGTERM$/,
    );
    // The line of root.start(...) for "stuck", then the line of the main(...) call.
    assert.match(report[1] ?? "", /^ {6}started at .*test\/fixtures\/stuck-teardown\.ts:8:\d+\)$/);
    assert.match(
      report[2] ?? "",
      /^ {2}main {8}group 1 {2}halting {2} *\d+(?:ms|\.\ds) {2}received SIGTERM$/,
    );
    assert.match(report[3] ?? "", /^ {6}started at .*test\/fixtures\/stuck-teardown\.ts:6:\d+\)$/);
  });

  it("exits at once with the stuck report on a second signal during a slow teardown", async () => {
    const fixture = startFixture("stuck-teardown", { TEARDOWN_TIMEOUT: "60000" });
    await fixture.waitFor("ready");
    fixture.child.kill("SIGINT");
    await fixture.waitFor("teardown main/quick");
    const sent = Date.now();
    fixture.child.kill("SIGINT");
    const { code, stderr } = await fixture.exited;
    assert.equal(code, 124);
    assert.ok(Date.now() - sent < 30_000, "exited long before the teardown deadline");
    assert.match(stderr, /a signal arrived while tearing down; still open:/);
    assert.match(stderr, /^ {2}main\/stuck {2}task 2 {3}halting {2} *\d+(?:ms|\.\ds) {2}received SIGINT$/m);
  });

  it("on a serial teardown cut short, says how far it got and what would have finished, exits 124", async () => {
    const fixture = startFixture("slow-teardown", {
      CHILDREN: "30",
      CLEANUP_MS: "100",
      TEARDOWN_TIMEOUT: "1000",
    });
    await fixture.waitFor("ready");
    fixture.child.kill("SIGTERM");
    const { code, stdout, stderr } = await fixture.exited;
    assert.equal(code, 124, stderr);
    // Newest first, one after the other: c30, c29, ... as far as it got.
    const newestFirst = Array.from({ length: 30 }, (_, i) => `teardown main/c${30 - i}`);
    assert.deepEqual(stdout, ["ready", ...newestFirst.slice(0, stdout.length - 1)]);
    const line = stderr.match(
      /^ {2}main: (\d+) of 30 children torn down one by one in (\d+) ms \(([\d.]+) ms each, the slowest (\d+) ms\); main\/c(\d+) in its teardown for (\d+) ms; (\d+) wait their turn: about (\d+) ms more\.$/m,
    );
    assert.ok(line, stderr);
    const [tornDown, , , , current, , waiting] = line.slice(1).map(Number) as number[];
    assert.equal(current, 30 - (tornDown ?? 0), "the next one in line is in its teardown");
    assert.equal(waiting, 30 - (tornDown ?? 0) - 1);
    // Its cleanup may have printed just before the deadline, not yet have ended.
    assert.ok([tornDown, (tornDown ?? 0) + 1].includes(stdout.length - 1), stderr);
    assert.match(
      stderr,
      /^ {4}or with teardown: "concurrent" on main, its children would tear down at once/m,
    );
    assert.match(
      stderr,
      /^ {2}teardownTimeout: \d+ would likely have finished \(\d+ ms spent, about \d+ ms more/m,
    );
  });

  it('the same teardown with teardown: "concurrent" finishes inside that deadline, exits 143', async () => {
    const fixture = startFixture("slow-teardown", {
      CHILDREN: "30",
      CLEANUP_MS: "100",
      TEARDOWN_TIMEOUT: "1000",
      TEARDOWN: "concurrent",
    });
    await fixture.waitFor("ready");
    fixture.child.kill("SIGTERM");
    const { code, stdout, stderr } = await fixture.exited;
    assert.equal(code, 143, stderr);
    assert.equal(stdout.length, 31);
    assert.equal(stderr, "");
  });

  it("prints a cleanup's error during a signal shutdown and still exits 128+n", async () => {
    const fixture = startFixture("failures", { FAIL: "cleanup-on-signal" });
    await fixture.waitFor("ready");
    fixture.child.kill("SIGTERM");
    const { code, stdout, stderr } = await fixture.exited;
    assert.equal(code, 143);
    assert.deepEqual(stdout, ["ready", "teardown main/db", "teardown main"]);
    assert.match(stderr, /errors during the SIGTERM shutdown/);
    assert.match(stderr, /✗ main\/db \(teardown, received SIGTERM\):\n\s+Error: db close failed/);
  });

  for (const [fail, origin, message] of [
    ["uncaught-exception", "uncaughtException", "thrown from a timer"],
    ["unhandled-rejection", "unhandledRejection", "nobody caught this"],
  ] as const) {
    it(`treats an ${origin} as a failure of the root: orderly teardown, then exit 1`, async () => {
      const { code, stdout, stderr } = await startFixture("failures", { FAIL: fail }).exited;
      assert.equal(code, 1, stderr);
      assert.deepEqual(stdout, ["ready", "teardown main/db", "teardown main"]);
      assert.match(stderr, new RegExp(`✗ main \\(run, ${origin}\\):\\n\\s+Error: ${message}`));
    });
  }

  it("prints the body's error exactly once and exits 1", async () => {
    const { code, stdout, stderr } = await startFixture("failures", { FAIL: "body" }).exited;
    assert.equal(code, 1);
    assert.deepEqual(stdout, ["ready", "teardown main/db", "teardown main"]);
    assert.match(stderr, /^unwind: main failed\n {2}✗ main \(run\):\n\s+Error: body failed\n/);
    assert.equal(stderr.split("body failed").length - 1, 1, stderr);
  });
});
