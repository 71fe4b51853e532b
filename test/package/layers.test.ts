// The source tree shows the architecture: each layer folder of src/ imports
// only from itself and the layers below it (type-only imports included), no
// file imports itself back through others, and the core entry point loads no
// HTTP code, no child processes, none of the `unwind` command and none of the
// testing kit; only unwind/otel loads OpenTelemetry.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const src = fileURLToPath(new URL("../../src/", import.meta.url));

/** Bottom to top: a file may import from its own layer and the ones before it. */
const layers = ["core", "ops", "observe", "program", "testing", "process", "http", "otel", "cli"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Every module specifier a file imports or re-exports, `import type` included. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const specifiers: string[] = [];
  for (const match of text.matchAll(/^\s*(?:import|export)\b[^"';]*?from\s*["']([^"']+)["']/gm)) {
    specifiers.push(match[1] as string);
  }
  for (const match of text.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) specifiers.push(match[1] as string);
  return specifiers;
}

const files = sourceFiles(src);
const layerOf = (file: string) => relative(src, file).split("/")[0] as string;
const edges = new Map(
  files.map((file) => [
    file,
    importsOf(file)
      .filter((s) => s.startsWith("."))
      .map((s) => resolve(dirname(file), s)),
  ]),
);

/**
 * The import cycles of a graph, each as the files along it (the first file
 * again at the end), found by a depth-first walk: an edge back to a file
 * still on the walk's path closes a cycle.
 */
function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (file: string) => {
    path.push(file);
    onPath.add(file);
    for (const target of graph.get(file) ?? []) {
      if (onPath.has(target)) cycles.push([...path.slice(path.indexOf(target)), target]);
      else if (!done.has(target) && graph.has(target)) visit(target);
    }
    path.pop();
    onPath.delete(file);
    done.add(file);
  };
  for (const file of [...graph.keys()].sort()) if (!done.has(file)) visit(file);
  return cycles;
}

describe("the layers of src/", () => {
  it("has only layer folders and the entry point at its top", () => {
    const top = readdirSync(src).sort();
    assert.deepEqual(top, [...layers, "index.ts"].sort());
  });

  it("imports only downward (type-only imports included)", () => {
    const upward: string[] = [];
    for (const [file, targets] of edges) {
      const from = layerOf(file);
      for (const target of targets) {
        const to = layerOf(target);
        const entry = from === "index.ts";
        if (!entry && layers.indexOf(to) > layers.indexOf(from)) {
          upward.push(`${relative(src, file)} -> ${relative(src, target)}`);
        }
      }
    }
    assert.deepEqual(upward, []);
  });

  it("has no import cycle, type-only imports included", () => {
    const cycles = cyclesOf(edges).map((cycle) => cycle.map((file) => relative(src, file)).join(" -> "));
    assert.deepEqual(cycles, []);
  });

  it("the cycle check finds a cycle, however long, and names its files (the check can fail)", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts", "d.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["d.ts"]],
      ["e.ts", ["a.ts"]],
    ]);
    assert.deepEqual(cyclesOf(graph), [
      ["a.ts", "b.ts", "c.ts", "a.ts"],
      ["d.ts", "d.ts"],
    ]);
  });

  it("keeps node:http, node:stream, node:child_process and node:cluster out of everything the core entry loads", () => {
    const seen = new Set<string>();
    const banned: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const specifier of importsOf(file)) {
        if (/^node:(http|https|stream|child_process|cluster)(\/|$)/.test(specifier))
          banned.push(`${relative(src, file)}: ${specifier}`);
      }
      for (const target of edges.get(file) ?? []) visit(target);
    };
    visit(join(src, "index.ts"));
    assert.ok(seen.size > 10, "the walk follows the imports");
    assert.ok(
      seen.has(join(src, "program/cluster-worker.ts")),
      "the walk reaches main()'s cluster-worker side",
    );
    assert.deepEqual(banned, []);
  });

  it("the walk would see a banned import (the check can fail)", () => {
    const imports = importsOf(join(src, "process", "exec.ts"));
    assert.ok(imports.includes("node:child_process"), imports.join(", "));
  });

  /** Every source file `entry` loads, following relative imports. */
  const loadedBy = (entry: string) => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const target of edges.get(file) ?? []) visit(target);
    };
    visit(entry);
    return seen;
  };

  it("keeps the `unwind` command (package.json bin) out of everything the core entry loads", () => {
    const seen = loadedBy(join(src, "index.ts"));
    assert.ok(seen.has(join(src, "program/main.ts")), "the walk follows the imports");
    assert.deepEqual(
      [...seen].filter((file) => layerOf(file) === "cli").map((file) => relative(src, file)),
      [],
    );
  });

  it("keeps the testing kit (unwind/testing) and its fake timers out of everything the core entry loads", () => {
    const seen = loadedBy(join(src, "index.ts"));
    const testing = [...seen]
      .filter((file) => layerOf(file) === "testing")
      .map((file) => relative(src, file));
    const fakeTimers = [...seen].filter((file) => importsOf(file).includes("@sinonjs/fake-timers"));
    assert.deepEqual([...testing, ...fakeTimers], []);
    // The check can fail: the testing entry itself loads both.
    const kit = loadedBy(join(src, "testing/index.ts"));
    assert.ok(kit.has(join(src, "testing/virtual-clock.ts")) && kit.has(join(src, "program/main.ts")));
  });

  it("loads @opentelemetry/* from unwind/otel only: no other entry point pays for it", () => {
    const openTelemetry = (entry: string) =>
      [...loadedBy(join(src, entry))]
        .filter((file) => importsOf(file).some((specifier) => specifier.startsWith("@opentelemetry/")))
        .map((file) => relative(src, file));
    for (const entry of ["index.ts", "http/index.ts", "process/index.ts", "testing/index.ts"]) {
      assert.deepEqual(openTelemetry(entry), [], entry);
    }
    // The check can fail: the otel entry loads it.
    assert.ok(openTelemetry("otel/index.ts").length > 0);
    const outside = files.filter(
      (file) => layerOf(file) !== "otel" && importsOf(file).some((s) => s.startsWith("@opentelemetry/")),
    );
    assert.deepEqual(outside, []);
  });
});
