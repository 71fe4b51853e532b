import { EventEmitter } from "node:events";
import type { Operation } from "effection";
import { returnsOperation } from "../core/arguments.ts";
import type { Group } from "../core/types.ts";
import type { TaskTree } from "../observe/inspect.ts";
import type { ProgramHost } from "../program/host.ts";
import type { ProgramState } from "../program/inspect-socket.ts";
import { type MainOptions, type MainOutcome, runMain } from "../program/main.ts";
import { checkTestMain } from "./arguments.ts";
import { Autojump } from "./autojump.ts";
import { EventRecorder, type RecordedEvent } from "./event-recorder.ts";
import { VirtualClock } from "./virtual-clock.ts";

/**
 * Options of `testMain()`: those of `main()` (signals, shutdown delay,
 * drain and teardown deadlines, the root group's options), without `exit`
 * and `inspect` (a test program never exits the process and opens no
 * socket), plus the virtual clock.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { onTeardown } from "unwind";
 * import { type TestMainOptions, testMain } from "unwind/testing";
 * import { suspend } from "effection";
 *
 * const options: TestMainOptions = { signals: ["SIGTERM"], teardownTimeout: 30_000, virtualClock: true };
 * const program = testMain(function* () {
 *   yield* onTeardown(() => new Promise<void>(() => {})); // never finishes
 *   yield* suspend();
 * }, options);
 * program.signal("SIGTERM");
 * const outcome = await program; // after 30 virtual seconds, in a few real ms
 * assert.equal(outcome.exitCode, 124);
 * ```
 */
export interface TestMainOptions extends Omit<MainOptions, "exit" | "inspect"> {
  /**
   * Run the program on the virtual clock of `testRun()` (one per process):
   * time jumps to the next timer whenever every task waits, so deadlines
   * such as `teardownTimeout` pass in a few real ms. Default `false`:
   * real time.
   */
  virtualClock?: boolean;
  /** With `virtualClock`, the virtual time it starts at (ms since the epoch, or a `Date`). Default: the real time. */
  now?: number | Date;
}

/**
 * A `main()` program running in-process under `testMain()`. Await it for
 * its `MainOutcome`; until then, send it signals.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { onTeardown } from "unwind";
 * import { type TestProgram, testMain } from "unwind/testing";
 * import { suspend } from "effection";
 *
 * const program: TestProgram<void> = testMain(function* (root) {
 *   for (const name of ["db", "cache", "http"]) {
 *     root.spawn(function* () {
 *       yield* onTeardown(() => console.log(`${name} closed`));
 *       yield* suspend();
 *     }, { name });
 *   }
 *   yield* suspend();
 * });
 * program.signal("SIGTERM");
 * const outcome = await program;
 * assert.equal(outcome.status, "signal");
 * assert.equal(outcome.exitCode, 143);
 * const settled = program.events.filter((e) => e.event === "settle").map((e) => e.path);
 * assert.deepEqual(settled, ["main/http", "main/cache", "main/db", "main"]); // newest first, root last
 * assert.equal(program.stderr, ""); // nothing failed, nothing printed
 * ```
 */
export interface TestProgram<T> extends PromiseLike<MainOutcome<T>> {
  /**
   * Sends the program a signal, as `kill` would: the first one starts the
   * shutdown, each further one skips a phase (see `main()`). Throws if the
   * program does not listen to `signal` (see the `signals` option) or has
   * already ended.
   */
  signal(signal: NodeJS.Signals): void;
  /** What `main()` wrote to standard error so far: failures and the stuck report (plain text). */
  readonly stderr: string;
  /** The lifecycle events of the program's tree so far, in the order they happened. */
  readonly events: readonly RecordedEvent[];
  /** Milliseconds since the program started, to its end once it has ended (virtual ones with `virtualClock`). */
  readonly elapsed: number;
  /** A snapshot of the live task tree (what `npx unwind tree` would show). */
  inspect(): TaskTree | undefined;
}

/**
 * Runs a `main()` program in this process without touching the process:
 * its signals come only from `program.signal()`, it never calls
 * `process.exit` (await it for the `MainOutcome` instead), what `main()`
 * would print goes to `program.stderr`, and it opens no inspection socket.
 * The teardown events of its tree are recorded (`program.events`), to
 * assert the tree order of your own program. With `virtualClock: true` it
 * runs on `testRun()`'s virtual clock: a `teardownTimeout` or a
 * `shutdownDelay` passes in a few real ms.
 *
 * What the program itself writes (`console.log`, a server's default error
 * log) goes where it always goes; an uncaught exception in the test process
 * goes to the test runner, not to the program. The program ends as
 * `main()` does; after a `teardown-incomplete` outcome (stuck report, exit
 * 124), the tasks that were stuck are still there, where a real process
 * would have exited: with the virtual clock their timers are dropped.
 *
 * @param body The root group's body: gets the root's handle.
 * @param options `main()`'s options (without `exit` and `inspect`), plus
 *   `virtualClock` and `now`.
 * @returns The running program: await it, send it signals, read its events.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { test } from "node:test";
 * import { onTeardown } from "unwind";
 * import { testMain } from "unwind/testing";
 * import { suspend } from "effection";
 *
 * test("a second SIGTERM during a stuck teardown prints the stuck tasks and exits 124", async () => {
 *   const program = testMain(function* (root) {
 *     root.spawn(function* () {
 *       yield* onTeardown(() => new Promise<void>(() => {})); // a flush that never ends
 *       yield* suspend();
 *     }, { name: "flusher" });
 *     yield* suspend();
 *   }, { virtualClock: true });
 *   program.signal("SIGTERM");
 *   program.signal("SIGTERM");
 *   const outcome = await program;
 *   assert.equal(outcome.status, "teardown-incomplete");
 *   assert.equal(outcome.exitCode, 124);
 *   assert.match(program.stderr, /a signal arrived while tearing down; still open:/);
 *   assert.match(program.stderr, /main\/flusher/);
 * });
 * ```
 */
export function testMain<T>(
  body: (root: Group) => Operation<T>,
  options: TestMainOptions = {},
): TestProgram<T> {
  checkTestMain(body, options);
  const { virtualClock = false, now, ...mainOptions } = options;
  const clock = virtualClock ? VirtualClock.install("testMain()", now) : undefined;
  return new InProcessProgram(returnsOperation("testMain()", "body", body), mainOptions, clock);
}

const nothingToUndo = () => {};

/**
 * The stand-in for the process that `main()` runs on under `testMain()`.
 * Signals and uncaught errors come from its own emitter; standard error is
 * a string; `exit` records the code.
 */
class TestHost implements ProgramHost {
  readonly events = new EventEmitter();
  written = "";
  exitCode: number | undefined;
  state: (() => ProgramState) | undefined;
  readonly stderr = {
    write: (text: string): void => {
      this.written += text;
    },
  };

  /**
   * Nothing to hold: only the test sends this program its signals, and a
   * test waiting for something keeps Node alive by what it waits for. A
   * program waiting for a signal that never comes ends the test run with
   * node:test's "Promise resolution is still pending", not a hang.
   */
  keepAlive(): () => void {
    return nothingToUndo;
  }

  exit(code: number): void {
    this.exitCode = code;
  }

  serveInspection(state: () => ProgramState): () => void {
    this.state = state;
    return nothingToUndo;
  }

  onParentHalt(): () => void {
    return nothingToUndo;
  }
}

class InProcessProgram<T> implements TestProgram<T> {
  private readonly host = new TestHost();
  private readonly recorder: EventRecorder;
  private readonly outcome: Promise<MainOutcome<T>>;
  private readonly startedAt = Date.now();
  private endedAt: number | undefined;

  constructor(body: (root: Group) => Operation<T>, options: MainOptions, clock: VirtualClock | undefined) {
    this.recorder = new EventRecorder(options.name ?? "main");
    let overridden: Error | undefined;
    const autojump =
      clock &&
      new Autojump(clock, (error) => {
        overridden = error;
        // Fails the program as an uncaught exception would: it tears down and ends with exit 1.
        this.host.events.emit("uncaughtException", error, "uncaughtException");
      });
    const ended = () => {
      this.endedAt = Date.now();
      autojump?.stop();
      clock?.uninstall();
      this.recorder.dispose();
    };
    autojump?.start();
    // Starts the program now: its body runs up to its first pause before testMain() returns.
    this.outcome = runMain(body, { ...options, exit: true, inspect: true }, this.host).then(
      (outcome) => {
        ended();
        if (overridden) throw overridden;
        return outcome;
      },
      (error: unknown) => {
        ended();
        throw error;
      },
    );
  }

  signal(signal: NodeJS.Signals): void {
    if (this.host.exitCode !== undefined) {
      throw new Error(
        `testMain(): cannot send ${signal}: the program has ended (exit code ${this.host.exitCode})`,
      );
    }
    if (this.host.events.listenerCount(signal) === 0) {
      const listening = this.host.events.eventNames().filter((name) => String(name).startsWith("SIG"));
      throw new Error(
        `testMain(): the program does not listen to ${String(signal)} (it listens to ${listening.join(", ") || "no signal"}); add it to options.signals`,
      );
    }
    this.host.events.emit(signal, signal);
  }

  get stderr(): string {
    return this.host.written;
  }

  get events(): readonly RecordedEvent[] {
    return this.recorder.events;
  }

  get elapsed(): number {
    return (this.endedAt ?? Date.now()) - this.startedAt;
  }

  inspect(): TaskTree | undefined {
    return this.host.state?.().tree;
  }

  // biome-ignore lint/suspicious/noThenProperty: a program is awaited like a promise, by design
  then<R1 = MainOutcome<T>, R2 = never>(
    onfulfilled?: ((outcome: MainOutcome<T>) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.outcome.then(onfulfilled, onrejected);
  }
}
