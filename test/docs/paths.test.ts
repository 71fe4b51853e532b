// Every file or folder of this repository that the documents name (README,
// tutorial, the examples' READMEs, changelog) exists: a relative link, or a
// path in the text that starts at a top folder (`test/docs/tutorial.test.ts`,
// `examples/cpu-pool/main.ts`). What a build makes (.gitignore's folders,
// such as dist/ and docs/api/) is named without being there.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, it } from "node:test";
import { root } from "../helpers/type-check.ts";

const DOCUMENTS = [
  "README.md",
  "docs/cancellation.md",
  "CHANGELOG.md",
  ...readdirSync(join(root, "examples"))
    .map((example) => `examples/${example}/README.md`)
    .filter((path) => existsSync(join(root, path))),
];

/** What a build or a test run makes: the folders .gitignore names. */
const BUILT = readFileSync(join(root, ".gitignore"), "utf8")
  .split("\n")
  .filter((line) => line.endsWith("/"));

/** A link's target that is not a URL (`[tutorial](docs/cancellation.md)`), taken from the document's folder. */
const LINK = /\]\((?![a-z]+:)([^)#\s]+)(?:#[^)]*)?\)/g;
/** A path that starts at a top folder of the repository, taken from the root. */
const PATH = /(?<![\w/.@-])((?:src|test|docs|examples|benchmarks|\.ci)\/[\w./-]*[\w/])/g;

/** `<document>:<line>: <path>` for each path in `text` that is not there, once each, sorted. */
function missingPaths(document: string, text: string): string[] {
  const missing = new Set<string>();
  const check = (path: string, from: string, at: number) => {
    if (BUILT.some((folder) => normalize(path).startsWith(folder))) return;
    if (existsSync(join(root, from, path))) return;
    missing.add(`${document}:${text.slice(0, at).split("\n").length}: ${path}`);
  };
  for (const match of text.matchAll(LINK)) check(match[1] as string, dirname(document), match.index);
  for (const match of text.matchAll(PATH)) check(match[1] as string, "", match.index);
  return [...missing].sort();
}

describe("the paths the documents name", () => {
  it("exist in the repository", () => {
    const missing = DOCUMENTS.flatMap((document) =>
      missingPaths(document, readFileSync(join(root, document), "utf8")),
    );
    assert.deepEqual(missing, []);
  });

  it("are checked for real: a path that is not there is reported, a build's output is not", () => {
    const text =
      "See `test/docs.test.ts` and [the guide](docs/guide.md);\nthe build writes dist/index.js and `docs/api/`.\n";
    assert.deepEqual(missingPaths("README.md", text), [
      "README.md:1: docs/guide.md",
      "README.md:1: test/docs.test.ts",
    ]);
  });
});
