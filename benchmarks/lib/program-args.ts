import { writeSync } from "node:fs";

/**
 * What every shutdown program shares: N from the command line, and a count
 * of the cleanups that ran, printed as `cleanups <n>` on stdout when the
 * process exits (whatever the exit code), so the harness can check it.
 */
export function shutdownProgram(name: string): { n: number; cleaned: () => void } {
  const n = Number(process.argv[2]);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name}: N must be a positive integer, got ${process.argv[2]}`);
  let count = 0;
  // 'exit' listeners run synchronously inside process.exit(): a sync write
  // is the only kind that still reaches the pipe.
  process.on("exit", () => writeSync(1, `cleanups ${count}\n`));
  return {
    n,
    cleaned: () => {
      count++;
    },
  };
}
