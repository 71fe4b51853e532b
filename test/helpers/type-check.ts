import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** The repository's root folder. */
export const root = fileURLToPath(new URL("../../", import.meta.url));

/** The compiler options of tsconfig.json, as `npm run typecheck` uses them. */
export function projectOptions(): ts.CompilerOptions {
  const configPath = join(root, "tsconfig.json");
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  assert.equal(error, undefined, "tsconfig.json parses");
  return ts.parseJsonConfigFileContent(config, ts.sys, dirname(configPath)).options;
}

/** A module to type-check: where it comes from (for messages) and its code. */
export interface Snippet {
  readonly origin: string;
  readonly code: string;
  /** Where the module lives (for its relative imports); default: a file of its own in test/package/. */
  readonly path?: string;
}

/**
 * Type-checks each snippet as a module of its own, placed inside the package
 * so that "unwind" resolves to itself (src/, through the `unwind-source`
 * condition). Returns every problem as `<origin>, line <n>: <message>`.
 */
export function typeCheck(snippets: readonly Snippet[], options = projectOptions()): string[] {
  const files = new Map(
    snippets.map((snippet, index) => [
      snippet.path ?? join(root, "test/package/snippets", `snippet-${index}.ts`),
      snippet,
    ]),
  );
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (path) => files.has(path) || fileExists.call(host, path);
  host.readFile = (path) => files.get(path)?.code ?? readFile.call(host, path);
  host.getSourceFile = (path, language, ...rest) => {
    const snippet = files.get(path);
    if (snippet) return ts.createSourceFile(path, snippet.code, language);
    return getSourceFile.call(host, path, language, ...rest);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  return [...files].flatMap(([path, snippet]) => {
    const source = program.getSourceFile(path);
    assert.ok(source, `${snippet.origin} is part of the program`);
    return ts.getPreEmitDiagnostics(program, source).map((diagnostic) => {
      const line =
        diagnostic.file && diagnostic.start !== undefined
          ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1
          : 0;
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
      return `${snippet.origin}, line ${line}: ${message}`;
    });
  });
}
