import { fileURLToPath } from "node:url";

/**
 * unwind's own code, told apart from its users' code by where it lives:
 * the package's `src/` and `dist/` directories, computed from this module's
 * location (`src/core/own-code.ts` or `dist/core/own-code.js`, two levels
 * below the package). Both directories, whichever runs: with source maps
 * (tsx, `--enable-source-maps`) a stack names the frames of `dist/` by their
 * place in `src/`. Matched as URLs (ESM frames) and as paths (mapped frames,
 * CommonJS). A copy of unwind bundled into another file is not recognised.
 */
const packageRoot = new URL("../../", import.meta.url);
const ownDirectories = ["src/", "dist/"].flatMap((folder) => {
  const url = new URL(folder, packageRoot);
  return url.protocol === "file:" ? [url.href, fileURLToPath(url)] : [url.href];
});

/** Is this line of a stack trace a frame of unwind's own code? */
export function isOwnFrame(line: string): boolean {
  return ownDirectories.some((directory) => line.includes(directory));
}

/**
 * The lines of the current stack below `caller` (the function that asks,
 * and everything it called, left out), however deep: for the rare calls
 * that need to know who called them.
 */
export function stackBelow(caller: (...args: never[]) => unknown): string[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Number.POSITIVE_INFINITY;
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, caller);
  Error.stackTraceLimit = limit;
  return (holder.stack ?? "").split("\n").slice(1);
}
