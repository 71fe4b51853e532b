import type { TaskState } from "./types.ts";

/**
 * A group's `limit`, as errgroup's `SetLimit`: at most `limit` children run
 * at once; the others wait, in spawn order, and each takes the place of a
 * child that settles. Made only for a group with a limit, so a group
 * without one counts nothing. A waiting child's `work` is kept next to it
 * (two arrays, no object per waiting child).
 */
export class Admission<Child extends { readonly state: TaskState }, Work> {
  private running = 0;
  private closed = false;
  private queued: Child[] = [];
  private works: Work[] = [];

  constructor(
    private readonly limit: number,
    /** Starts a child that got a place. */
    private readonly start: (child: Child, work: Work) => void,
  ) {}

  /** Starts `child` at once if there is a place, else queues it; says whether it started. */
  admit(child: Child, work: Work): boolean {
    if (this.running >= this.limit) {
      this.queued.push(child);
      this.works.push(work);
      return false;
    }
    this.running++;
    this.start(child, work);
    return true;
  }

  /**
   * A child that had a place has settled: the first child still queued
   * takes it. One halted while it waited (by its handle) has settled
   * without a place: it is skipped, and never starts.
   */
  release(): void {
    this.running--;
    while (!this.closed) {
      const child = this.queued.shift();
      const work = this.works.shift();
      if (child === undefined || work === undefined) return;
      if (child.state !== "queued") continue;
      this.running++;
      this.start(child, work);
      return;
    }
  }

  /** The group's teardown has begun: no queued child starts any more. */
  close(): void {
    this.closed = true;
  }

  /** Takes the queued children out of the queue, in spawn order (the teardown drops them). */
  takeQueued(): Child[] {
    const queued = this.queued;
    this.queued = [];
    this.works = [];
    return queued;
  }
}
