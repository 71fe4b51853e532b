// What a suspended task is made of: takes a heap snapshot before and after
// starting N suspended tasks (each with one registered cleanup) and prints
// the difference per task, by kind of object (V8's snapshot node type and
// constructor or closure name), largest first. Redo after a change to see
// which objects went away.
//
//   node --expose-gc --conditions=unwind-source --import tsx benchmarks/heap-objects.ts <effection|unwind> [N=2000]
//
// effection: plain effection tasks whose cleanup is on the scope's private
// destructor stack (as unwind's onTeardown registers it); unwind: g.spawn()
// tasks with one onTeardown().
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeHeapSnapshot } from "node:v8";
import { type Operation, run as runEffection, type Scope, spawn, suspend, useScope } from "effection";
import { onTeardown, run } from "unwind";

const [variant = "unwind", count = "2000"] = process.argv.slice(2);
const n = Number(count);
const gc = globalThis.gc;
if (!gc) throw new Error("heap-objects: run with --expose-gc");

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Count and self size of every kind of heap object. */
function tally(): Map<string, { count: number; bytes: number }> {
  const file = writeHeapSnapshot(join(tmpdir(), `heap-objects-${process.pid}.heapsnapshot`));
  const snap = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  rmSync(file);
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [type, name, size] = [fields.indexOf("type"), fields.indexOf("name"), fields.indexOf("self_size")];
  const kinds = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const kind = types[snap.nodes[i + type]!]!;
    // Strings and code are named by their content: one bucket each.
    const label = /string|code|hidden/.test(kind)
      ? `(${kind})`
      : snap.strings[snap.nodes[i + name]!]!.slice(0, 60);
    const key = `${kind}: ${label}`;
    const entry = kinds.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += snap.nodes[i + size]!;
    kinds.set(key, entry);
  }
  return kinds;
}

const start: Record<string, () => unknown> = {
  effection: () =>
    runEffection(function* () {
      for (let i = 0; i < n; i++)
        yield* spawn(function* () {
          const scope = (yield* useScope()) as Scope & { ensure(op: () => Operation<void>): () => void };
          scope.ensure(function* () {});
          yield* suspend();
        });
      yield* suspend();
    }),
  unwind: () =>
    run(function* (g) {
      for (let i = 0; i < n; i++)
        g.spawn(function* () {
          yield* onTeardown(() => {});
          yield* suspend();
        });
      yield* suspend();
    }),
};
const make = start[variant];
if (!make)
  throw new Error(`heap-objects: unknown variant ${variant}; one of ${Object.keys(start).join(", ")}`);

const settle = () => new Promise((resolve) => setImmediate(resolve));
for (let i = 0; i < 3; i++) {
  await settle();
  gc();
}
const before = tally();
const held = make();
await settle();
await settle();
gc();
const after = tally();
const rows = [...after]
  .map(([kind, { count, bytes }]) => {
    const was = before.get(kind) ?? { count: 0, bytes: 0 };
    return { kind, count: (count - was.count) / n, bytes: (bytes - was.bytes) / n };
  })
  .filter((row) => row.bytes >= 8)
  .sort((a, b) => b.bytes - a.bytes);
const total = rows.reduce((sum, row) => sum + row.bytes, 0);
const objects = rows.reduce((sum, row) => sum + row.count, 0);
console.log(
  `${variant}, N = ${n}: ${total.toFixed(0)} bytes in ${objects.toFixed(0)} objects per task (kinds of >= 8 bytes per task)\n`,
);
console.log("| bytes/task | objects/task | kind |\n|---:|---:|---|");
for (const row of rows.slice(0, 40))
  console.log(`| ${row.bytes.toFixed(0)} | ${row.count.toFixed(2)} | ${row.kind} |`);
if (held === undefined) throw new Error("heap-objects: nothing held the tasks");
process.exit(0);
