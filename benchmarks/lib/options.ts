/** Command-line options shared by every benchmark. */
export interface BenchOptions {
  /** `--quick`: tiny sizes and one or two runs; only checks that everything runs. */
  quick: boolean;
}

export function parseOptions(argv: readonly string[] = process.argv.slice(2)): BenchOptions {
  return { quick: argv.includes("--quick") };
}
