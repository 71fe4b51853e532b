// An event log that threads share: each thread appends with Atomics, so
// the order in the log is the order in which the events happened, across
// threads (messages on different ports promise no such order).
const EVENTS = [
  "job 1 started",
  "job 1 cleanup",
  "job 2 started",
  "job 2 cleanup",
  "spin started",
  "caller cleanup",
  "owner cleanup",
  "worker teardown",
] as const;

export type LoggedEvent = (typeof EVENTS)[number];

export class SharedLog {
  private readonly cells: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4 * 64)) {
    this.cells = new Int32Array(buffer);
  }

  write(event: LoggedEvent): void {
    const at = Atomics.add(this.cells, 0, 1) + 1;
    Atomics.store(this.cells, at, EVENTS.indexOf(event));
  }

  /** Resolves once `event` is in the log (checked every few ms). */
  async waitFor(event: LoggedEvent): Promise<void> {
    while (!this.read().includes(event)) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  read(): LoggedEvent[] {
    const count = Atomics.load(this.cells, 0);
    return Array.from({ length: count }, (_, i) => EVENTS[Atomics.load(this.cells, i + 1)] as LoggedEvent);
  }
}
