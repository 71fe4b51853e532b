// Random trees of groups (serial or concurrent teardown, fail-fast or
// supervise, with or without a limit) with random failures, halts and
// timeouts, checked
// against invariants 2-6 of the design: join, tree order, exactly once, no
// lost errors, halt is final. Failing tasks and cleanups throw unique errors,
// one shared Error object, or the same string: every throw is one failure.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Operation, sleep, suspend } from "effection";
import fc from "fast-check";
import { GroupError, group, onTeardown, run, TimeoutError, useCancelSignal } from "unwind";

interface Spec {
  behaviour: "return" | "fail" | "suspend";
  delay: number;
  cleanups: number;
  asyncCleanup: boolean;
  throwingCleanup: boolean;
  teardown: "serial" | "concurrent";
  timeout: number | undefined;
  policy: "fail-fast" | "supervise";
  limit: number | undefined;
  /** What a failing task or cleanup throws. */
  thrown: "unique" | "shared" | "string";
  children: Spec[];
}

const spec = (depth: number): fc.Arbitrary<Spec> =>
  fc.record({
    behaviour: fc.constantFrom("return", "fail", "suspend"),
    delay: fc.integer({ min: 0, max: 3 }),
    cleanups: fc.integer({ min: 0, max: 2 }),
    asyncCleanup: fc.boolean(),
    throwingCleanup: fc.boolean(),
    teardown: fc.constantFrom("serial", "concurrent"),
    timeout: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
    policy: fc.constantFrom("fail-fast", "supervise"),
    limit: fc.option(fc.integer({ min: 1, max: 2 }), { nil: undefined }),
    thrown: fc.constantFrom("unique", "shared", "string"),
    children: depth === 0 ? fc.constant([]) : fc.array(spec(depth - 1), { maxLength: 3 }),
  });

type Event =
  | { kind: "registered" | "cleanup"; path: string; index: number }
  | { kind: "step" | "halting" | "group-returned"; path: string };

const shared = new Error("shared");

/** What a failing task (or cleanup) at `path` throws; `thrown` records who threw. */
function throwing(s: Spec, what: string): unknown {
  if (s.thrown === "shared") return shared;
  if (s.thrown === "string") return "boom";
  return new Error(what);
}

/** One entry per throw: the path and phase the failure must be reported with, and the value. */
interface Thrown {
  key: string;
  value: unknown;
}

function* task(s: Spec, path: string, events: Event[], thrown: Thrown[]): Operation<void> {
  const signal = yield* useCancelSignal();
  signal.addEventListener("abort", () => events.push({ kind: "halting", path }));
  for (let index = 0; index < s.cleanups; index++) {
    events.push({ kind: "registered", path, index });
    yield* onTeardown(async () => {
      if (s.asyncCleanup) await new Promise((resolve) => setImmediate(resolve));
      events.push({ kind: "cleanup", path, index });
      if (s.throwingCleanup && index === 0) {
        const value = throwing(s, `cleanup ${path}`);
        thrown.push({ key: `${path} teardown`, value });
        throw value;
      }
    });
  }
  if (s.children.length > 0) {
    yield* group(
      function* (g) {
        s.children.forEach((child, i) => {
          g.spawn(() => task(child, `${path}/c${i}`, events, thrown), { name: `c${i}` });
        });
      },
      {
        teardown: s.teardown,
        policy: s.policy,
        ...(s.timeout === undefined ? {} : { timeout: s.timeout }),
        ...(s.limit === undefined ? {} : { limit: s.limit }),
      },
    );
    events.push({ kind: "group-returned", path });
  }
  yield* sleep(s.delay);
  events.push({ kind: "step", path });
  if (s.behaviour === "fail") {
    const value = throwing(s, `fail ${path}`);
    thrown.push({ key: `${path} run`, value });
    throw value;
  }
  if (s.behaviour === "suspend") yield* suspend();
}

const isUnder = (path: string, ancestor: string) => path.startsWith(`${ancestor}/`);

describe("invariants over random task trees", () => {
  it("hold for every tree, failure, halt and timeout", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(spec(2), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 6 }),
        async (tops, haltAfter) => {
          const events: Event[] = [];
          const thrown: Thrown[] = [];
          const root = run(function* (g) {
            tops.forEach((top, i) => {
              g.spawn(() => task(top, `main/t${i}`, events, thrown), { name: `t${i}` });
            });
          });
          const timer = setTimeout(() => root.halt().catch(() => {}), haltAfter);
          const outcome = await root.then(
            () => undefined,
            (error: unknown) => error,
          );
          clearTimeout(timer);

          // 4. Exactly once: every registered cleanup ran, once.
          const key = (e: Event) => `${e.path}#${"index" in e ? e.index : ""}`;
          const registered = events
            .filter((e) => e.kind === "registered")
            .map(key)
            .sort();
          const ran = events
            .filter((e) => e.kind === "cleanup")
            .map(key)
            .sort();
          assert.deepEqual(ran, registered);

          events.forEach((event, at) => {
            // 3. Tree order: no cleanup of a descendant after a cleanup of its ancestor.
            if (event.kind === "cleanup") {
              const later = events.slice(at + 1);
              const late = later.find((e) => e.kind === "cleanup" && isUnder(e.path, event.path));
              assert.equal(late, undefined, `${late?.path} cleaned up after its ancestor ${event.path}`);
            }
            // 2. Join: a group returns only after everything under it has settled.
            if (event.kind === "group-returned") {
              const late = events
                .slice(at + 1)
                .find((e) => isUnder(e.path, event.path) && e.kind === "cleanup");
              assert.equal(late, undefined, `${late?.path} cleaned up after ${event.path}'s group returned`);
            }
            // 6. Halt is final: no step of a task after its halt started.
            if (event.kind === "halting") {
              const resumed = events.slice(at + 1).find((e) => e.kind === "step" && e.path === event.path);
              assert.equal(resumed, undefined, `${event.path} resumed after its halt started`);
            }
          });

          // 5. No lost errors: every throw is one failure in the GroupError,
          // with its path, phase and value (equal values included), and
          // nothing else is there but timeouts.
          if (thrown.length === 0 && outcome === undefined) return;
          assert.ok(outcome instanceof GroupError, `expected a GroupError, got ${String(outcome)}`);
          const reported = outcome.failures.filter((f) => !(f.error instanceof TimeoutError));
          const order = (a: Thrown, b: Thrown) => a.key.localeCompare(b.key);
          assert.deepEqual(
            reported.map((f) => ({ key: `${f.path} ${f.phase}`, value: f.error })).sort(order),
            [...thrown].sort(order),
          );
        },
      ),
      { numRuns: 400, includeErrorInReport: true },
    );
  });
});
