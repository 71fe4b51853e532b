import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { trace } from "@opentelemetry/api";
import { action, call, resource, sleep, spawn, suspend } from "effection";
import { group, onTeardown, run, shield } from "unwind";
import { instrument } from "unwind/otel";
import {
  activeSpanId,
  nameOf,
  type Recording,
  recordSpans,
  spanNamed,
  spanTree,
  tracedPerTest,
} from "../helpers/otel.ts";

describe("unwind/otel: a span per task and group", () => {
  const traced = tracedPerTest();

  it("makes each task and group a span, a child of its owner's, with its path, kind and final state", async () => {
    traced.install();
    await run(function* (root) {
      root.spawn(
        function* () {
          yield* sleep(1);
        },
        { name: "side" },
      );
      yield* group(
        function* (g) {
          g.spawn(
            function* () {
              yield* group(
                function* (inner) {
                  inner.spawn(
                    function* () {
                      yield* sleep(1);
                    },
                    { name: "leaf" },
                  );
                },
                { name: "inner" },
              );
            },
            { name: "a" },
          );
          g.spawn(
            function* () {
              yield* sleep(2);
            },
            { name: "b" },
          );
        },
        { name: "jobs" },
      );
    });
    const spans = traced.spans();
    assert.deepEqual(spanTree(spans), [
      "main (group, done)",
      "  jobs (group, done)",
      "    a (task, done)",
      "      inner (group, done)",
      "        leaf (task, done)",
      "    b (task, done)",
      "  side (task, done)",
    ]);
    assert.equal(spanNamed(spans, "leaf").attributes["unwind.path"], "main/jobs/a/inner/leaf");
    assert.equal(spanNamed(spans, "inner").attributes["unwind.path"], "main/jobs/a/inner");
    // One trace for the whole run.
    assert.equal(new Set(spans.map((span) => span.spanContext().traceId)).size, 1);
  });

  it("makes a task's span the active one across every yield*, in what it waits on, its children and its cleanups, and never a sibling's", async () => {
    traced.install();
    const seen: string[] = [];
    const note = (where: string) => seen.push(`${where}: ${activeSpanId()}`);
    await run(function* (root) {
      const worker = (label: string, pause: number) =>
        function* () {
          yield* onTeardown(async () => {
            await Promise.resolve();
            note(`${label} cleanup`);
          });
          for (let step = 0; step < 3; step++) {
            note(`${label} step ${step}`);
            yield* sleep(pause);
          }
          yield* call(async () => {
            await new Promise((resolve) => setTimeout(resolve, pause));
            note(`${label} async`);
          });
          yield* action<void>((resolve) => {
            const timer = setTimeout(() => {
              note(`${label} timer`);
              resolve();
            }, pause);
            return () => clearTimeout(timer);
          });
          yield* group(
            function* (g) {
              g.spawn(
                function* () {
                  note(`${label} child`);
                  yield* sleep(pause);
                  note(`${label} child again`);
                },
                { name: `${label}-child` },
              );
            },
            { name: `${label}-group` },
          );
          note(`${label} end`);
        };
      root.spawn(worker("x", 1), { name: "x" });
      root.spawn(worker("y", 2), { name: "y" });
    });
    note("after run");
    const spans = traced.spans();
    const named = seen.map((line) => {
      const [where, id] = line.split(": ") as [string, string];
      return `${where}: ${nameOf(spans, id)}`;
    });
    const expected = (label: string) => [
      `${label} step 0: ${label}`,
      `${label} step 1: ${label}`,
      `${label} step 2: ${label}`,
      `${label} async: ${label}`,
      `${label} timer: ${label}`,
      `${label} child: ${label}-child`,
      `${label} child again: ${label}-child`,
      `${label} end: ${label}`,
      `${label} cleanup: ${label}`,
    ];
    // Each task saw only its own span, whatever the interleaving.
    assert.deepEqual(
      named.filter((line) => line.startsWith("x ")),
      expected("x"),
    );
    assert.deepEqual(
      named.filter((line) => line.startsWith("y ")),
      expected("y"),
    );
    assert.deepEqual(named.at(-1), "after run: none");
    // They did run interleaved.
    assert.notDeepEqual(named.slice(0, 9), expected("x"));
  });

  it("runs shield()'s operation in its caller's span, and gives code in effection's own routines (resource(), spawn()) no span rather than someone else's", async () => {
    traced.install();
    const seen: string[] = [];
    const note = (where: string) => seen.push(`${where}: ${activeSpanId()}`);
    await run(function* (root) {
      for (const label of ["x", "y"]) {
        root.spawn(
          function* () {
            yield* resource<void>(function* (provide) {
              note(`${label} resource`);
              yield* sleep(1);
              note(`${label} resource again`);
              yield* provide();
            });
            const side = yield* spawn(function* () {
              note(`${label} spawn`);
              yield* sleep(1);
              note(`${label} spawn again`);
            });
            yield* shield(
              call(function* () {
                note(`${label} shield`);
                yield* sleep(1);
              }),
            );
            yield* side;
            note(`${label} own code`);
          },
          { name: label },
        );
      }
    });
    const spans = traced.spans();
    assert.deepEqual(
      seen
        .map((line) => {
          const [where, id] = line.split(": ") as [string, string];
          return `${where}: ${nameOf(spans, id)}`;
        })
        .sort(),
      [
        "x own code: x",
        "x resource again: none",
        "x resource: none",
        "x shield: x",
        "x spawn again: none",
        "x spawn: none",
        "y own code: y",
        "y resource again: none",
        "y resource: none",
        "y shield: y",
        "y spawn again: none",
        "y spawn: none",
      ],
    );
  });

  it("ends a span only once its teardown has finished, and records the halt reason as an attribute and an event", async () => {
    traced.install();
    const endedAtCleanup: boolean[] = [];
    await run(function* (root) {
      yield* group(
        function* (g) {
          g.spawn(
            function* () {
              yield* onTeardown(async () => {
                await new Promise((resolve) => setTimeout(resolve, 5));
                endedAtCleanup.push(traced.spans().some((span) => span.name === "worker"));
              });
              yield* suspend();
            },
            { name: "worker" },
          );
          yield* sleep(1);
          yield* g.halt("enough");
        },
        { name: "pool" },
      );
      void root;
    });
    assert.deepEqual(endedAtCleanup, [false]);
    const spans = traced.spans();
    assert.deepEqual(spanTree(spans), [
      "main (group, done)",
      "  pool (group, halted) halted: halted",
      "    worker (task, halted) halted: halted",
    ]);
    const worker = spanNamed(spans, "worker");
    assert.equal(worker.status.code, 0, "a halt is not an error");
    assert.deepEqual(
      worker.events.map((event) => [event.name, event.attributes]),
      [["unwind.halt", { "unwind.halt.reason": "halted", "unwind.halt.message": "halted" }]],
    );
  });

  it("records failures as status ERROR with exception events, cleanup errors with phase teardown", async () => {
    traced.install();
    const outcome = await run(function* (root) {
      yield* group(
        function* (g) {
          g.spawn(
            function* () {
              yield* onTeardown(() => {
                throw new Error("close failed");
              });
              yield* suspend();
            },
            { name: "conn" },
          );
          g.spawn(
            function* () {
              yield* sleep(1);
              throw new Error("boom");
            },
            { name: "job" },
          );
        },
        { name: "pool" },
      );
      void root;
    }).then(
      () => "returned",
      (error: Error) => error.constructor.name,
    );
    assert.equal(outcome, "GroupError");
    const spans = traced.spans();
    assert.deepEqual(spanTree(spans), [
      // main's body threw the GroupError of pool; its own halt follows from that.
      "main (group, failed) ERROR [run: main/pool: 2 failures: main/pool/job (run): Error: boom; main/pool/conn (teardown): Error: close failed]",
      "  pool (group, failed) halted: sibling-failed ERROR",
      "    conn (task, halted) halted: sibling-failed ERROR [teardown: close failed]",
      "    job (task, failed) ERROR [run: boom]",
    ]);
    const job = spanNamed(spans, "job");
    const exception = job.events.find((event) => event.name === "exception");
    assert.equal(exception?.attributes?.["exception.type"], "Error");
    assert.match(String(exception?.attributes?.["exception.stacktrace"]), /boom/);
  });
});

describe("unwind/otel: instrument() and its uninstall", () => {
  let recording: Recording & { stop(): void };
  before(() => {
    recording = recordSpans();
  });
  after(() => recording.stop());

  it("is idempotent: a second call installs nothing more and returns the same uninstall", async () => {
    const uninstall = instrument({ tracerProvider: recording.tracerProvider });
    try {
      assert.equal(instrument(), uninstall);
      assert.equal(instrument({ tracerProvider: recording.tracerProvider }), uninstall);
      await run(function* (root) {
        root.spawn(
          function* () {
            yield* sleep(1);
          },
          { name: "once" },
        );
      });
      assert.deepEqual(spanTree(recording.exporter.getFinishedSpans()), [
        "main (group, done)",
        "  once (task, done)",
      ]);
    } finally {
      uninstall();
      recording.exporter.reset();
    }
  });

  it("rejects bad options at the call, and a second provider while installed", () => {
    assert.throws(() => instrument("yes" as never), {
      name: "TypeError",
      message: 'instrument(): options must be an object such as { tracerProvider }, got a string ("yes")',
    });
    assert.throws(() => instrument({ tracerProvider: {} as never }), {
      name: "TypeError",
      message:
        "instrument(): options.tracerProvider must be an OpenTelemetry TracerProvider (an object with getTracer()), got an object; pass the provider your SDK made, or leave it out for the global one",
    });
    const uninstall = instrument();
    try {
      assert.throws(() => instrument({ tracerProvider: recording.tracerProvider }), {
        name: "TypeError",
        message:
          "instrument(): unwind is already instrumented with the global tracer provider; call the function the first instrument() returned before instrumenting with options.tracerProvider",
      });
    } finally {
      uninstall();
    }
  });

  it("uninstall ends the spans still open and puts everything back: no spans, no active span in tasks", async () => {
    const uninstall = instrument({ tracerProvider: recording.tracerProvider });
    const seen: string[] = [];
    await run(function* (root) {
      yield* group(
        function* (g) {
          g.spawn(
            function* () {
              yield* sleep(1);
              uninstall();
              seen.push(`after uninstall: ${activeSpanId()}`);
              yield* sleep(1);
              seen.push(`next step: ${activeSpanId()}`);
            },
            { name: "open" },
          );
        },
        { name: "before" },
      );
      yield* group(
        function* (g) {
          g.spawn(
            function* () {
              seen.push(`new task: ${activeSpanId()}`);
              yield* sleep(1);
            },
            { name: "untraced" },
          );
        },
        { name: "after" },
      );
      void root;
    });
    const spans = recording.exporter.getFinishedSpans();
    assert.deepEqual(
      spans.map((span) => `${span.name} ${span.events.map((event) => event.name).join(",")}`).sort(),
      ["before unwind.uninstalled", "main unwind.uninstalled", "open unwind.uninstalled"],
    );
    // The step that uninstalled ran in its span to its end; none after it did.
    assert.deepEqual(
      seen.map((line) => line.replace(/: [0-9a-f]{16}$/, ": a span")),
      ["after uninstall: a span", "next step: none", "new task: none"],
    );
    assert.equal(uninstall(), undefined, "a second uninstall does nothing");
    assert.equal(trace.getActiveSpan(), undefined);
    recording.exporter.reset();
  });
});
