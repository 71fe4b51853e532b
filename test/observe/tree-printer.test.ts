import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { describe, it } from "node:test";
import tty from "node:tty";
import { suspend } from "effection";
import {
  Channels,
  formatTree,
  group,
  type HaltReasonJSON,
  onTeardown,
  run,
  type TaskTree,
  type UnwindEvent,
} from "unwind";
import { colorsFor } from "../../src/observe/colors.ts";
import { formatStuckReport } from "../../src/observe/report.ts";
import { formatDuration } from "../../src/observe/tree-printer.ts";

const sigterm = { kind: "signal", message: "received SIGTERM" } as const;

/** A tree with every column in use: an unnamed group under its task, same-named siblings, a drop, a process, a spawn site. */
const tree: TaskTree = {
  id: 1,
  kind: "group",
  name: "main",
  path: "main",
  state: "halting",
  startedAt: 0,
  haltStartedAt: 60_000,
  haltReason: sigterm,
  children: [
    {
      id: 2,
      kind: "task",
      name: "db",
      path: "main/db",
      state: "halting",
      startedAt: 1000,
      haltStartedAt: 61_000,
      haltReason: sigterm,
      children: [
        {
          id: 3,
          kind: "group",
          name: "",
          path: "main/db",
          state: "halting",
          startedAt: 1000,
          haltStartedAt: 61_000,
          haltReason: sigterm,
          children: [
            {
              id: 4,
              kind: "task",
              name: "conn",
              path: "main/db/conn",
              state: "halting",
              startedAt: 2000,
              haltStartedAt: 62_000,
              haltReason: sigterm,
              children: [],
            },
            {
              id: 5,
              kind: "task",
              name: "conn",
              path: "main/db/conn",
              state: "running",
              startedAt: 62_400,
              children: [],
            },
          ],
        },
      ],
    },
    {
      id: 6,
      kind: "group",
      name: "jobs",
      path: "main/jobs",
      state: "running",
      startedAt: 0,
      dropped: 2,
      children: [
        {
          id: 7,
          kind: "task",
          name: "job",
          path: "main/jobs/job",
          state: "queued",
          startedAt: 3000,
          children: [],
        },
      ],
    },
    {
      id: 8,
      kind: "task",
      name: "ffmpeg",
      path: "main/ffmpeg",
      state: "running",
      startedAt: 0,
      site: "encode (file:///app/encode.ts:3:9)",
      processes: [
        {
          kind: "process",
          name: "ffmpeg",
          path: "main/ffmpeg/ffmpeg",
          pid: 4242,
          command: "ffmpeg -i in.mp4 out.webm",
          state: "stopping",
          startedAt: 1000,
          haltStartedAt: 62_000,
        },
      ],
      children: [],
    },
  ],
};

describe("the tree printer", () => {
  it("aligns name, kind and id, state, time in that state and why; shows an unnamed group under the task that runs it", () => {
    assert.equal(
      formatTree(tree, { now: 62_500, color: false }),
      [
        "main             group 1       halting    2.5s  received SIGTERM",
        "├─ db            task 2        halting    1.5s  received SIGTERM",
        "│  └─ (unnamed)  group 3       halting    1.5s  received SIGTERM",
        "│     ├─ conn    task 4        halting   500ms  received SIGTERM",
        "│     └─ conn    task 5        running   100ms",
        "├─ jobs          group 6       running   1m02s  2 queued dropped",
        "│  └─ job        task 7        queued    59.5s",
        "└─ ffmpeg        task 8        running   1m02s",
        "   │  started at encode (file:///app/encode.ts:3:9)",
        "   └─ ffmpeg     process 4242  stopping  500ms  ffmpeg -i in.mp4 out.webm",
      ].join("\n"),
    );
  });

  it("prints the stuck report in the same columns, deepest first, with the path of each task", () => {
    assert.equal(
      formatStuckReport(tree, "teardown did not finish within 300 ms", 62_500, false),
      [
        "unwind: teardown did not finish within 300 ms; still open:",
        "  main/db/conn   task 4   halting  500ms  received SIGTERM",
        "  main/db/conn   task 5   running  100ms  halt not started",
        "  main/db        group 3  halting   1.5s  received SIGTERM",
        "  main/db        task 2   halting   1.5s  received SIGTERM",
        "  main/jobs/job  task 7   queued   59.5s  halt not started",
        "  main/jobs      group 6  running  1m02s  halt not started, 2 queued dropped",
        "  main/ffmpeg    task 8   running  1m02s  halt not started",
        "      started at encode (file:///app/encode.ts:3:9)",
        "      holds ffmpeg  process 4242  stopping  500ms  ffmpeg -i in.mp4 out.webm",
        "  main           group 1  halting   2.5s  received SIGTERM",
      ].join("\n"),
    );
    assert.equal(
      formatStuckReport(undefined, "a signal arrived while tearing down", 0, false),
      "unwind: a signal arrived while tearing down; still open:\n  (no task is open)",
    );
  });

  it("counts the children still waiting for their turn after the first five, on one line", () => {
    const child = (i: number): TaskTree => ({
      id: 10 + i,
      kind: "task",
      name: "job",
      path: "main/pool/job",
      state: "running",
      startedAt: 60_000,
      children: [],
    });
    const pool: TaskTree = {
      id: 2,
      kind: "group",
      name: "pool",
      path: "main/pool",
      state: "halting",
      startedAt: 0,
      haltStartedAt: 62_000,
      haltReason: sigterm,
      children: [
        { ...child(0), state: "halting", haltStartedAt: 62_400, haltReason: sigterm },
        ...Array.from({ length: 9_999 }, (_, i) => child(i + 1)),
      ],
    };
    assert.equal(
      formatStuckReport(pool, "teardown did not finish within 500 ms", 62_500, false),
      [
        "unwind: teardown did not finish within 500 ms; still open:",
        "  main/pool/job  task 10  halting  100ms  received SIGTERM",
        "  main/pool/job  task 11  running   2.5s  halt not started",
        "  main/pool/job  task 12  running   2.5s  halt not started",
        "  main/pool/job  task 13  running   2.5s  halt not started",
        "  main/pool/job  task 14  running   2.5s  halt not started",
        "  main/pool/job  task 15  running   2.5s  halt not started",
        "  main/pool/… 9994 more, halt not started",
        "  main/pool      group 2  halting  500ms  received SIGTERM",
      ].join("\n"),
    );
  });

  it("colours with Node's ANSI codes when asked: tree lines and ids grey, states by meaning, reasons yellow", () => {
    const db = tree.children[0] as TaskTree;
    const esc = (code: number) => `\u001b[${code}m`;
    const grey = (text: string) => `${esc(90)}${text}${esc(39)}`;
    const yellow = (text: string) => `${esc(33)}${text}${esc(39)}`;
    const green = (text: string) => `${esc(32)}${text}${esc(39)}`;
    assert.equal(
      formatTree(db, { now: 62_500, color: true }),
      [
        `db            ${grey("task 2")}   ${yellow("halting")}   1.5s  ${yellow("received SIGTERM")}`,
        `${grey("└─ ")}${grey("(unnamed)")}  ${grey("group 3")}  ${yellow("halting")}   1.5s  ${yellow("received SIGTERM")}`,
        `${grey("   ├─ ")}conn    ${grey("task 4")}   ${yellow("halting")}  500ms  ${yellow("received SIGTERM")}`,
        `${grey("   └─ ")}conn    ${grey("task 5")}   ${green("running")}  100ms`,
      ].join("\n"),
    );
    assert.ok(!formatTree(db, { now: 62_500, color: false }).includes("\u001b"));
  });

  it("says durations the short way people read them", () => {
    assert.deepEqual(
      [0, 999, 1000, 59_949, 60_000, 3_599_999, 3_600_000, 86_399_999, 90_000_000, -5].map(formatDuration),
      ["0ms", "999ms", "1.0s", "59.9s", "1m00s", "59m59s", "1h00m", "23h59m", "1d01h", "0ms"],
    );
  });
});

describe("colour, as Node decides it", () => {
  // A terminal stream with Node's own colour logic (tty.WriteStream's), so the environment decides.
  const terminal = {
    isTTY: true,
    getColorDepth: tty.WriteStream.prototype.getColorDepth,
    hasColors: tty.WriteStream.prototype.hasColors,
  };
  const pipe = {};

  it("colours a terminal unless NO_COLOR, NODE_DISABLE_COLORS or TERM=dumb", () => {
    assert.equal(colorsFor(terminal, { TERM: "xterm-256color" }), true);
    assert.equal(colorsFor(terminal, { TERM: "xterm-256color", NO_COLOR: "1" }), false);
    assert.equal(colorsFor(terminal, { TERM: "xterm-256color", NODE_DISABLE_COLORS: "1" }), false);
    assert.equal(colorsFor(terminal, { TERM: "dumb" }), false);
  });

  it("never colours a pipe or a file, unless FORCE_COLOR; FORCE_COLOR=0 turns a terminal's colour off", () => {
    assert.equal(colorsFor(pipe, { TERM: "xterm-256color" }), false);
    assert.equal(colorsFor(pipe, { FORCE_COLOR: "1" }), true);
    assert.equal(colorsFor(pipe, { FORCE_COLOR: "" }), true);
    assert.equal(colorsFor(terminal, { TERM: "xterm-256color", FORCE_COLOR: "0" }), false);
    assert.equal(colorsFor(terminal, { TERM: "xterm-256color", FORCE_COLOR: "false" }), false);
  });
});

describe("inspect() snapshots", () => {
  it("show an unnamed group as a node of its own, under the task that runs it, with the task's path", async () => {
    let seen: TaskTree | undefined;
    const root = run(function* (g) {
      g.spawn(
        function* () {
          yield* group(function* (inner) {
            inner.spawn(suspend, { name: "conn" });
            inner.spawn(suspend, { name: "conn" });
            yield* suspend();
          });
        },
        { name: "db" },
      );
      yield* suspend();
    });
    await new Promise((resolve) => setImmediate(resolve));
    seen = root.inspect();
    const again = root.inspect();
    await root.halt();
    const rows = (t: TaskTree, depth = 0): string[] => [
      `${"  ".repeat(depth)}${t.kind} ${t.id - (seen?.id ?? 0)} ${JSON.stringify(t.name)} ${t.path}`,
      ...t.children.flatMap((child) => rows(child, depth + 1)),
    ];
    // Ids count from the root in tree order (relative here: other tests took snapshots before).
    assert.deepEqual(rows(seen as TaskTree), [
      'group 0 "main" main',
      '  task 1 "db" main/db',
      '    group 2 "" main/db',
      '      task 3 "conn" main/db/conn',
      '      task 4 "conn" main/db/conn',
    ]);
    assert.deepEqual(again, seen, "a task keeps its id from one snapshot to the next");
  });

  it("carry one halt-reason shape: the tree's, the diagnostics event's and HaltReason.toJSON() are the same data", async () => {
    const fromEvents: HaltReasonJSON[] = [];
    const fromCleanup: HaltReasonJSON[] = [];
    const fromTree: HaltReasonJSON[] = [];
    const onHalt = (message: unknown) => {
      const event = message as UnwindEvent;
      if (event.path === "main/worker" && event.reason) fromEvents.push(event.reason);
    };
    subscribe(Channels.haltBegin, onHalt);
    try {
      const root = run(function* (g) {
        g.spawn(
          function* () {
            yield* onTeardown((reason) => {
              if (reason) fromCleanup.push(reason.toJSON());
              const worker = root.inspect()?.children.find((child) => child.name === "worker");
              if (worker?.haltReason) fromTree.push(worker.haltReason);
            });
            yield* suspend();
          },
          { name: "worker" },
        );
        yield* suspend();
      });
      await new Promise((resolve) => setImmediate(resolve));
      await root.halt("enough");
    } finally {
      unsubscribe(Channels.haltBegin, onHalt);
    }
    const expected = [{ kind: "halted", message: "halted" }];
    assert.deepEqual(fromEvents, expected);
    assert.deepEqual(fromCleanup, expected);
    assert.deepEqual(fromTree, expected);
  });
});
