/**
 * unwind/testing: test a program without waiting for real time or touching
 * the process. `testRun()` is `run()` on a virtual clock that jumps to the
 * next timer whenever every task waits (while real I/O is in flight it
 * runs at real speed instead); `testMain()` runs a `main()` program
 * in-process: signals from the test, the outcome instead of an exit, its
 * standard error and its teardown events recorded. The virtual clock needs
 * `@sinonjs/fake-timers` (an optional peer dependency).
 *
 * @module unwind/testing
 */
export type { RecordedEvent } from "./event-recorder.ts";
export { type TestMainOptions, type TestProgram, testMain } from "./test-main.ts";
export { type TestRunOptions, type TestRunResult, testRun } from "./test-run.ts";
