// Every `@example` in the JSDoc of every export of every entry point of the
// package ("unwind", "unwind/http", "unwind/process", "unwind/testing", "unwind/otel": the
// "exports" of package.json, so that a new entry is covered when it is
// added), and every program in the README (a ```ts block that imports from
// unwind), is a complete program that type-checks: strict, with the
// project's compiler options, "unwind" resolved to src/ through the
// `unwind-source` condition of tsconfig.json. An example may use a helper
// only if it declares it (`declare function loadUsers(): Operation<User[]>;`).
// A program in two files (a worker and its module) is two examples.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";
import { projectOptions, root, type Snippet, typeCheck } from "../helpers/type-check.ts";

/** Each entry point's name ("unwind/http") and its source file, from package.json's "exports". */
function entryPoints(): Record<string, string> {
  const { name, exports } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    name: string;
    exports: Record<string, string | Record<string, string>>;
  };
  const entries: Record<string, string> = {};
  for (const [subpath, target] of Object.entries(exports)) {
    const source = typeof target === "object" ? target["unwind-source"] : undefined;
    if (source) entries[join(name, subpath)] = join(root, source);
  }
  return entries;
}

const entries = entryPoints();

/** An import from one of the entry points: what makes a code block a program rather than a fragment. */
const importsUnwind = new RegExp(`^import .* from "(${Object.keys(entries).join("|")})";$`, "m");

/** The ```ts blocks of a text. */
function codeBlocks(text: string): { code: string; line: number }[] {
  const blocks: { code: string; line: number }[] = [];
  for (const match of text.matchAll(/^```(?:ts|typescript)\n([\s\S]*?)^```/gm)) {
    const line = text.slice(0, match.index).split("\n").length + 1;
    blocks.push({ code: match[1] as string, line });
  }
  return blocks;
}

/** The `@example` blocks of every export of every entry point, found in the source's JSDoc. */
function jsdocExamples(options: ts.CompilerOptions): { examples: Snippet[]; undocumented: string[] } {
  const program = ts.createProgram(Object.values(entries), options);
  const checker = program.getTypeChecker();
  const examples: Snippet[] = [];
  const undocumented: string[] = [];
  for (const [entry, file] of Object.entries(entries)) {
    const source = program.getSourceFile(file);
    assert.ok(source, `${file} is part of the program`);
    const module = checker.getSymbolAtLocation(source);
    assert.ok(module, `${file} is a module`);
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const blocks = (symbol.getDeclarations() ?? [])
        .flatMap((declaration) => ts.getJSDocTags(declaration))
        .filter((tag) => tag.tagName.text === "example")
        .flatMap((tag) => codeBlocks(`${ts.getTextOfJSDocComment(tag.comment) ?? ""}\n`));
      if (blocks.length === 0) undocumented.push(`${entry}: ${exported.name}`);
      blocks.forEach(({ code }, index) => {
        const suffix = blocks.length > 1 ? ` #${index + 1}` : "";
        examples.push({ origin: `${entry}: ${exported.name}${suffix}`, code });
      });
    }
  }
  return { examples, undocumented };
}

/** The README's programs: the ```ts blocks that import from unwind (the others are fragments). */
function readmePrograms(): Snippet[] {
  const text = readFileSync(join(root, "README.md"), "utf8");
  return codeBlocks(text)
    .filter(({ code }) => importsUnwind.test(code))
    .map(({ code, line }) => ({ origin: `README.md:${line}`, code }));
}

describe("the examples", () => {
  const options = projectOptions();
  const { examples, undocumented } = jsdocExamples(options);
  const readme = readmePrograms();

  it("cover every export of every entry point with a ```ts block", () => {
    for (const entry of ["unwind", "unwind/http", "unwind/process", "unwind/testing", "unwind/otel"]) {
      assert.ok(entry in entries, `${entry} is an entry point of package.json`);
    }
    assert.deepEqual(undocumented, []);
    assert.ok(examples.length >= 40, `found ${examples.length} JSDoc examples`);
    assert.ok(readme.length >= 3, `found ${readme.length} README programs`);
  });

  it("are complete programs: each imports what it uses from unwind", () => {
    const fragments = [...examples, ...readme]
      .filter(({ code }) => !importsUnwind.test(code))
      .map(({ origin }) => origin);
    assert.deepEqual(fragments, []);
  });

  it("type-check, strict, against the source of the package", () => {
    assert.equal(typeCheck([...examples, ...readme], options).join("\n"), "");
  });

  it("are checked for real: an example with a mistake is reported", () => {
    const broken = { origin: "broken", code: 'import { group } from "unwind";\ngroup(42);\n' };
    const problems = typeCheck([broken], options);
    assert.equal(problems.length, 1);
    assert.match(problems[0] as string, /^broken, line 2: Argument of type 'number'/);
  });
});
