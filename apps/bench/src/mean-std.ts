/** Mean and sample standard deviation (n − 1) of the finite values; NaN/null are counted apart. */
export interface MeanStd {
  n: number;
  mean: number;
  /** Sample standard deviation; NaN when n < 2. */
  std: number;
  /** Values that were NaN or null and left out. */
  missing: number;
}

export function meanStd(values: ReadonlyArray<number | null | undefined>): MeanStd {
  let n = 0;
  let sum = 0;
  let missing = 0;
  for (const v of values) {
    if (typeof v === "number" && Number.isFinite(v)) {
      n++;
      sum += v;
    } else missing++;
  }
  const mean = n === 0 ? NaN : sum / n;
  let squares = 0;
  for (const v of values) if (typeof v === "number" && Number.isFinite(v)) squares += (v - mean) ** 2;
  return { n, mean, std: n < 2 ? NaN : Math.sqrt(squares / (n - 1)), missing };
}

/** `0.1234 ± 0.0056`, `0.1234` when there is one value, `–` when none. */
export function formatMeanStd(stat: MeanStd, digits = 4): string {
  if (stat.n === 0) return "–";
  return Number.isNaN(stat.std)
    ? stat.mean.toFixed(digits)
    : `${stat.mean.toFixed(digits)} ± ${stat.std.toFixed(digits)}`;
}

/** Relative change of `value` over `baseline` in percent, `+12.3 %`; empty when undefined. */
export function formatImprovement(value: number, baseline: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return "";
  const pct = ((value - baseline) / baseline) * 100;
  return `${pct >= 0 ? "+" : "−"}${Math.abs(pct).toFixed(1)} %`;
}
