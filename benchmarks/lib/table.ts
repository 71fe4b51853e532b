/**
 * One measured figure of one variant. Every benchmark returns rows; the
 * runner prints them as tables with ratios to the `raw` and `effection`
 * rows of the same figure, measured in the same run.
 */
export interface Row {
  /** What was measured, e.g. "spawn + join, N = 20000". */
  figure: string;
  /** Who did it: "raw", "effection", "unwind", "Effect", "p-limit", ... */
  variant: string;
  median: number;
  /** Spread of the samples: their median absolute deviation (MAD). */
  spread: number;
  runs: number;
  unit: string;
  /** Failed checks or a skipped row, shown in a last column. */
  note?: string;
}

/** The rows of one figure as a markdown table, ratios against raw and effection. */
export function formatTable(rows: readonly Row[]): string {
  const figures = [...new Set(rows.map((r) => r.figure))];
  const notes = rows.some((r) => r.note);
  const lines = [
    `| figure | variant | median | ± MAD | runs | x raw | x effection |${notes ? " notes |" : ""}`,
    `|---|---|---:|---:|---:|---:|---:|${notes ? "---|" : ""}`,
  ];
  for (const figure of figures) {
    const group = rows.filter((r) => r.figure === figure);
    const raw = group.find((r) => r.variant === "raw");
    const effection = group.find((r) => r.variant === "effection");
    for (const row of group) {
      lines.push(
        `| ${figure} | ${row.variant} | ${fmt(row.median)} ${row.unit} | ${fmt(row.spread)} | ${row.runs} | ${ratio(row, raw)} | ${ratio(row, effection)} |${notes ? ` ${row.note ?? ""} |` : ""}`,
      );
    }
  }
  return lines.join("\n");
}

function ratio(row: Row, base: Row | undefined): string {
  if (!base || base.median === 0 || Number.isNaN(row.median) || Number.isNaN(base.median)) return "–";
  return `${(row.median / base.median).toFixed(2)}x`;
}

function fmt(value: number): string {
  if (Number.isNaN(value)) return "–";
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Median and median absolute deviation of hand-timed samples. */
export function summarize(samples: readonly number[]): { median: number; spread: number } {
  const median = medianOf(samples);
  return { median, spread: medianOf(samples.map((x) => Math.abs(x - median))) };
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return 0;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
