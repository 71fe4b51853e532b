import { createQueue, type Operation, sleep } from "effection";
import { group, main, onTeardown } from "unwind";

// asyncio.Queue(maxsize=2), or trio.open_memory_channel(2): put() waits
// while two jobs are waiting. effection's createQueue() has no limit, so a
// second queue holds the free slots.
function boundedQueue<T>(size: number) {
  const items = createQueue<T, void>();
  const slots = createQueue<void, never>();
  for (let i = 0; i < size; i++) slots.add();
  return {
    *put(item: T): Operation<void> {
      yield* slots.next(); // back-pressure: waits for a free slot
      items.add(item);
    },
    *get(): Operation<IteratorResult<T, void>> {
      const next = yield* items.next();
      // close() is one item, and one consumer takes it: pass it on to the next one.
      if (next.done) items.close();
      else slots.add();
      return next;
    },
    close: () => items.close(),
  };
}
type Jobs = ReturnType<typeof boundedQueue<number>>;

function* worker(name: string, ms: number, jobs: Jobs, record: { done: number[]; unfinished: number[] }) {
  let job: number | undefined; // the job this worker has taken: its responsibility now
  yield* onTeardown((reason) => {
    if (!reason) return; // returned normally
    if (job === undefined) return console.log(`  ${name}: halted while waiting for a job`);
    console.log(`  ${name}: halted during job ${job}, recorded as unfinished`);
    record.unfinished.push(job);
  });
  for (let next = yield* jobs.get(); !next.done; next = yield* jobs.get()) {
    job = next.value;
    console.log(`  ${name}: job ${job}`);
    yield* sleep(ms);
    record.done.push(job);
    job = undefined;
  }
  console.log(`  ${name}: the queue is closed and empty, returning`);
}

await main(function* () {
  console.log("close the queue: the workers finish every job, then return");
  let record = { done: [] as number[], unfinished: [] as number[] };
  yield* group(function* (g) {
    const jobs = boundedQueue<number>(2);
    g.spawn(() => worker("slow", 1000, jobs, record), { name: "slow" });
    g.spawn(() => worker("fast", 5, jobs, record), { name: "fast" });
    for (let job = 1; job <= 5; job++) {
      yield* jobs.put(job);
      console.log(`  producer: put ${job}`);
    }
    jobs.close();
  });

  console.log("halt the group: what was in flight?");
  record = { done: [], unfinished: [] };
  const jobs = boundedQueue<number>(10);
  yield* group(function* (g) {
    g.spawn(() => worker("slow", 1000, jobs, record), { name: "slow" });
    g.spawn(() => worker("fast", 5, jobs, record), { name: "fast" });
    for (let job = 1; job <= 3; job++) yield* jobs.put(job);
    yield* sleep(200); // fast has done jobs 2 and 3, and waits; slow is busy with job 1
    yield* jobs.put(4); // fast is waiting: job 4 goes straight to it...
    yield* jobs.put(5); // ...and job 5 stays in the queue
    yield* g.halt(); // fast is halted before it takes its next step
  });
  jobs.close();
  const left: number[] = [];
  for (let next = yield* jobs.get(); !next.done; next = yield* jobs.get()) left.push(next.value);
  const lost = [1, 2, 3, 4, 5].filter((j) => ![...record.done, ...record.unfinished, ...left].includes(j));
  console.log(`done: ${record.done}; unfinished: ${record.unfinished}; still queued: ${left}; lost: ${lost}`);
});
