// Keeps docs/cancellation.md honest: every snippet the tutorial shows is a
// file in docs/snippets/, shown verbatim, run here as a real process (as a
// user would run it), and its stdout and exit code are the ones the tutorial
// prints under it.
//
// Markers in the markdown (HTML comments, invisible when rendered):
//   <!-- snippet: 01-pending-task.ts -->            then a ```ts block: the file, verbatim
//   <!-- output: 01-pending-task.ts, exit 0 -->      then a ```text block: its stdout lines
//   <!-- output: 02-x.ts, exit 130 after SIGINT -->  the test waits for a `ready` line, then sends SIGINT
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { startScript } from "../helpers/fixture.ts";

const DOC = "docs/cancellation.md";
const SNIPPETS = "docs/snippets";
const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

interface Output {
  lines: string[];
  exitCode: number;
  signal: "SIGINT" | undefined;
}

interface Snippet {
  file: string;
  code: string;
  output: Output | undefined;
}

const SNIPPET_MARKER = /^<!-- snippet: ([\w.-]+) -->$/;
const OUTPUT_MARKER = /^<!-- output: ([\w.-]+), exit (\d+)( after SIGINT)? -->$/;

/** The fenced block that must start on the line after a marker. */
function blockAfter(lines: string[], markerAt: number, lang: string): string[] {
  const where = `${DOC}:${markerAt + 1}`;
  assert.equal(
    lines[markerAt + 1],
    `\`\`\`${lang}`,
    `${where}: a \`\`\`${lang} block must follow the marker`,
  );
  const end = lines.indexOf("```", markerAt + 2);
  assert.ok(end > 0, `${where}: the block is not closed`);
  return lines.slice(markerAt + 2, end);
}

function parseDoc(markdown: string): Snippet[] {
  const lines = markdown.split("\n");
  const snippets = new Map<string, Snippet>();
  lines.forEach((line, at) => {
    if (!line.startsWith("<!-- snippet:") && !line.startsWith("<!-- output:")) return;
    const snippet = SNIPPET_MARKER.exec(line);
    if (snippet) {
      const file = snippet[1]!;
      assert.ok(!snippets.has(file), `${DOC}:${at + 1}: ${file} is included twice`);
      const code = blockAfter(lines, at, "ts");
      snippets.set(file, { file, code: `${code.join("\n")}\n`, output: undefined });
      return;
    }
    const output = OUTPUT_MARKER.exec(line);
    assert.ok(output, `${DOC}:${at + 1}: malformed marker ${line}`);
    const owner = snippets.get(output[1]!);
    assert.ok(owner, `${DOC}:${at + 1}: output of ${output[1]} before (or without) its snippet`);
    assert.equal(owner.output, undefined, `${DOC}:${at + 1}: a second output block for ${owner.file}`);
    owner.output = {
      lines: blockAfter(lines, at, "text"),
      exitCode: Number(output[2]),
      signal: output[3] ? "SIGINT" : undefined,
    };
  });
  return [...snippets.values()];
}

const snippets = parseDoc(read(DOC));

/** Runs a snippet to its end (sending SIGINT after `ready` for signal snippets). */
async function runSnippet(file: string, signal: "SIGINT" | undefined) {
  const script = startScript(`${SNIPPETS}/${file}`);
  // A snippet that hangs must fail the test, not the whole run.
  const guard = setTimeout(() => script.child.kill("SIGKILL"), 30_000);
  try {
    if (signal) {
      await script.waitFor("ready");
      script.child.kill(signal);
    }
    return await script.exited;
  } finally {
    clearTimeout(guard);
  }
}

describe(DOC, () => {
  it("includes every file of docs/snippets, and nothing else", () => {
    const files = readdirSync(new URL(`${SNIPPETS}/`, root)).filter((name) => name.endsWith(".ts"));
    assert.deepEqual(snippets.map((s) => s.file).sort(), files.sort());
  });

  it("shows the output of every snippet", () => {
    const missing = snippets.filter((s) => s.output === undefined).map((s) => s.file);
    assert.deepEqual(missing, []);
  });

  describe("snippets, verbatim", () => {
    for (const { file, code } of snippets) {
      it(file, () => assert.equal(code, read(`${SNIPPETS}/${file}`)));
    }
  });

  describe("snippets, run as real processes", { concurrency: 4 }, () => {
    for (const { file, output } of snippets) {
      if (!output) continue;
      const how = output.signal ? ` after ${output.signal}` : "";
      it(`${file} prints the documented lines and exits ${output.exitCode}${how}`, async () => {
        const { code, signal, stdout, stderr } = await runSnippet(file, output.signal);
        assert.deepEqual(stdout, output.lines, `stderr: ${stderr}`);
        assert.equal(code, output.exitCode, `signal: ${signal}; stderr: ${stderr}`);
        assert.equal(stderr, "");
      });
    }
  });
});
