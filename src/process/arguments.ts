import { isAbsolute } from "node:path";
import {
  checkOptions,
  describeValue,
  fail,
  integer,
  milliseconds,
  nestedOptions,
  type OptionRules,
  oneOf,
  plainObject,
  type Rule,
  restartRules,
  segmentName,
  sentSignal,
  signalName,
} from "../core/arguments.ts";

// The checks of "unwind/process", made from the core's rules: the same
// messages as everywhere else (the function, the parameter, what was
// received, and the fix).

/** A URL as a module parameter gets: which one it was, not only "a URL". */
function describeModule(value: unknown): string {
  return value instanceof URL ? `the URL ${JSON.stringify(value.href)}` : describeValue(value);
}

// ---------------------------------------------------------------------------
// exec(command, args, options)

const STDIO_MODES = ["pipe", "inherit", "ignore"] as const;
const stdioMode = oneOf(...STDIO_MODES);

/** One mode for the three streams, or one each. */
const stdio: Rule = (caller, param, value) => {
  if (Array.isArray(value) && value.length === 3) {
    value.forEach((mode: unknown, index) => {
      stdioMode(caller, `${param}[${index}]`, mode);
    });
    return;
  }
  if (typeof value === "string" && (STDIO_MODES as readonly string[]).includes(value)) return;
  fail(
    typeof value === "string" || Array.isArray(value) ? "range" : "type",
    caller,
    `${param} must be "pipe", "inherit" or "ignore", or an array of three of them (stdin, stdout, stderr) such as ["ignore", "inherit", "pipe"], got ${describeValue(value)}`,
  );
};

/** A working directory: a path, or a file URL. */
const directory: Rule = (caller, param, value) => {
  if (value instanceof URL ? value.protocol === "file:" : typeof value === "string" && value !== "") return;
  fail(
    "type",
    caller,
    `${param} must be a directory's path or file URL, such as new URL("./data/", import.meta.url), got ${describeModule(value)}`,
  );
};

export const execRules = {
  name: segmentName,
  cwd: directory,
  env: plainObject,
  stdio,
  gracePeriod: milliseconds(),
  killSignal: sentSignal(),
} satisfies OptionRules;

/** `exec("ls -l")` works in a shell, not here. */
const command: Rule = (caller, param, value) => {
  if (typeof value === "string" && value !== "") return;
  fail(
    typeof value === "string" ? "range" : "type",
    caller,
    `${param} must be a non-empty string (a program's name or path, such as "git"), got ${describeValue(value)}`,
  );
};

/** The arguments of the program, each a string. */
const commandArgs: Rule = (caller, param, value) => {
  if (!Array.isArray(value)) {
    const hint =
      typeof value === "object" && value !== null
        ? '; the options come third: exec("ls", [], { stdio: "inherit" })'
        : typeof value === "string"
          ? `; write [${JSON.stringify(value)}]`
          : "";
    fail(
      "type",
      caller,
      `${param} must be an array of strings such as ["-l", "/srv"], got ${describeValue(value)}${hint}`,
    );
  }
  value.forEach((arg: unknown, index) => {
    if (typeof arg === "string") return;
    const convert = typeof arg === "number" ? `; convert it first: String(${arg})` : "";
    fail("type", caller, `${param}[${index}] must be a string, got ${describeValue(arg)}${convert}`);
  });
};

/** `exec(command, args, options)`. */
export function checkExec(commandValue: unknown, args: unknown, options: unknown): void {
  if (process.platform === "win32") {
    throw new Error("exec(): needs POSIX process groups (Linux, macOS); it does not run on Windows");
  }
  command("exec()", "command", commandValue);
  commandArgs("exec()", "args", args);
  checkOptions("exec()", options, execRules, '{ stdio: "inherit", gracePeriod: 10_000 }');
}

// ---------------------------------------------------------------------------
// worker(module, options), workerPool(module, options)

/**
 * What `node:worker_threads` loads: a file or data: URL, an absolute path,
 * or a path relative to the current directory that says so (`./`, `../`).
 * A `file:` string is taken as the URL it spells.
 */
const workerModule: Rule = (caller, param, value) => {
  if (value instanceof URL) {
    if (value.protocol === "file:" || value.protocol === "data:") return;
  } else if (typeof value === "string" && value !== "") {
    if (isAbsolute(value) || /^\.\.?\//.test(value) || value.startsWith("file:")) return;
    fail(
      "range",
      caller,
      `${param} must be a file or data: URL, or a path, such as new URL("./worker.js", import.meta.url), got ${describeValue(value)}; a relative path starts with "./" and is taken from the current directory, not from this file: new URL(${JSON.stringify(`./${value}`)}, import.meta.url)`,
    );
  }
  fail(
    typeof value === "string" ? "range" : "type",
    caller,
    `${param} must be a file or data: URL, or a path, such as new URL("./worker.js", import.meta.url), got ${describeModule(value)}`,
  );
};

/** Any value: what the thread cannot be sent (a function, say) fails when it starts, as Node reports it. */
const workerData: Rule = () => {};
export const workerRules = {
  name: segmentName,
  gracePeriod: milliseconds(),
  data: workerData,
} satisfies OptionRules;

/** `worker(module, options)`. */
export function checkWorker(module: unknown, options: unknown): void {
  workerModule("worker()", "module", module);
  checkOptions("worker()", options, workerRules, '{ name: "indexer", gracePeriod: 2_000 }');
}

export const poolRules = { ...workerRules, size: integer(1) } satisfies OptionRules;
const poolSize = integer(1);

/** `workerPool(module, options)`. */
export function checkWorkerPool(module: unknown, options: unknown): void {
  workerModule("workerPool()", "module", module);
  checkOptions("workerPool()", options, poolRules, "{ size: 4 }");
  // Not optional: checked even without options.
  poolSize("workerPool()", "options.size", (options as { size?: unknown } | undefined)?.size);
}

// ---------------------------------------------------------------------------
// serveJobs(handler)

/** `serveJobs(handler)`: a function of the job; what it returns is the result (a value, a Promise or an operation). */
export function checkServeJobs(handler: unknown): void {
  if (typeof handler === "function") return;
  const hint =
    typeof handler === "object" && handler !== null
      ? "; pass the function itself, not what it returns: serveJobs((job) => work(job))"
      : "";
  fail(
    "type",
    "serveJobs()",
    `handler must be a function (job, signal) => result, got ${describeValue(handler)}${hint}`,
  );
}

// ---------------------------------------------------------------------------
// cluster(options)

/** Signals that already shut `main()` down: a reload signal must be another one. */
const SHUTDOWN_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"];

const reloadSignalName = signalName("SIGURG", ", or false");

const reloadSignal: Rule = (caller, param, value) => {
  if (value === false) return;
  reloadSignalName(caller, param, value);
  if (SHUTDOWN_SIGNALS.includes(value as string)) {
    fail(
      "range",
      caller,
      `${param} is "${value}", which already shuts main() down; choose another one (the default is "SIGURG")`,
    );
  }
};

/** What `node:cluster` forks: a file, by URL or path. */
const clusterModule: Rule = (caller, param, value) => {
  if (value instanceof URL ? value.protocol === "file:" : typeof value === "string" && value !== "") return;
  fail(
    "type",
    caller,
    `${param} must be a file URL or a path, such as new URL("./worker.js", import.meta.url), got ${describeModule(value)}`,
  );
};

const workerCount = integer(1);
export const clusterRules = {
  workers: workerCount,
  module: clusterModule,
  reloadSignal,
  gracePeriod: milliseconds(),
  restart: nestedOptions(restartRules, "{ maxRestarts: 5, withinMs: 30_000 }"),
  name: segmentName,
} satisfies OptionRules;

/** `cluster(options)`. (A backoff's `maxMs` below its `initialMs` is seen where the defaults are filled in.) */
export function checkCluster(options: unknown): void {
  checkOptions("cluster()", options, clusterRules, "{ workers: 2 }");
  // Not optional: checked even without options.
  workerCount("cluster()", "options.workers", (options as { workers?: unknown } | undefined)?.workers);
}
