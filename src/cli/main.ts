#!/usr/bin/env node
// The `unwind` command (package.json "bin"). Today one subcommand:
// `unwind tree <pid>`, the live task tree of a running main() program.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { treeCommand, treeUsage } from "./tree-command.ts";

const usage = `Usage: unwind <command>

Commands:
  tree <pid>   print the live task tree of a running unwind program (--json for tools)

Options:
  -h, --help   this text (and \`unwind tree --help\`)
  --version    the version of unwind`;

async function cli(args: string[]): Promise<{ code: number; stdout?: string; stderr?: string }> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    return { code: 2, stderr: `unwind: ${(error as Error).message}\n\n${usage}` };
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.version) return { code: 0, stdout: version() };
  if (command === undefined) return values.help ? { code: 0, stdout: usage } : { code: 2, stderr: usage };
  if (command === "help") return { code: 0, stdout: rest[0] === "tree" ? treeUsage : usage };
  if (command !== "tree") return { code: 2, stderr: `unwind: unknown command "${command}"\n\n${usage}` };
  if (values.help) return { code: 0, stdout: treeUsage };
  if (rest.length > 1) return { code: 2, stderr: `unwind tree: one pid at a time, got ${rest.join(" ")}` };
  return treeCommand(rest[0], { json: values.json ?? false, timeout: values.timeout });
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: "boolean" },
      timeout: { type: "string" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
    },
  });
}

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  return String(manifest.version);
}

const result = await cli(process.argv.slice(2));
if (result.stdout !== undefined) process.stdout.write(`${result.stdout}\n`);
if (result.stderr !== undefined) process.stderr.write(`${result.stderr}\n`);
process.exitCode = result.code;
