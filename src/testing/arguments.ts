import {
  boolean,
  checkOptions,
  describeValue,
  fail,
  groupRules,
  mainRules,
  type OptionRules,
  operationFactory,
  type Rule,
} from "../core/arguments.ts";

// The checks of "unwind/testing", made from the core's rules: the same
// messages as everywhere else (what was received, and the fix).

/** The virtual clock's start: ms since the epoch, or a `Date`. */
const virtualNow: Rule = (caller, param, value) => {
  if (typeof value === "number" && Number.isFinite(value)) return;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return;
  fail(
    typeof value === "number" || value instanceof Date ? "range" : "type",
    caller,
    `${param} must be the virtual clock's start, in ms since the epoch or as a Date, got ${describeValue(value)}`,
  );
};

/** An option of the function next door that means nothing here. */
const notHere =
  (why: string): Rule =>
  (caller, param) =>
    fail("type", caller, `${param} is not an option of ${caller}: ${why}`);

export const testRunRules = {
  ...groupRules,
  now: virtualNow,
  signals: notHere(
    "a test run listens to no signals of the process; use testMain() to send a program signals",
  ),
} satisfies OptionRules;

export const testMainRules = {
  ...mainRules,
  virtualClock: boolean,
  now: virtualNow,
  exit: notHere("it never exits the process; await the program for its outcome"),
  inspect: notHere("it opens no inspection socket; program.inspect() gives the live tree"),
} satisfies OptionRules;

/** `testRun(body, options)`. */
export function checkTestRun(body: unknown, options: unknown): void {
  operationFactory("testRun((root) => program(root))")("testRun()", "body", body);
  checkOptions("testRun()", options, testRunRules, "{ now: 0 }");
}

/** `testMain(body, options)`. */
export function checkTestMain(body: unknown, options: unknown): void {
  operationFactory("testMain((root) => program(root))")("testMain()", "body", body);
  checkOptions("testMain()", options, testMainRules, "{ virtualClock: true }");
  const { now, virtualClock } = (options ?? {}) as { now?: unknown; virtualClock?: unknown };
  if (now !== undefined && virtualClock !== true) {
    fail("type", "testMain()", "options.now sets the start of the virtual clock: add virtualClock: true");
  }
}
