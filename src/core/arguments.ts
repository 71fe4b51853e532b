import { constants } from "node:os";
import type { Operation } from "effection";
import { isPromiseLike } from "./promise-like.ts";

/*
 * Misuse fails where it is written. Each public function checks its
 * arguments with one call at its top, before anything runs, and throws an
 * error that names the function, the parameter and what it received:
 * `TypeError` when the kind of value is wrong, `RangeError` when the kind is
 * right but the value is not allowed. The common mistakes (an operation
 * where a function is wanted, an async function, a Promise) also say what to
 * write instead.
 *
 * What only shows when a callback runs (it returned nothing, or a Promise)
 * fails the task it runs in, with the same kind of message: see
 * `returnsOperation`.
 *
 * Only failures pay: the checks are a few `typeof`s on the way in, the
 * descriptions are built when an error is thrown.
 */

/**
 * The longest delay Node's timers take. A longer one is not an error in
 * Node: it fires after 1 ms (with a warning), so a "30 days" timeout would
 * end the work at once. unwind rejects such a value where it is written.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const TIMER_LIMIT = `${MAX_TIMER_MS} ms (about 24.8 days, the longest delay a Node timer takes)`;

const PROMISE_HINT =
  'tasks run operations, not promises: wrap the promise work with abortable((signal) => work(signal)) from "unwind", or use until(promise) from effection';

const ASYNC_GENERATOR_HINT =
  'an async generator is not an operation: drop "async" (function* () { ... }) and wait for promises with abortable((signal) => work(signal)) from "unwind" or until(promise) from effection';

/** A check of one argument: throws when `value` is not allowed. */
export type Rule = (caller: string, param: string, value: unknown) => void;

// ---------------------------------------------------------------------------
// Describing what was received

/** What `value` is, for an error message: `a string ("8080")`, `an async function (load)`, `undefined`. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "undefined":
      return "undefined";
    case "string":
      return `a string (${quote(value)})`;
    case "number":
    case "boolean":
      return String(value);
    case "bigint":
      return `a bigint (${value}n)`;
    case "symbol":
      return `a symbol (${String(value)})`;
    case "function":
      return describeFunction(value);
  }
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array (length ${value.length})`;
  if (isOperation(value)) {
    return Object.prototype.toString.call(value) === "[object Generator]"
      ? "an operation (a generator object, the result of calling a generator function)"
      : "an operation";
  }
  if (isPromiseLike(value)) return "a Promise";
  const kind = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof kind === "string" && kind !== "" && kind !== "Object" ? article(kind) : "an object";
}

function describeFunction(fn: unknown): string {
  const name = (fn as { name?: unknown }).name;
  const named = typeof name === "string" && name !== "" ? ` (${name})` : "";
  switch (functionKind(fn)) {
    case "async":
      return `an async function${named}`;
    case "generator":
      return `a generator function${named}`;
    case "async-generator":
      return `an async generator function${named}`;
    default:
      return `a function${named}`;
  }
}

function functionKind(fn: unknown): "async" | "generator" | "async-generator" | "plain" {
  // The tag of the function's prototype chain: the cheapest reliable test.
  switch (Object.prototype.toString.call(fn)) {
    case "[object AsyncFunction]":
      return "async";
    case "[object GeneratorFunction]":
      return "generator";
    case "[object AsyncGeneratorFunction]":
      return "async-generator";
    default:
      return "plain";
  }
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/**
 * `a` or `an`, by the sound the noun starts with: `an Error`, `a URL`,
 * `an HTTPServer`, `a Uint8Array`. A name that starts with two capitals
 * starts with a spelt letter (`URL`, `HTTPServer`): "an" before A, E, F, H,
 * I, L, M, N, O, R, S, X. Otherwise a vowel, except a "u" that sounds
 * "you" (`Uint8Array`, `User`).
 */
function article(noun: string): string {
  const spelt = /^[A-Z]{2}/.test(noun);
  const vowelSound = spelt ? /^[AEFHILMNORSX]/.test(noun) : /^(?!u(?:ni|int|s[aeiou]))[aeiou]/i.test(noun);
  return vowelSound ? `an ${noun}` : `a ${noun}`;
}

/**
 * Is `value` an operation: an object that `yield*` can run? The iterable
 * collections (an array, a typed array, a Map, a Set) are not, although
 * they have a `[Symbol.iterator]`.
 */
function isOperation(value: unknown): value is Operation<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<Operation<unknown>>)[Symbol.iterator] === "function" &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value) &&
    !(value instanceof Map) &&
    !(value instanceof Set)
  );
}

export function fail(kind: "type" | "range", caller: string, message: string): never {
  const text = `${caller}: ${message}`;
  throw kind === "type" ? new TypeError(text) : new RangeError(text);
}

// ---------------------------------------------------------------------------
// One rule each

/** A task, group or server name: a non-empty string without "/" (the path separator). */
export const segmentName: Rule = (caller, param, value) => {
  if (typeof value === "string" && value !== "" && !value.includes("/")) return;
  const why =
    typeof value === "string" && value.includes("/") ? '; "/" separates the names in a task path' : "";
  fail(
    typeof value === "string" ? "range" : "type",
    caller,
    `${param} must be a non-empty string without "/", got ${describeValue(value)}${why}`,
  );
};

/**
 * A number of milliseconds for a timer: from `min` (default 0) to
 * `MAX_TIMER_MS`. `noLimit` says how to ask for no limit, when the
 * parameter has a way.
 */
export function milliseconds(noLimit?: string, min = 0): Rule {
  return (caller, param, value) => {
    if (typeof value !== "number" || Number.isNaN(value) || value < min) {
      const convert = typeof value === "string" ? "; convert it with Number()" : "";
      fail(
        typeof value === "number" ? "range" : "type",
        caller,
        `${param} must be a number of milliseconds >= ${min}, got ${describeValue(value)}${convert}`,
      );
    }
    if (value > MAX_TIMER_MS) {
      const hint = noLimit ? `; ${noLimit}` : "";
      fail("range", caller, `${param} must be at most ${TIMER_LIMIT}, got ${describeValue(value)}${hint}`);
    }
  };
}

/** A time in ms since the epoch, at most `MAX_TIMER_MS` from now. */
export const deadline: Rule = (caller, param, value) => {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    const hint = value instanceof Date ? "; write date.getTime()" : "";
    fail(
      typeof value === "number" ? "range" : "type",
      caller,
      `${param} must be a time in ms since the epoch (such as Date.now() + 30_000), got ${describeValue(value)}${hint}`,
    );
  }
  const ahead = value - Date.now();
  if (ahead > MAX_TIMER_MS) {
    fail(
      "range",
      caller,
      `${param} must be at most ${TIMER_LIMIT} from now, got ${describeValue(value)} (${Math.round(ahead / 86_400_000)} days from now); leave it out for no limit`,
    );
  }
};

/** An integer from `min` to `max`. */
export function integer(min: number, max = Number.POSITIVE_INFINITY): Rule {
  const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `from ${min} to ${max}`;
  return (caller, param, value) => {
    if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return;
    const convert = typeof value === "string" ? `; convert it first: Number(${quote(value)})` : "";
    fail(
      typeof value === "number" ? "range" : "type",
      caller,
      `${param} must be an integer ${range}, got ${describeValue(value)}${convert}`,
    );
  };
}

/** A finite number from `min` to `max`. */
export function numberFrom(min: number, max = Number.POSITIVE_INFINITY): Rule {
  const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `from ${min} to ${max}`;
  return (caller, param, value) => {
    if (typeof value === "number" && value >= min && value <= max) return;
    const convert = typeof value === "string" ? `; convert it first: Number(${quote(value)})` : "";
    fail(
      typeof value === "number" ? "range" : "type",
      caller,
      `${param} must be a number ${range}, got ${describeValue(value)}${convert}`,
    );
  };
}

/** One of a few documented strings; a misspelt one is an error, not the default. */
export function oneOf(...allowed: readonly string[]): Rule {
  const list = allowed.map((value) => JSON.stringify(value)).join(" or ");
  return (caller, param, value) => {
    if (typeof value === "string" && allowed.includes(value)) return;
    fail(
      typeof value === "string" ? "range" : "type",
      caller,
      `${param} must be ${list}, got ${describeValue(value)}`,
    );
  };
}

/** A callback. */
export const callback: Rule = (caller, param, value) => {
  if (typeof value === "function") return;
  fail("type", caller, `${param} must be a function, got ${describeValue(value)}`);
};

/** `true` or `false`. */
export const boolean: Rule = (caller, param, value) => {
  if (typeof value === "boolean") return;
  fail("type", caller, `${param} must be true or false, got ${describeValue(value)}`);
};

/** A non-empty string. */
export const nonEmptyString: Rule = (caller, param, value) => {
  if (typeof value === "string" && value !== "") return;
  fail(
    typeof value === "string" ? "range" : "type",
    caller,
    `${param} must be a non-empty string, got ${describeValue(value)}`,
  );
};

/** An object of options for something else (such as `node:http`'s `createServer()`). */
export const plainObject: Rule = (caller, param, value) => {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return;
  fail("type", caller, `${param} must be an object, got ${describeValue(value)}`);
};

/** An `AbortSignal`; the common mistake is passing its controller. */
export const abortSignal: Rule = (caller, param, value) => {
  if (value instanceof AbortSignal) return;
  const hint = value instanceof AbortController ? "; pass its signal: controller.signal" : "";
  fail("type", caller, `${param} must be an AbortSignal, got ${describeValue(value)}${hint}`);
};

/**
 * The name of a signal Node knows (`os.constants.signals`) that a process
 * can catch. `example` is shown in the message, and `alternative` says what
 * else the parameter takes (`, or false`).
 */
export function signalName(example = "SIGTERM", alternative = ""): Rule {
  const known = sentSignal(example, alternative);
  return (caller, param, signal) => {
    known(caller, param, signal);
    if (signal === "SIGKILL" || signal === "SIGSTOP") {
      fail("range", caller, `${param} is "${signal}", which no process can catch or handle`);
    }
  };
}

/**
 * The name of a signal Node knows (`os.constants.signals`), to send to
 * another process: SIGKILL included. `example` and `alternative` as for
 * `signalName`.
 */
export function sentSignal(example = "SIGTERM", alternative = ""): Rule {
  return (caller, param, signal) => {
    if (typeof signal === "string" && Object.hasOwn(constants.signals, signal)) return;
    const guess = typeof signal === "string" ? knownSignal(signal) : undefined;
    const hint = guess ? `; write "${guess}"` : "";
    fail(
      typeof signal === "string" ? "range" : "type",
      caller,
      `${param} must be the name of a signal Node knows (such as "${example}")${alternative}, got ${describeValue(signal)}${hint}`,
    );
  };
}

const anySignal = signalName();

/** Signal names Node knows (`os.constants.signals`) that a process can catch. */
export const signalNames: Rule = (caller, param, value) => {
  if (!Array.isArray(value)) {
    const hint = typeof value === "string" ? `; write [${JSON.stringify(value)}]` : "";
    fail(
      "type",
      caller,
      `${param} must be an array of signal names such as ["SIGINT", "SIGTERM"], got ${describeValue(value)}${hint}`,
    );
  }
  value.forEach((signal: unknown, index) => {
    anySignal(caller, `${param}[${index}]`, signal);
  });
};

function knownSignal(signal: string): string | undefined {
  const upper = signal.toUpperCase();
  for (const candidate of [upper, `SIG${upper}`]) {
    if (Object.hasOwn(constants.signals, candidate)) return candidate;
  }
  return undefined;
}

/** Something `Array.from()` takes: an iterable or an array-like. */
export const iterable: Rule = (caller, param, value) => {
  const candidate = value as { [Symbol.iterator]?: unknown; length?: unknown } | null | undefined;
  if (
    candidate != null &&
    (typeof candidate[Symbol.iterator] === "function" || typeof candidate.length === "number")
  ) {
    return;
  }
  fail(
    "type",
    caller,
    `${param} must be an iterable or array-like (an array, a Set, a generator, ...), got ${describeValue(value)}`,
  );
};

/**
 * A function that makes an operation (a generator function, or a function
 * that returns one). `example` is the right way to write the call, shown
 * when an operation itself was passed: `g.spawn(() => worker())`; `what`
 * names what is expected.
 */
export function operationFactory(
  example: string,
  what = "a function that returns an operation (such as a generator function)",
): Rule {
  return (caller, param, value) => {
    const kind = typeof value === "function" ? functionKind(value) : undefined;
    if (kind === "plain" || kind === "generator") return;
    let hint = "";
    if (kind === "async") hint = `; ${PROMISE_HINT}`;
    else if (kind === "async-generator") hint = `; ${ASYNC_GENERATOR_HINT}`;
    else if (isOperation(value)) hint = `; pass a function that makes it: ${example}`;
    else if (isPromiseLike(value)) hint = `; ${PROMISE_HINT}`;
    fail("type", caller, `${param} must be ${what}, got ${describeValue(value)}${hint}`);
  };
}

/**
 * An operation (`sleep(100)`, `worker()`, `call(fn)`). `call` writes the
 * right call around an operation's text, shown when a function was passed
 * instead: `(op) => \`withTimeout(ms, ${op})\``.
 */
export function operation(call: (op: string) => string): Rule {
  return (caller, param, value) => {
    if (isOperation(value)) return;
    let hint = "";
    if (typeof value === "function") {
      const kind = functionKind(value);
      if (kind === "async" || kind === "async-generator") hint = `; ${PROMISE_HINT}`;
      else hint = `; call the function to make the operation: ${call(`${value.name || "op"}()`)}`;
    } else if (isPromiseLike(value)) {
      hint = `; ${PROMISE_HINT}`;
    }
    fail(
      "type",
      caller,
      `${param} must be an operation (such as sleep(100) or worker()), got ${describeValue(value)}${hint}`,
    );
  };
}

// ---------------------------------------------------------------------------
// Options objects

/** Rules for the keys of an options object: every key it takes, and only those. */
export type OptionRules = Readonly<Record<string, Rule>>;

/**
 * Checks an options object: `undefined` (no options) or an object whose
 * listed keys, when present and not `undefined`, pass their rules, and
 * that has no other key (a misspelt option would otherwise do nothing,
 * silently: `{ teardwon: "concurrent" }`).
 * `example` shows a well-formed one, `{ name: "worker" }` (or makes it from
 * what was passed). `param` names it: `options`, or `options.restart` for
 * options nested in options.
 */
export function checkOptions(
  caller: string,
  options: unknown,
  rules: OptionRules,
  example: string | ((options: unknown) => string),
  param = "options",
): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    const shape = typeof example === "string" ? example : example(options);
    fail("type", caller, `${param} must be an object such as ${shape}, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(rules, key)) unknownOption(caller, param, key, rules);
  }
  for (const key in rules) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) rules[key]?.(caller, `${param}.${key}`, value);
  }
}

function unknownOption(caller: string, param: string, key: string, rules: OptionRules): never {
  const known = Object.keys(rules);
  const near = known.find((name) => closeSpelling(name, key));
  const hint = near ? `did you mean ${near}? ` : "";
  const list = known.length === 0 ? "it takes none" : `it takes ${known.join(", ")}`;
  fail("type", caller, `${param}.${key} is not an option of ${caller}; ${hint}(${list})`);
}

/** Case aside, at most two edits apart (a typo, a swapped pair of letters counting as two). */
function closeSpelling(a: string, b: string): boolean {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  if (Math.abs(x.length - y.length) > 2) return false;
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = row;
  }
  return (previous[y.length] ?? Number.POSITIVE_INFINITY) <= 2;
}

/** Options nested in options (`restart: { maxRestarts: 5 }`), checked with their own rules. */
export function nestedOptions(rules: OptionRules, example: string): Rule {
  return (caller, param, value) => checkOptions(caller, value, rules, example, param);
}

// ---------------------------------------------------------------------------
// When a callback runs

/**
 * Wraps `fn` so that what it returns is checked when it runs: a function
 * that returned nothing, or a Promise, fails the task it runs in with a
 * message like the ones at the call. A generator function always returns a
 * generator, so it is returned as it is; any other function gets one small
 * closure, which does not change what runs.
 */
export function returnsOperation<A extends unknown[], T>(
  caller: string,
  param: string,
  fn: (...args: A) => Operation<T>,
): (...args: A) => Operation<T> {
  if (functionKind(fn) === "generator") return fn;
  return (...args) => operationReturned(caller, param, fn, fn(...args));
}

function operationReturned<T>(caller: string, param: string, fn: unknown, value: Operation<T>): Operation<T> {
  if (isOperation(value)) return value;
  const named = (fn as { name?: unknown }).name;
  const who = typeof named === "string" && named !== "" ? `${param} (${named})` : param;
  let hint = "";
  if (isPromiseLike(value)) hint = ` (an async function?); ${PROMISE_HINT}`;
  else if (value === undefined) {
    hint = "; make it a generator function (function* () { ... }) or return the operation (() => worker())";
  }
  throw new TypeError(`${caller}: ${who} returned ${describeValue(value)} instead of an operation${hint}`);
}

// ---------------------------------------------------------------------------
// The public functions of the core, the operations and the entry points

// The rules are made once: checking costs no allocation on the way in.

export const groupRules = {
  name: segmentName,
  teardown: oneOf("serial", "concurrent"),
  policy: oneOf("fail-fast", "supervise"),
  onError: callback,
  limit: integer(1),
  timeout: milliseconds("leave it out for no limit"),
  deadline,
  signal: abortSignal,
} satisfies OptionRules;

export const spawnRules = { name: segmentName } satisfies OptionRules;
const spawnOp = operationFactory("g.spawn(() => worker())");
const startBody = operationFactory("g.start((ready) => listener(ready))");

/** `g.spawn(op, "worker")`: show the options object that was meant. */
const spawnExample = (options: unknown) =>
  `{ name: ${typeof options === "string" ? JSON.stringify(options) : '"worker"'} }`;

/** `g.spawn(op, options)`. */
export function checkSpawn(op: unknown, options: unknown): void {
  spawnOp("g.spawn()", "op", op);
  checkOptions("g.spawn()", options, spawnRules, spawnExample);
}

/** `g.start(body, options)`. */
export function checkStart(body: unknown, options: unknown): void {
  startBody("g.start()", "body", body);
  checkOptions("g.start()", options, spawnRules, spawnExample);
}

const groupBody = operationFactory("group((g) => body(g))");

/** `group(body, options)`. */
export function checkGroup(body: unknown, options: unknown): void {
  groupBody("group()", "body", body);
  checkOptions("group()", options, groupRules, '{ name: "pool", teardown: "concurrent" }');
}

/** `onTeardown(cleanup)`: a plain or async function (a generator function's body would never run). */
export function checkOnTeardown(cleanup: unknown): void {
  const kind = typeof cleanup === "function" ? functionKind(cleanup) : undefined;
  if (kind === "plain" || kind === "async") return;
  let hint = "";
  if (kind !== undefined) {
    hint = "; a cleanup's generator would never be run: write onTeardown(async () => { ... })";
  } else if (cleanup === undefined || isPromiseLike(cleanup)) {
    hint = "; pass the function, not its result: onTeardown(() => close())";
  } else if (isOperation(cleanup)) {
    hint = "; a cleanup is a plain or async function: onTeardown(async () => { ... })";
  }
  fail(
    "type",
    "onTeardown()",
    `cleanup must be a plain or async function, got ${describeValue(cleanup)}${hint}`,
  );
}

const timerMs = milliseconds();
const limitedOp = {
  "withTimeout()": operation((inner) => `withTimeout(ms, ${inner})`),
  "moveOnAfter()": operation((inner) => `moveOnAfter(ms, ${inner})`),
};

/** `withTimeout(ms, op)` and `moveOnAfter(ms, op)`. */
export function checkTimeLimit(caller: "withTimeout()" | "moveOnAfter()", ms: unknown, op: unknown): void {
  timerMs(caller, "ms", ms);
  limitedOp[caller](caller, "op", op);
}

const shieldOp = operation((inner) => `shield(${inner})`);
export const shieldRules = { timeout: milliseconds("leave it out for no limit") } satisfies OptionRules;

/** `shield(op, options)`. */
export function checkShield(op: unknown, options: unknown): void {
  shieldOp("shield()", "op", op);
  checkOptions("shield()", options, shieldRules, "{ timeout: 2_000 }");
}

const positiveInteger = integer(1);

/** `mapLimit(items, limit, fn)`. */
export function checkMapLimit(items: unknown, limit: unknown, fn: unknown): void {
  iterable("mapLimit()", "items", items);
  positiveInteger("mapLimit()", "limit", limit);
  callback("mapLimit()", "fn", fn);
}

export const runRules = { ...groupRules, signals: signalNames } satisfies OptionRules;
const runBody = operationFactory("run((root) => program(root))");

/** `run(body, options)`. */
export function checkRun(body: unknown, options: unknown): void {
  runBody("run()", "body", body);
  checkOptions("run()", options, runRules, '{ signals: ["SIGTERM"] }');
}

export const mainRules = {
  ...groupRules,
  signals: signalNames,
  drainTimeout: timerMs,
  shutdownDelay: timerMs,
  teardownTimeout: timerMs,
  spawnSites: boolean,
  exit: boolean,
  inspect: boolean,
} satisfies OptionRules;
const mainBody = operationFactory("main((root) => program(root))");

/** `main(body, options)`. */
export function checkMain(body: unknown, options: unknown): void {
  mainBody("main()", "body", body);
  checkOptions("main()", options, mainRules, "{ teardownTimeout: 10_000 }");
}

// Restarts: supervisor() and, for its workers, cluster() of "unwind/process".

const backoffShape = nestedOptions(
  { initialMs: milliseconds(), maxMs: milliseconds(), factor: numberFrom(1), jitter: numberFrom(0, 1) },
  "{ initialMs: 100, maxMs: 5_000 }",
);

/** A `Backoff`, or `false` for none. (`maxMs` >= `initialMs` is checked where the defaults are filled in.) */
const backoff: Rule = (caller, param, value) => {
  if (value === false) return;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(
      "type",
      caller,
      `${param} must be an object such as { initialMs: 100, maxMs: 5_000 }, or false for no wait, got ${describeValue(value)}`,
    );
  }
  backoffShape(caller, param, value);
};

/** The restart intensity and backoff, as `supervisor()` and `cluster({ restart })` take them. */
export const restartRules = {
  maxRestarts: integer(0),
  withinMs: milliseconds(undefined, 1),
  backoff,
} satisfies OptionRules;

export const supervisorRules = {
  ...restartRules,
  name: segmentName,
  strategy: oneOf("one-for-one", "one-for-all", "rest-for-one"),
  teardown: oneOf("serial", "concurrent"),
} satisfies OptionRules;
const supervisorBody = operationFactory("supervisor((s) => body(s))");

/** `supervisor(body, options)`. */
export function checkSupervisor(body: unknown, options: unknown): void {
  supervisorBody("supervisor()", "body", body);
  checkOptions("supervisor()", options, supervisorRules, '{ name: "workers", strategy: "one-for-one" }');
}

export const supervisedRules = {
  name: segmentName,
  restart: oneOf("permanent", "transient", "temporary"),
} satisfies OptionRules;
const supervisedOp = operationFactory("s.spawn(() => worker())");

/** A supervisor's `s.spawn(op, options)`. */
export function checkSupervisedSpawn(op: unknown, options: unknown): void {
  supervisedOp("s.spawn()", "op", op);
  checkOptions("s.spawn()", options, supervisedRules, '{ name: "worker", restart: "transient" }');
}
