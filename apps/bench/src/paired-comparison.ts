import { studentTTwoSidedP } from "./student-t.js";

/** z such that P(|Z| ≤ z) = 0.95 for a standard normal Z. */
const Z_975 = 1.959963984540054;

/** A paired comparison of one metric between two runs over the same users (and seeds). */
export interface PairedComparison {
  /** Pairs compared: users × seeds. */
  n: number;
  baselineMean: number;
  mean: number;
  /** Mean of the per-pair differences (value − baseline). */
  meanDifference: number;
  /** Paired t statistic, df = n − 1, and its two-sided p-value. */
  t: number;
  df: number;
  p: number;
  /** Relative gain of the means, mean / baselineMean − 1, with its 95 % confidence interval. */
  gain: number;
  gainLow: number;
  gainHigh: number;
}

/**
 * Paired two-sided t-test of `values[i] − baseline[i]` (float64, two passes) and a 95 %
 * confidence interval of the relative gain r − 1, r = mean(values) / mean(baseline), by the delta
 * method: se(r) = sd(values − r · baseline) / √n / |mean(baseline)| (first-order Taylor expansion
 * of a ratio of paired means), interval r ± 1.96 · se(r), minus 1. Pairs with a NaN on either
 * side are left out. With fewer than 2 pairs everything but the means is NaN.
 */
export function pairedComparison(baseline: ArrayLike<number>, values: ArrayLike<number>): PairedComparison {
  if (baseline.length !== values.length)
    throw new RangeError(`paired comparison: ${baseline.length} baseline values but ${values.length} values`);
  let n = 0;
  let sumX = 0;
  let sumY = 0;
  for (let i = 0; i < baseline.length; i++) {
    const x = baseline[i];
    const y = values[i];
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    n++;
    sumX += x;
    sumY += y;
  }
  const meanX = sumX / n;
  const meanY = sumY / n;
  const meanDifference = meanY - meanX;
  const ratio = meanY / meanX;
  let squaresD = 0;
  let squaresR = 0;
  for (let i = 0; i < baseline.length; i++) {
    const x = baseline[i];
    const y = values[i];
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    squaresD += (y - x - meanDifference) ** 2;
    squaresR += (y - ratio * x) ** 2; // the mean of y − r·x is 0 by the choice of r
  }
  const df = n - 1;
  if (n < 2)
    return {
      n,
      baselineMean: meanX,
      mean: meanY,
      meanDifference,
      t: NaN,
      df,
      p: NaN,
      gain: ratio - 1,
      gainLow: NaN,
      gainHigh: NaN,
    };
  const sdD = Math.sqrt(squaresD / df);
  let t: number;
  let p: number;
  if (sdD === 0) {
    // Every pair differs by the same amount: no noise to test against.
    t = meanDifference === 0 ? 0 : Math.sign(meanDifference) * Infinity;
    p = meanDifference === 0 ? 1 : 0;
  } else {
    t = meanDifference / (sdD / Math.sqrt(n));
    p = studentTTwoSidedP(t, df);
  }
  const se = Math.sqrt(squaresR / df) / Math.sqrt(n) / Math.abs(meanX);
  return {
    n,
    baselineMean: meanX,
    mean: meanY,
    meanDifference,
    t,
    df,
    p,
    gain: ratio - 1,
    gainLow: ratio - Z_975 * se - 1,
    gainHigh: ratio + Z_975 * se - 1,
  };
}

/**
 * Holm–Bonferroni adjusted p-values of one family of tests (same order; NaN entries stay NaN and
 * are not counted in the family): the i-th smallest p is multiplied by (m − i + 1), made
 * monotone, and capped at 1. Rejecting where the adjusted p < α controls the family-wise error
 * rate at α.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const order = pValues
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => !Number.isNaN(p))
    .sort((a, b) => a.p - b.p);
  const adjusted = pValues.map(() => NaN);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (order.length - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
