// Every source map in the package names sources that the package ships, so a
// stack trace or a debugger never points at a file the user does not have.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(process.argv[2]);
const missing = [];
let maps = 0;
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith(".map")) {
      maps++;
      const map = JSON.parse(readFileSync(path, "utf8"));
      for (const source of map.sources) {
        const file = resolve(dirname(path), map.sourceRoot ?? "", source);
        if (!file.startsWith(root) || !existsSync(file)) missing.push(`${relative(root, path)} -> ${source}`);
      }
    }
  }
};
walk(join(root, "dist"));
if (maps === 0) throw new Error("no source maps in dist/");
if (missing.length > 0)
  throw new Error(`source maps name files the package does not ship:\n${missing.join("\n")}`);
console.log(`${maps} source maps, every source shipped`);
