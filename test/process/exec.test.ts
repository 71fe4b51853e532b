import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { sleep, suspend, withResolvers } from "effection";
import { formatTree, group, inspect, onTeardown, run, type TaskTree } from "unwind";
import { exec, type Process, ProcessError } from "unwind/process";
import { startFixture } from "../helpers/fixture.ts";
import { commandLine, isLiving, livingChildren, livingInGroups, waitUntilGone } from "../helpers/proc.ts";

/** Every process group a test started: none may have a running process after the test. */
const groups = new Set<number>();

afterEach(() => {
  assert.deepEqual(livingInGroups(groups), [], "no process of the test's groups is left running");
  assert.deepEqual(livingChildren(), [], "no child of the test process (the watchdog included) is left");
  groups.clear();
});

/** Records the lines a process prints on stdout into `events`, as `child: <line>`. */
function recordLines(child: Process, events: string[], ready?: () => void): void {
  let partial = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      events.push(`child: ${line}`);
      if (line === "ready") ready?.();
    }
  });
}

/** Starts `script` with sh, records its lines, and returns once it printed `ready`. */
function* startScript(script: string, events: string[], options: { gracePeriod?: number } = {}) {
  const child = yield* exec("sh", ["-c", script], { stdio: ["ignore", "pipe", "pipe"], ...options });
  groups.add(child.pid);
  const ready = withResolvers<void>();
  recordLines(child, events, ready.resolve);
  yield* ready.operation;
  return child;
}

const TRAPS_TERM =
  "trap 'echo got TERM; sleep 0.2; echo exiting; exit 0' TERM; echo ready; while :; do sleep 0.05; done";
const IGNORES_TERM = "trap '' TERM; echo ready; while :; do sleep 0.05; done";

describe("exec(): a process owned by a task", () => {
  it("when the owner is halted, the child gets SIGTERM and exits before the owner's cleanup runs", async () => {
    const events: string[] = [];
    let child: Process | undefined;
    await run(function* (g) {
      const owner = yield* g.start(
        function* (ready) {
          yield* onTeardown(() => {
            events.push(`owner cleanup (child exit: ${JSON.stringify(child?.exitStatus)})`);
          });
          child = yield* startScript(TRAPS_TERM, events);
          ready(undefined);
          yield* suspend();
        },
        { name: "owner" },
      );
      void owner;
      yield* g.halt();
    });
    assert.deepEqual(events, [
      "child: ready",
      "child: got TERM",
      "child: exiting",
      'owner cleanup (child exit: {"code":0,"signal":null})',
    ]);
  });

  it("a child that ignores SIGTERM gets SIGKILL after gracePeriod; the owner's teardown waits for it", async () => {
    const events: string[] = [];
    let child: Process | undefined;
    await run(function* (g) {
      yield* g.start(
        function* (ready) {
          yield* onTeardown(() => {
            events.push(`owner cleanup (child exit: ${JSON.stringify(child?.exitStatus)})`);
          });
          child = yield* startScript(IGNORES_TERM, events, { gracePeriod: 300 });
          ready(undefined);
          yield* suspend();
        },
        { name: "owner" },
      );
      yield* g.halt();
    });
    assert.deepEqual(events, [
      "child: ready",
      'owner cleanup (child exit: {"code":null,"signal":"SIGKILL"})',
    ]);
  });

  it("stops the child's own children too: the whole process group", async () => {
    const events: string[] = [];
    let grandchild = 0;
    await run(function* (g) {
      yield* g.start(
        function* (ready) {
          const child = yield* startScript("sleep 1000 & echo $!; echo ready; wait", events);
          grandchild = Number(events[0]?.slice("child: ".length));
          assert.ok(isLiving(grandchild), "the grandchild runs");
          assert.deepEqual(livingInGroups([child.pid]).sort(), [child.pid, grandchild].sort());
          ready(undefined);
          yield* suspend();
        },
        { name: "owner" },
      );
      yield* g.halt();
    });
    assert.equal(isLiving(grandchild), false, "the grandchild was stopped with its parent");
  });

  it("a background child left behind by a process that exited is stopped when the owner ends", async () => {
    let grandchild = 0;
    let pgid = 0;
    await run(function* () {
      const child = yield* exec("sh", ["-c", "sleep 1000 >/dev/null 2>&1 & echo $!"], {
        stdio: ["ignore", "pipe", "ignore"],
      });
      pgid = child.pid;
      groups.add(pgid);
      let out = "";
      child.stdout?.on("data", (chunk) => (out += chunk));
      const status = yield* child.join();
      assert.deepEqual(status, { code: 0, signal: null });
      grandchild = Number(out.trim());
      assert.deepEqual(
        livingInGroups([pgid]),
        [grandchild],
        "the shell is gone, its background child is not",
      );
    });
    assert.equal(isLiving(grandchild), false);
  });

  it("a process owned by a group body is stopped after the group's children, as the body's cleanups are", async () => {
    const events: string[] = [];
    await run(function* () {
      yield* group(
        function* (g) {
          yield* onTeardown(() => {
            events.push("group cleanup");
          });
          yield* startScript(TRAPS_TERM, events);
          g.spawn(
            function* () {
              yield* onTeardown(() => {
                events.push("child task cleanup");
              });
              yield* suspend();
            },
            { name: "task" },
          );
          yield* sleep(0);
          yield* g.halt();
        },
        { name: "tools" },
      );
    });
    assert.deepEqual(events, [
      "child: ready",
      "child task cleanup",
      "child: got TERM",
      "child: exiting",
      "group cleanup",
    ]);
  });

  it("halting a task that waits in join() stops the process between the task's later and earlier cleanups", async () => {
    const events: string[] = [];
    await run(function* (g) {
      const started = withResolvers<void>();
      const waiter = g.spawn(
        function* () {
          let child: Process | undefined;
          yield* onTeardown(() => {
            events.push(`cleanup registered before exec (sleep exit: ${JSON.stringify(child?.exitStatus)})`);
          });
          child = yield* exec("sleep", ["1000"], { stdio: "ignore" });
          groups.add(child.pid);
          yield* onTeardown(() => {
            events.push(`cleanup registered after exec (sleep exit: ${JSON.stringify(child?.exitStatus)})`);
          });
          started.resolve();
          yield* child.join();
          events.push("join returned");
        },
        { name: "waiter" },
      );
      yield* started.operation;
      yield* waiter.halt();
      events.push("halted");
    });
    // Cleanups run newest first, like a stack: the process is one of them.
    assert.deepEqual(events, [
      "cleanup registered after exec (sleep exit: undefined)",
      'cleanup registered before exec (sleep exit: {"code":null,"signal":"SIGTERM"})',
      "halted",
    ]);
  });

  it("join() returns the exit status whatever it is; expect() throws a ProcessError with stderr's last lines", async () => {
    const script = 'for i in $(seq 1 12); do echo "line $i" >&2; done; exit 3';
    let caught: unknown;
    await run(function* (g) {
      const joined = yield* exec("sh", ["-c", script]);
      groups.add(joined.pid);
      assert.deepEqual(yield* joined.join(), { code: 3, signal: null });
      yield* g.start(
        function* (ready) {
          const child = yield* exec("sh", ["-c", script], { name: "failing" });
          groups.add(child.pid);
          try {
            yield* child.expect();
          } catch (error) {
            caught = error;
          }
          ready(undefined);
        },
        { name: "build" },
      );
    });
    assert.ok(caught instanceof ProcessError, String(caught));
    assert.equal(caught.code, 3);
    assert.equal(caught.signal, null);
    assert.equal(caught.path, "main/build/failing");
    assert.equal(caught.command, `sh -c ${JSON.stringify(script)}`);
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i + 3}`);
    assert.equal(caught.stderr, lines.join("\n"), "the last 10 lines");
    assert.match(
      caught.message,
      /^main\/build\/failing: "sh -c .*" \(pid \d+\) exited with code 3; the last lines of its stderr:\n {4}line 3\n/,
    );
  });

  it("does not pass a cluster worker's mark (UNWIND_CLUSTER_WORKER) on, with the default or a given env", async () => {
    const events: string[] = [];
    const script =
      'echo "mark=$(printenv UNWIND_CLUSTER_WORKER || echo none) other=$(printenv OTHER || echo none)"';
    process.env.UNWIND_CLUSTER_WORKER = "worker-1";
    try {
      await run(function* () {
        for (const env of [undefined, { ...process.env, OTHER: "kept" }]) {
          const child = yield* exec("sh", ["-c", script], env ? { env } : {});
          groups.add(child.pid);
          recordLines(child, events);
          yield* child.expect();
        }
      });
    } finally {
      delete process.env.UNWIND_CLUSTER_WORKER;
    }
    assert.deepEqual(events, ["child: mark=none other=none", "child: mark=none other=kept"]);
  });

  it("expect() names the signal that killed the process", async () => {
    const outcome = run(function* () {
      const child = yield* exec("sh", ["-c", "kill -USR1 $$"], { stdio: "ignore" });
      groups.add(child.pid);
      yield* child.expect();
    });
    await assert.rejects(Promise.resolve(outcome), (error: Error) => {
      const cause = error.cause as ProcessError;
      assert.ok(cause instanceof ProcessError);
      assert.equal(cause.signal, "SIGUSR1");
      assert.equal(cause.code, null);
      assert.match(cause.message, /was killed by SIGUSR1$/);
      return true;
    });
  });

  it("shows each process in the task tree with its pid and command, and lets go of one that ended", async () => {
    let tree: TaskTree | undefined;
    let after: TaskTree | undefined;
    let pid = 0;
    await run(function* (g) {
      yield* g.start(
        function* (ready) {
          const done = yield* exec("true");
          yield* done.join();
          const child = yield* exec("sleep", ["1000"], { stdio: "ignore", name: "sleeper" });
          pid = child.pid;
          groups.add(pid);
          ready(undefined);
          yield* suspend();
        },
        { name: "owner" },
      );
      tree = yield* inspect();
      yield* g.halt();
      after = yield* inspect();
    });
    const owner = tree?.children.find((c) => c.name === "owner");
    assert.deepEqual(
      owner?.processes?.map(({ startedAt: _, ...rest }) => rest),
      [
        {
          kind: "process",
          name: "sleeper",
          path: "main/owner/sleeper",
          pid,
          command: "sleep 1000",
          state: "running",
        },
      ],
      "the process that ended is no longer listed",
    );
    const line = formatTree(tree as TaskTree, { color: false }).split("\n")[2];
    assert.match(
      line ?? "",
      new RegExp(`^ {3}└─ sleeper +process ${pid} +running +\\d+(ms|\\.\\ds) +sleep 1000$`),
    );
    assert.equal(after?.processes, undefined);
  });

  it("shows a process of an unnamed group under that group, which shows under its owner", async () => {
    let tree: TaskTree | undefined;
    await run(function* (g) {
      yield* g.start(
        function* (ready) {
          yield* group(function* () {
            const child = yield* exec("sleep", ["1000"], { stdio: "ignore" });
            groups.add(child.pid);
            ready(undefined);
            yield* suspend();
          });
        },
        { name: "owner" },
      );
      tree = yield* inspect();
      yield* g.halt();
    });
    const owner = tree?.children.find((c) => c.name === "owner");
    const unnamed = owner?.children.find((c) => c.kind === "group" && c.name === "");
    assert.deepEqual(
      unnamed?.processes?.map((p) => p.path),
      ["main/owner/sleep"],
    );
  });

  // Its arguments are checked at the call: see arguments.test.ts.
  it("names the task when the command cannot start", async () => {
    const outcome = run(function* (g) {
      g.spawn(
        function* () {
          yield* exec("no-such-command-here", ["x"]);
        },
        { name: "tool" },
      );
    });
    await assert.rejects(
      Promise.resolve(outcome),
      /exec\(\): could not start "no-such-command-here x" in main\/tool\/no-such-command-here: spawn no-such-command-here ENOENT/,
    );
  });

  it("one watchdog serves every process of a root, and is gone when the root ends", async () => {
    const watchdogs = () => livingChildren().filter((pid) => commandLine(pid).includes("unwind-watchdog"));
    const seen: number[][] = [];
    await run(function* () {
      for (let i = 0; i < 3; i++) {
        const child = yield* exec("sleep", ["1000"], { stdio: "ignore" });
        groups.add(child.pid);
        seen.push(watchdogs());
      }
    });
    assert.equal(seen[0]?.length, 1);
    assert.deepEqual(seen[1], seen[0]);
    assert.deepEqual(seen[2], seen[0]);
    assert.deepEqual(watchdogs(), []);
  });
});

describe("exec(): nothing outlives the program", () => {
  it("when main() gives up on a teardown, the stuck report names the process, and the watchdog stops it", async () => {
    const fixture = startFixture("exec-stuck");
    await fixture.waitFor("ready");
    const pid = Number(fixture.stdout[0]?.slice("pid ".length));
    groups.add(pid);
    fixture.child.kill("SIGTERM");
    const { code, signal, stdout, stderr } = await fixture.exited;
    assert.equal(code, 124, `signal ${signal}; stdout ${stdout.join("|")}; stderr ${stderr}`);
    assert.match(stderr, /teardown did not finish within 300 ms; still open:/);
    assert.match(
      stderr,
      new RegExp(
        `\\n {2}main/tools +task \\d+ +halting +[\\d.]+m?s +received SIGTERM\\n {6}holds stubborn {2}process ${pid} {2}stopping {2}[\\d.]+m?s {2}sh -c "trap '' TERM; echo trapped; exec sleep 1000"\\n`,
      ),
    );
    assert.deepEqual(await waitUntilGone([pid], 1000), [], "the watchdog stopped it after main exited");
  });

  for (const [how, env] of [
    ["a SIGKILL of the Node process", {}],
    ["process.exit() without a teardown", { EXIT: "abrupt" }],
  ] as const) {
    it(`after ${how}, no process of any group is running within 1 s, and the watchdog is gone too`, async () => {
      const fixture = startFixture("exec-orphans", env);
      await fixture.waitFor("ready");
      const pgids = (fixture.stdout.find((l) => l.startsWith("pgids ")) ?? "")
        .split(" ")
        .slice(1)
        .map(Number);
      assert.equal(pgids.length, 3);
      for (const pgid of pgids) groups.add(pgid);
      assert.equal(livingInGroups(pgids).length, 4, "three groups, one with a grandchild");
      const watchdogs = livingChildren(fixture.child.pid as number).filter((pid) =>
        commandLine(pid).includes("unwind-watchdog"),
      );
      assert.equal(watchdogs.length, 1, "one watchdog for the three processes");
      const watched = [...pgids, ...watchdogs]; // the watchdog leads a group of its own
      if (how.startsWith("a SIGKILL")) fixture.child.kill("SIGKILL");
      const { code, signal } = await fixture.exited;
      const left = await waitUntilGone(watched, 1000);
      assert.deepEqual(left, [], "nothing is left 1 s after the end");
      assert.deepEqual(
        [code, signal],
        how.startsWith("a SIGKILL") ? [null, "SIGKILL"] : [3, null],
        "the program died as the test meant",
      );
    });
  }
});
