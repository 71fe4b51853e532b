// `unwind tree <pid>` against real processes: fixtures and the examples
// started as programs, the command run as its own process, as a user runs it.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { suspend, until } from "effection";
import { main } from "unwind";
import { inspectDirectory, processStartTime, socketName } from "../../src/program/inspect-address.ts";
import { type Fixture, type Ran, runNode, startFixture, startScript } from "../helpers/fixture.ts";
import { freePort } from "../helpers/free-port.ts";

const cli = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const fixturePath = fileURLToPath(new URL("../fixtures/inspectable.ts", import.meta.url));
const running = new Set<ChildProcess>();

afterEach(() => {
  // A failed test must not leave its program behind.
  for (const child of running) child.kill("SIGKILL");
  running.clear();
});

function started(fixture: Fixture): Fixture {
  running.add(fixture.child);
  return fixture;
}

/** Runs `unwind <args>` from this checkout's source, as its own process. */
function unwind(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return runNode(["--conditions=unwind-source", "--import", "tsx", cli, ...args], env);
}

/** The socket a running main() answers on, by its pid and start time. */
function socketOf(pid: number): string {
  const directory = inspectDirectory(false);
  assert.ok(directory && "path" in directory, "the private directory exists");
  return `${directory.path}/${socketName(pid, processStartTime(pid))}`;
}

/** Lines with the ages (which vary, and so does the padding of a right-aligned column) replaced by `<age>`. */
const withoutAges = (text: string) =>
  text
    .trimEnd()
    .split("\n")
    .map((line) =>
      line.replace(/ +\d+(?:ms|\.\ds|m\d\ds)(?= |$)/g, (age) =>
        age.startsWith("  ") ? "  <age>" : " <age>",
      ),
    );

const fixtureTree = [
  "main             group 1  running  <age>",
  "├─ db            task 2   running  <age>",
  "│  └─ (unnamed)  group 3  running  <age>",
  "│     ├─ conn    task 4   running  <age>",
  "│     └─ conn    task 5   running  <age>",
  "└─ jobs          task 6   running  <age>",
  "   └─ workers    group 7  running  <age>",
  "      └─ worker  task 8   running  <age>",
];

describe("unwind tree <pid>", () => {
  it("prints the live tree of a running main() program: ids, kinds, states, ages, an unnamed group under its task", async () => {
    const program = started(startFixture("inspectable"));
    await program.waitFor("ready");
    const pid = program.child.pid as number;
    const { code, stdout, stderr } = await unwind(["tree", String(pid)]);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, "");
    assert.deepEqual(withoutAges(stdout), [`pid ${pid}  node ${fixturePath}  up <age>`, ...fixtureTree]);
    program.child.kill("SIGTERM");
    assert.equal((await program.exited).code, 143);
  });

  it("colours its output on a terminal (a real pseudo-terminal, by script(1)), and not under NO_COLOR", async () => {
    const program = started(startFixture("inspectable"));
    await program.waitFor("ready");
    const pid = program.child.pid as number;
    const onTerminal = async (env: Record<string, string>) => {
      // What a terminal supports is read from the environment too: a CI
      // variable alone makes Node say "2 colours", so the test starts clean.
      const {
        FORCE_COLOR: _force,
        NO_COLOR: _no,
        NODE_DISABLE_COLORS: _disable,
        CI: _ci,
        ...inherited
      } = process.env;
      const command = [
        process.execPath,
        "--conditions=unwind-source",
        "--import",
        "tsx",
        cli,
        "tree",
        String(pid),
      ];
      const child = spawn("script", ["-qec", command.join(" "), "/dev/null"], {
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...inherited, TERM: "xterm-256color", ...env },
      });
      let output = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        output += chunk;
      });
      await once(child, "close");
      return output.replaceAll("\r\n", "\n").split("\n")[1] ?? "";
    };
    const style = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
    const [bold, grey, green] = [style(1, 22), style(90, 39), style(32, 39)];
    const coloured = await onTerminal({});
    const expected = `${bold("main")}${" ".repeat(13)}${grey("group 1")}  ${green("running")}  `;
    assert.ok(coloured.startsWith(expected), JSON.stringify(coloured));
    const plain = await onTerminal({ NO_COLOR: "1" });
    assert.ok(plain.startsWith("main             group 1  running  "), JSON.stringify(plain));
    program.child.kill("SIGTERM");
    assert.equal((await program.exited).code, 143);
  });

  it("--json gives tools the snapshot: process, shutdown phase, and the tree with ids, kinds, paths, states", async () => {
    const program = started(startFixture("inspectable"));
    await program.waitFor("ready");
    const pid = program.child.pid as number;
    const { code, stdout, stderr } = await unwind(["tree", String(pid), "--json"]);
    assert.equal(code, 0, stderr);
    const snapshot = JSON.parse(stdout);
    const { takenAt, uptime, tree, ...about } = snapshot;
    assert.deepEqual(about, { version: 1, pid, argv: [process.execPath, fixturePath], phase: "running" });
    assert.ok(Number.isInteger(takenAt) && Number.isInteger(uptime), stdout);
    type Node = { startedAt: number; children: Node[] } & Record<string, unknown>;
    const shape = ({ startedAt, children, ...rest }: Node): unknown => {
      assert.ok(startedAt <= takenAt, "started before the snapshot");
      return { ...rest, children: children.map(shape) };
    };
    const node = (id: number, kind: string, name: string, path: string, children: unknown[] = []) => ({
      id,
      kind,
      name,
      path,
      state: "running",
      children,
    });
    assert.deepEqual(
      shape(tree),
      node(1, "group", "main", "main", [
        node(2, "task", "db", "main/db", [
          node(3, "group", "", "main/db", [
            node(4, "task", "conn", "main/db/conn"),
            node(5, "task", "conn", "main/db/conn"),
          ]),
        ]),
        node(6, "task", "jobs", "main/jobs", [
          node(7, "group", "workers", "main/jobs/workers", [
            node(8, "task", "worker", "main/jobs/workers/worker"),
          ]),
        ]),
      ]),
    );
    program.child.kill("SIGTERM");
    assert.equal((await program.exited).code, 143);
  });

  it("during a stuck teardown: the shutdown phase, halting states and halt reasons, with the ids the stuck report uses", async () => {
    const program = started(startFixture("inspectable", { SLOW_TEARDOWN: "1" }));
    await program.waitFor("ready");
    const pid = program.child.pid as number;
    program.child.kill("SIGTERM");
    await program.waitFor("db cleanup waits");
    const { code, stdout, stderr } = await unwind(["tree", String(pid)]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(withoutAges(stdout), [
      `pid ${pid}  node ${fixturePath}  up <age>  shutting down: tearing-down`,
      "main   group 1  halting  <age>  received SIGTERM",
      "└─ db  task 2   halting  <age>  received SIGTERM",
    ]);
    program.child.kill("SIGTERM"); // gives up on the teardown
    const exited = await program.exited;
    assert.equal(exited.code, 124);
    assert.deepEqual(withoutAges(exited.stderr), [
      "unwind: a signal arrived while tearing down; still open:",
      "  main/db  task 2   halting  <age>  received SIGTERM",
      "  main     group 1  halting  <age>  received SIGTERM",
    ]);
    assert.equal(existsSync(socketOf(pid)), false, "the socket is gone after an abandoned teardown too");
  });

  it("keeps its socket private (directory 0700, socket 0600, both this user's) and removes it when main() ends on SIGTERM", async () => {
    const program = started(startFixture("inspectable"));
    await program.waitFor("ready");
    const pid = program.child.pid as number;
    const socket = socketOf(pid);
    const directory = statSync(socket.slice(0, socket.lastIndexOf("/")));
    const file = statSync(socket);
    assert.equal((directory.mode & 0o777).toString(8), "700");
    assert.equal((file.mode & 0o777).toString(8), "600");
    assert.ok(file.isSocket());
    assert.deepEqual([directory.uid, file.uid], [process.getuid?.(), process.getuid?.()]);
    program.child.kill("SIGTERM");
    assert.equal((await program.exited).code, 143);
    assert.equal(existsSync(socket), false);
  });

  it("says clearly that a process is not an unwind program, and leaves that process alone", async () => {
    const sleeper = spawn("sleep", ["60"], { stdio: "ignore" });
    running.add(sleeper);
    await once(sleeper, "spawn");
    const pid = sleeper.pid as number;
    const { code, stdout, stderr } = await unwind(["tree", String(pid)]);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      `unwind tree: process ${pid} (sleep 60) is not an unwind program (it has no unwind socket).\n` +
        "Only a program started with unwind's main() answers, once main() has started, unless it passed { inspect: false }.\n",
    );
    // Still running (not stopped, not a zombie), with no signal pending or delivered.
    assert.deepEqual([sleeper.exitCode, sleeper.signalCode], [null, null]);
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    assert.match(status, /^State:\s+[RS] \((running|sleeping)\)$/m);
    assert.match(status, /^SigPnd:\s+0+$/m);
    assert.match(status, /^ShdPnd:\s+0+$/m);
    sleeper.kill();
  });

  it("says that a pid is not running, and removes the socket a killed program left behind", async () => {
    const program = started(startFixture("inspectable"));
    await program.waitFor("ready");
    const pid = program.child.pid as number;
    const socket = socketOf(pid);
    program.child.kill("SIGKILL"); // no chance to remove its socket
    await program.exited;
    assert.equal(existsSync(socket), true, "a killed program leaves its socket");
    const { code, stdout, stderr } = await unwind(["tree", String(pid)]);
    assert.deepEqual(
      { code, stdout, stderr },
      { code: 1, stdout: "", stderr: `unwind tree: no process ${pid} is running\n` },
    );
    assert.equal(existsSync(socket), false, "the stale socket is gone");
  });

  it("refuses a socket directory others could enter, or a symlink in its place: the program runs on, with a warning", async () => {
    const cases = [
      {
        prepare: (dir: string) => {
          mkdirSync(dir);
          chmodSync(dir, 0o777);
        },
        problem: (dir: string) => `${dir} is open to other users (mode 777)`,
      },
      {
        prepare: (dir: string) => {
          const elsewhere = join(dir, "..", "elsewhere");
          mkdirSync(elsewhere, { mode: 0o700 });
          symlinkSync(elsewhere, dir);
        },
        problem: (dir: string) => `${dir} is not a directory`,
      },
    ];
    for (const { prepare, problem } of cases) {
      const temporary = mkdtempSync(join(tmpdir(), "unwind-test-"));
      try {
        const dir = join(temporary, `unwind-${process.getuid?.()}`);
        prepare(dir);
        const program = started(startFixture("inspectable", { TMPDIR: temporary }));
        await program.waitFor("ready");
        const pid = program.child.pid as number;
        assert.deepEqual(readdirSync(dir), [], "no socket where others could reach it");
        const { code, stderr } = await unwind(["tree", String(pid)], { TMPDIR: temporary });
        assert.deepEqual({ code, stderr }, { code: 1, stderr: `unwind tree: ${problem(dir)}\n` });
        program.child.kill("SIGTERM");
        const exited = await program.exited;
        assert.equal(exited.code, 143);
        assert.ok(
          exited.stderr.includes(
            `[UNWIND_INSPECT] Warning: unwind tree cannot inspect this program: ${problem(dir)}. ` +
              "(main({ inspect: false }) turns inspection off.)\n",
          ),
          exited.stderr,
        );
      } finally {
        rmSync(temporary, { recursive: true, force: true });
      }
    }
  });

  it("gives up with a clear error when the program does not answer (its event loop is blocked)", async () => {
    const program = started(startFixture("inspectable", { BLOCK: "1" }));
    await program.waitFor("ready");
    const pid = program.child.pid as number;
    const { code, stdout, stderr } = await unwind(["tree", String(pid), "--timeout", "300"]);
    assert.deepEqual(
      { code, stdout, stderr },
      {
        code: 1,
        stdout: "",
        stderr:
          `unwind tree: process ${pid} did not answer within 300 ms: its event loop may be blocked ` +
          "by synchronous work (try again, or a longer --timeout)\n",
      },
    );
    program.child.kill("SIGKILL");
    await program.exited;
  });

  it("main({ inspect: false }) has no socket: the program says it cannot be inspected", async () => {
    const program = started(startFixture("inspectable", { INSPECT: "false" }));
    await program.waitFor("ready");
    const pid = program.child.pid as number;
    // The socket is bound before the body runs: at "ready" it would exist.
    assert.equal(existsSync(socketOf(pid)), false);
    const { code, stderr } = await unwind(["tree", String(pid)]);
    assert.equal(code, 1);
    assert.match(
      stderr,
      new RegExp(`^unwind tree: process ${pid} \\(.*inspectable\\.ts\\) is not an unwind program`),
    );
    program.child.kill("SIGTERM");
    assert.equal((await program.exited).code, 143);
  });

  it("without a pid, prints its usage and the unwind programs that can be inspected; a bad pid is a usage error", async () => {
    const program = started(startFixture("inspectable"));
    await program.waitFor("ready");
    const pid = program.child.pid as number;
    const listed = await unwind(["tree"]);
    assert.equal(listed.code, 2);
    assert.match(listed.stderr, /^Usage: unwind tree <pid> \[--json\] \[--timeout <ms>\]\n/);
    assert.match(listed.stderr, new RegExp(`\\n {2}${pid} {2}.*inspectable\\.ts\\n`));
    assert.deepEqual(await unwind(["tree", "12ab"]), {
      code: 2,
      stdout: "",
      stderr: 'unwind tree: the pid must be a positive integer, got "12ab"\n',
    });
    program.child.kill("SIGTERM");
    await program.exited;
  });
});

describe("the socket of an in-process main()", () => {
  it("answers while main() runs and is gone once main() has returned", async () => {
    const socket = socketOf(process.pid);
    let during: unknown;
    const outcome = await main(
      function* (root) {
        root.spawn(suspend, { name: "idle" });
        const ran = yield* until(unwind(["tree", String(process.pid), "--json"]));
        during = JSON.parse(ran.stdout).tree.children.map((c: { path: string }) => c.path);
        yield* root.halt();
      },
      { exit: false },
    );
    assert.equal(outcome.status, "ok");
    assert.deepEqual(during, ["main/idle"]);
    assert.equal(existsSync(socket), false);
  });
});

describe("unwind tree against the examples", () => {
  it("shows the MPD demo's tree: the mpd task runs the client's group of writer and reader", async () => {
    const demo = started(startScript("examples/mpd/main.ts"));
    await demo.waitFor("Watching for changes. Press t (or send SIGUSR2) for the task tree, Ctrl-C to quit.");
    const pid = demo.child.pid as number;
    const { code, stdout, stderr } = await unwind(["tree", String(pid)]);
    assert.equal(code, 0, stderr);
    const mpdMain = fileURLToPath(new URL("../../examples/mpd/main.ts", import.meta.url));
    assert.deepEqual(withoutAges(stdout), [
      `pid ${pid}  node ${mpdMain}  up <age>`,
      "main             group 1  running  <age>",
      "├─ fake-mpd      task 2   running  <age>",
      "├─ mpd           task 3   running  <age>",
      "│  └─ (unnamed)  group 4  running  <age>",
      "│     ├─ writer  task 5   running  <age>",
      "│     └─ reader  task 6   running  <age>",
      "├─ idle          task 7   running  <age>",
      "├─ dj            task 8   running  <age>",
      "└─ keys          task 9   running  <age>",
    ]);
    demo.child.kill("SIGINT");
    assert.equal((await demo.exited).code, 130);
  });

  it("shows the http-server example's request scope while a request is in flight", async () => {
    // The trace prints `accepted <url>` for each request a server of the program has read.
    const trace = new URL("../fixtures/http-trace.mjs", import.meta.url).href;
    const port = await freePort();
    const server = started(
      startScript("examples/http-server/main.ts", {
        PORT: String(port),
        NODE_OPTIONS: [process.env.NODE_OPTIONS, `--import=${trace}`].filter(Boolean).join(" "),
      }),
    );
    await server.waitFor(`listening http://127.0.0.1:${port}`);
    const pid = server.child.pid as number;
    const request = http.get(`http://127.0.0.1:${port}/work?ms=60000`);
    request.on("error", () => {}); // destroyed below
    // The handler has called the downstream: its request scope is running.
    await server.waitFor("accepted /slow?ms=60000");
    const { code, stdout, stderr } = await unwind(["tree", String(pid)]);
    assert.equal(code, 0, stderr);
    const example = fileURLToPath(new URL("../../examples/http-server/main.ts", import.meta.url));
    assert.deepEqual(withoutAges(stdout), [
      `pid ${pid}  node ${example}  up <age>`,
      "main                group 1  running  <age>",
      "├─ http             group 2  running  <age>",
      "│  └─ GET /work #1  task 3   running  <age>",
      "└─ downstream       task 4   running  <age>",
    ]);
    request.destroy();
    server.child.kill("SIGTERM");
    assert.equal((await server.exited).code, 143);
  });
});
