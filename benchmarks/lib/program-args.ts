import { writeSync } from "node:fs";

/**
 * What every shutdown program shares: N from the command line, and a count
 * of the cleanups that ran, printed as `cleanups <n>` on stdout when the
 * process exits (whatever the exit code), so the harness can check it; and
 * `cpu-ms <ms>`, the CPU time the process used (all its threads) from
 * SIGTERM to exit, which other processes on the machine disturb less than
 * the wall time does.
 */
export function shutdownProgram(name: string): { n: number; cleaned: () => void } {
  const n = Number(process.argv[2]);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name}: N must be a positive integer, got ${process.argv[2]}`);
  let count = 0;
  let atSignal: NodeJS.CpuUsage | undefined;
  // Registered before the program's own handler, so it runs first.
  process.once("SIGTERM", () => {
    atSignal = process.cpuUsage();
  });
  // 'exit' listeners run synchronously inside process.exit(): a sync write
  // is the only kind that still reaches the pipe.
  process.on("exit", () => {
    const cpu = atSignal && process.cpuUsage(atSignal);
    writeSync(1, `cleanups ${count}\n${cpu ? `cpu-ms ${(cpu.user + cpu.system) / 1000}\n` : ""}`);
  });
  return {
    n,
    cleaned: () => {
      count++;
    },
  };
}
