// Misuse fails where it is written: exec, worker, workerPool and serveJobs
// check their arguments at the call and name the function, the parameter,
// what they received and, for the common mistakes, the fix (cluster() has
// its own file, cluster-options.test.ts). Nothing here starts a process or
// a thread: the checks run before the operation is made.
// The casts write what TypeScript would reject.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { exec, serveJobs, worker, workerPool } from "unwind/process";
import { loose, TIMER_LIMIT } from "../helpers/misuse.ts";
import { thrown } from "../helpers/thrown.ts";

const MODULE = 'must be a file or data: URL, or a path, such as new URL("./worker.js", import.meta.url)';
const STDIO =
  'must be "pipe", "inherit" or "ignore", or an array of three of them (stdin, stdout, stderr) such as ["ignore", "inherit", "pipe"]';

describe("exec(command, args, options) at the call", () => {
  it("rejects a command that is not a non-empty string", () => {
    assert.deepEqual(
      [thrown(() => exec("")), thrown(() => exec(loose(undefined))), thrown(() => exec(loose(["ls", "-l"])))],
      [
        'RangeError: exec(): command must be a non-empty string (a program\'s name or path, such as "git"), got a string ("")',
        'TypeError: exec(): command must be a non-empty string (a program\'s name or path, such as "git"), got undefined',
        'TypeError: exec(): command must be a non-empty string (a program\'s name or path, such as "git"), got an array (length 2)',
      ],
    );
  });

  it("rejects args that are not an array of strings, and options passed in their place", () => {
    assert.deepEqual(
      [
        thrown(() => exec("ls", ["-l", loose(3)])),
        thrown(() => exec("ls", loose("-l"))),
        thrown(() => exec("ls", loose({ stdio: "inherit" }))),
        thrown(() => exec("ls", loose(null))),
      ],
      [
        "TypeError: exec(): args[1] must be a string, got 3; convert it first: String(3)",
        'TypeError: exec(): args must be an array of strings such as ["-l", "/srv"], got a string ("-l"); write ["-l"]',
        'TypeError: exec(): args must be an array of strings such as ["-l", "/srv"], got an object; the options come third: exec("ls", [], { stdio: "inherit" })',
        'TypeError: exec(): args must be an array of strings such as ["-l", "/srv"], got null',
      ],
    );
  });

  it("rejects stdio that is not one mode or three of them", () => {
    assert.deepEqual(
      [
        thrown(() => exec("ls", [], { stdio: loose("pipes") })),
        thrown(() => exec("ls", [], { stdio: loose(["ignore", "inherit"]) })),
        thrown(() => exec("ls", [], { stdio: loose(["ignore", "inherit", "stderr"]) })),
        thrown(() => exec("ls", [], { stdio: loose(1) })),
      ],
      [
        `RangeError: exec(): options.stdio ${STDIO}, got a string ("pipes")`,
        `RangeError: exec(): options.stdio ${STDIO}, got an array (length 2)`,
        'RangeError: exec(): options.stdio[2] must be "pipe" or "inherit" or "ignore", got a string ("stderr")',
        `TypeError: exec(): options.stdio ${STDIO}, got 1`,
      ],
    );
  });

  it("rejects a bad grace period, kill signal, name, working directory, environment and options", () => {
    assert.deepEqual(
      [
        thrown(() => exec("ls", [], { gracePeriod: -1 })),
        thrown(() => exec("ls", [], { gracePeriod: 2 ** 31 })),
        thrown(() => exec("ls", [], { killSignal: loose("SIGNOPE") })),
        thrown(() => exec("ls", [], { killSignal: loose("term") })),
        thrown(() => exec("ls", [], { name: "a/b" })),
        thrown(() => exec("ls", [], { cwd: loose(42) })),
        thrown(() => exec("ls", [], { cwd: new URL("https://example.com/srv/") })),
        thrown(() => exec("ls", [], { env: loose("NODE_ENV=production") })),
        thrown(() => exec("ls", [], loose("inherit"))),
      ],
      [
        "RangeError: exec(): options.gracePeriod must be a number of milliseconds >= 0, got -1",
        `RangeError: exec(): options.gracePeriod must be at most ${TIMER_LIMIT}, got 2147483648`,
        'RangeError: exec(): options.killSignal must be the name of a signal Node knows (such as "SIGTERM"), got a string ("SIGNOPE")',
        'RangeError: exec(): options.killSignal must be the name of a signal Node knows (such as "SIGTERM"), got a string ("term"); write "SIGTERM"',
        'RangeError: exec(): options.name must be a non-empty string without "/", got a string ("a/b"); "/" separates the names in a task path',
        'TypeError: exec(): options.cwd must be a directory\'s path or file URL, such as new URL("./data/", import.meta.url), got 42',
        'TypeError: exec(): options.cwd must be a directory\'s path or file URL, such as new URL("./data/", import.meta.url), got the URL "https://example.com/srv/"',
        'TypeError: exec(): options.env must be an object, got a string ("NODE_ENV=production")',
        'TypeError: exec(): options must be an object such as { stdio: "inherit", gracePeriod: 10_000 }, got a string ("inherit")',
      ],
    );
  });

  it("accepts every documented form, SIGKILL as the kill signal included", () => {
    const made = [
      exec("ls"),
      exec("ls", ["-l"], { stdio: "inherit", gracePeriod: 0, killSignal: "SIGKILL" }),
      exec("ls", [], { stdio: ["ignore", "inherit", "pipe"], cwd: new URL("file:///tmp/"), env: {} }),
      exec("ls", [], { cwd: "/tmp", name: "list" }),
    ];
    assert.deepEqual(
      made.map((op) => typeof op[Symbol.iterator]),
      ["function", "function", "function", "function"],
    );
  });
});

describe("worker(module, options) and workerPool(module, options) at the call", () => {
  it("rejects a module that the worker thread could not load, and says how to write it", () => {
    assert.deepEqual(
      [
        thrown(() => worker(loose(42))),
        thrown(() => worker("")),
        thrown(() => worker("indexer.js")),
        thrown(() => worker(new URL("https://example.com/indexer.js"))),
        thrown(() => workerPool(loose(undefined), { size: 1 })),
      ],
      [
        `TypeError: worker(): module ${MODULE}, got 42`,
        `RangeError: worker(): module ${MODULE}, got a string ("")`,
        `RangeError: worker(): module ${MODULE}, got a string ("indexer.js"); a relative path starts with "./" and is taken from the current directory, not from this file: new URL("./indexer.js", import.meta.url)`,
        `TypeError: worker(): module ${MODULE}, got the URL "https://example.com/indexer.js"`,
        `TypeError: workerPool(): module ${MODULE}, got undefined`,
      ],
    );
  });

  it("rejects a bad name, grace period and options", () => {
    const module = new URL("./indexer.js", import.meta.url);
    assert.deepEqual(
      [
        thrown(() => worker(module, { name: "a/b" })),
        thrown(() => worker(module, { gracePeriod: Number.NaN })),
        thrown(() => worker(module, loose("indexer"))),
        thrown(() => workerPool(module, { size: 2, name: "" })),
        thrown(() => workerPool(module, { size: 2, gracePeriod: loose("1s") })),
      ],
      [
        'RangeError: worker(): options.name must be a non-empty string without "/", got a string ("a/b"); "/" separates the names in a task path',
        "RangeError: worker(): options.gracePeriod must be a number of milliseconds >= 0, got NaN",
        'TypeError: worker(): options must be an object such as { name: "indexer", gracePeriod: 2_000 }, got a string ("indexer")',
        'RangeError: workerPool(): options.name must be a non-empty string without "/", got a string ("")',
        'TypeError: workerPool(): options.gracePeriod must be a number of milliseconds >= 0, got a string ("1s"); convert it with Number()',
      ],
    );
  });

  it("rejects a pool without a size of at least one worker", () => {
    const module = new URL("./jobs.js", import.meta.url);
    assert.deepEqual(
      [
        thrown(() => workerPool(module, loose(undefined))),
        thrown(() => workerPool(module, { size: 0 })),
        thrown(() => workerPool(module, { size: 1.5 })),
        thrown(() => workerPool(module, { size: loose("4") })),
        thrown(() => workerPool(module, loose(4))),
      ],
      [
        "TypeError: workerPool(): options.size must be an integer >= 1, got undefined",
        "RangeError: workerPool(): options.size must be an integer >= 1, got 0",
        "RangeError: workerPool(): options.size must be an integer >= 1, got 1.5",
        'TypeError: workerPool(): options.size must be an integer >= 1, got a string ("4"); convert it first: Number("4")',
        "TypeError: workerPool(): options must be an object such as { size: 4 }, got 4",
      ],
    );
  });

  it("accepts file and data: URLs, absolute paths and paths from the current directory", () => {
    const made = [
      worker(new URL("file:///srv/indexer.js")),
      worker(new URL("data:text/javascript,")),
      worker("/srv/indexer.js"),
      worker("./indexer.js", { name: "indexer", gracePeriod: 0, data: { dir: "/srv" } }),
      worker("file:///srv/indexer.js"),
      workerPool("../jobs.js", { size: 1 }),
    ];
    assert.deepEqual(
      made.map((op) => typeof op[Symbol.iterator]),
      ["function", "function", "function", "function", "function", "function"],
    );
  });
});

describe("serveJobs(handler) at the call", () => {
  it("rejects a handler that is not a function, and the result of calling one", () => {
    function* square(n: number) {
      return n * n;
    }
    assert.deepEqual(
      [thrown(() => serveJobs(loose(undefined))), thrown(() => serveJobs(loose(square(2))))],
      [
        "TypeError: serveJobs(): handler must be a function (job, signal) => result, got undefined",
        "TypeError: serveJobs(): handler must be a function (job, signal) => result, got an operation (a generator object, the result of calling a generator function); pass the function itself, not what it returns: serveJobs((job) => work(job))",
      ],
    );
  });
});
