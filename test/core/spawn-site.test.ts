// A spawn site names the user's line that started the task, never a line of
// unwind itself, also when unwind runs from its built dist/ with source
// maps on (tsx, --enable-source-maps), where its frames are shown at their
// place in src/. The package is built and installed into a temporary
// directory as a user gets it (dist/ and src/ side by side).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runNode } from "../helpers/fixture.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const fixture = join(repo, "test/fixtures/spawn-site.mjs");
const work = mkdtempSync(join(tmpdir(), "unwind-spawn-site-"));
const installed = join(work, "node_modules/unwind");

/** Runs the fixture with `flags`; resolves with its stdout line. */
async function siteWith(flags: string[], env: Record<string, string> = {}): Promise<string> {
  const { code, stdout, stderr } = await runNode([...flags, fixture], env);
  assert.equal(code, 0, stderr);
  return stdout.trim();
}

const fixtureLine = /test\/fixtures\/spawn-site\.mjs:9:\d+\)?$/;

describe("spawn sites", () => {
  before(() => {
    mkdirSync(installed, { recursive: true });
    for (const file of ["package.json", "tsconfig.json", "tsconfig.build.json"]) {
      cpSync(join(repo, file), join(installed, file));
    }
    cpSync(join(repo, "src"), join(installed, "src"), { recursive: true });
    symlinkSync(join(repo, "node_modules"), join(installed, "node_modules"), "dir");
    const build = spawnSync("npm", ["run", "build"], { cwd: installed, encoding: "utf8" });
    assert.equal(build.status, 0, `npm run build: ${build.stdout}${build.stderr}`);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const fromDist = { UNWIND_ENTRY: pathToFileURL(join(installed, "dist/index.js")).href };

  it("name the user's line when the installed dist runs with --enable-source-maps", async () => {
    const site = await siteWith(["--enable-source-maps"], fromDist);
    assert.match(site, fixtureLine);
  });

  it("name the user's line when the installed dist runs under tsx", async () => {
    assert.match(await siteWith(["--import", "tsx"], fromDist), fixtureLine);
  });

  it("name the user's line when the installed dist runs without source maps", async () => {
    assert.match(await siteWith([], fromDist), fixtureLine);
  });

  it("name the user's line when unwind runs from its TypeScript source", async () => {
    assert.match(await siteWith(["--conditions=unwind-source", "--import", "tsx"]), fixtureLine);
  });
});
