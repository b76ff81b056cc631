import { describe, expect, it } from "vitest";
import { holmAdjust, pairedComparison } from "./paired-comparison.js";

describe("pairedComparison", () => {
  const baseline = [0.1, 0, 0.5, 0.3, 0.2, 0, 1, 0.25];
  const values = [0.2, 0, 0.5, 0.5, 0.1, 0.3, 1, 0.5];

  it("matches scipy's ttest_rel and a numpy delta-method interval", () => {
    const result = pairedComparison(baseline, values);
    // scipy 1.17.1: stats.ttest_rel(values, baseline)
    expect(result.t).toBeCloseTo(1.860521018838127, 12);
    expect(result.p).toBeCloseTo(0.1051310265562042, 12);
    expect(result).toMatchObject({ n: 8, df: 7 });
    expect(result.meanDifference).toBeCloseTo(0.75 / 8, 15);
    // numpy: r = y.mean()/x.mean(); se = std(y − r·x, ddof=1)/√n/|x.mean()|; r ± 1.959963984540054·se − 1
    expect(result.gain).toBeCloseTo(0.31914893617021267, 14);
    expect(result.gainLow).toBeCloseTo(-0.15986979769178777, 12);
    expect(result.gainHigh).toBeCloseTo(0.7981676700322131, 12);
  });

  it("leaves NaN pairs out, and handles constant differences and too few pairs", () => {
    const withNaN = pairedComparison([...baseline, NaN, 0.4], [...values, 0.9, NaN]);
    expect(withNaN).toEqual(pairedComparison(baseline, values));
    expect(pairedComparison([0.1, 0.2, 0.3], [0.1, 0.2, 0.3])).toMatchObject({ t: 0, p: 1, gain: 0 });
    expect(pairedComparison([0.5, 1, 1.5], [1, 1.5, 2])).toMatchObject({ t: Infinity, p: 0 });
    const one = pairedComparison([0.5], [1]);
    expect(one.n).toBe(1);
    expect(one.gain).toBe(1);
    expect(one.p).toBeNaN();
    expect(() => pairedComparison([1, 2], [1])).toThrow(RangeError);
  });

  it("finds a small shift over many pairs that a few pairs cannot show", () => {
    // 0/1 hits like Recall@10 with one held-out item: the new run hits 3 more users in 100.
    const make = (n: number) => {
      const x = Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : 0));
      const y = x.map((v, i) => (v === 0 && i % 100 < 30 && i % 10 === 5 ? 1 : v));
      return pairedComparison(x, y);
    };
    expect(make(100).p).toBeGreaterThan(0.05);
    expect(make(10_000).p).toBeLessThan(1e-6);
    expect(make(10_000).gainLow).toBeGreaterThan(0);
  });
});

describe("holmAdjust", () => {
  it("multiplies the i-th smallest p by m − i + 1, keeps them monotone and leaves NaN out", () => {
    const adjusted = holmAdjust([0.01, 0.04, NaN, 0.03, 0.005]);
    const expected = [0.03, 0.06, NaN, 0.06, 0.02];
    adjusted.forEach((p, i) =>
      Number.isNaN(expected[i]) ? expect(p).toBeNaN() : expect(p).toBeCloseTo(expected[i], 15),
    );
    expect(holmAdjust([0.6, 0.9])).toEqual([1, 1]);
    expect(holmAdjust([])).toEqual([]);
  });
});
