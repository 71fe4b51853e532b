import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** The package's entry points ("unwind", "unwind/http", "unwind/process", "unwind/testing", "unwind/otel") and their source files. */
const entries = {
  unwind: fileURLToPath(new URL("../../src/index.ts", import.meta.url)),
  "unwind/http": fileURLToPath(new URL("../../src/http/index.ts", import.meta.url)),
  "unwind/process": fileURLToPath(new URL("../../src/process/index.ts", import.meta.url)),
  "unwind/testing": fileURLToPath(new URL("../../src/testing/index.ts", import.meta.url)),
  "unwind/otel": fileURLToPath(new URL("../../src/otel/index.ts", import.meta.url)),
};

/** Every symbol an entry point exports, with the declarations behind it. */
function publicSymbols(entry: string) {
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  assert.ok(source, `${entry} is part of the program`);
  const module = checker.getSymbolAtLocation(source);
  assert.ok(module, `${entry} is a module`);
  return checker.getExportsOfModule(module).map((exported) => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    return { name: exported.getName(), declarations: symbol.getDeclarations() ?? [], checker, symbol };
  });
}

const named = {
  unwind: [
    "main",
    "run",
    "group",
    "onTeardown",
    "inspect",
    "GroupError",
    "withTimeout",
    "shield",
    "supervisor",
  ],
  "unwind/http": ["serve", "mount", "fromFetch"],
  "unwind/process": ["exec", "worker", "workerPool", "ProcessError", "WorkerError", "cluster"],
  "unwind/testing": ["testRun", "testMain"],
  "unwind/otel": ["instrument"],
};

for (const [entryName, entry] of Object.entries(entries) as [keyof typeof entries, string][])
  describe(`the public API of "${entryName}"`, () => {
    const symbols = publicSymbols(entry);

    it("exports what the design names", () => {
      const names = symbols.map((s) => s.name);
      for (const name of named[entryName]) {
        assert.ok(names.includes(name), `${name} is exported`);
      }
    });

    for (const { name, declarations } of symbols) {
      it(`documents ${name} with JSDoc and an @example`, () => {
        const tags = declarations.flatMap((d) => ts.getJSDocTags(d).map((t) => t.tagName.text));
        const comments = declarations.flatMap((d) => ts.getJSDocCommentsAndTags(d));
        assert.ok(comments.length > 0, `${name} has a JSDoc comment`);
        assert.ok(tags.includes("example"), `${name} has an @example`);
      });
    }

    it("has no `any` in the types of its exports", () => {
      const offenders: string[] = [];
      for (const { name, declarations } of symbols) {
        for (const declaration of declarations) {
          const text = declaration.getText();
          // Strip comments (examples may mention anything), then look for `any` as a type.
          const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
          if (/[:<,|(]\s*any\b|\bany\[\]/.test(code)) offenders.push(name);
        }
      }
      assert.deepEqual(offenders, []);
    });
  });
