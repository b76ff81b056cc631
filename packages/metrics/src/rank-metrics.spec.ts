import { createRng } from "@llminit/core";
import { describe, expect, it } from "vitest";
import {
  METRIC_FUNCTIONS,
  METRIC_NAMES,
  accumulateUserMetrics,
  hitAtK,
  mapAtK,
  mrrAtK,
  ndcgAtK,
  precisionAtK,
  recallAtK,
} from "./rank-metrics.js";

const L3 = Math.log2(3);
const L5 = Math.log2(5);

describe("per-user metrics (RecBole definitions)", () => {
  // Hits at ranks 2 and 4; the user has 3 relevant items.
  const hits = Uint8Array.of(0, 1, 0, 1);

  it("computes hand-checked values at k = 4", () => {
    expect(recallAtK(hits, 3, 4)).toBeCloseTo(2 / 3, 15);
    expect(precisionAtK(hits, 3, 4)).toBe(0.5);
    expect(hitAtK(hits, 3, 4)).toBe(1);
    expect(mrrAtK(hits, 3, 4)).toBe(0.5);
    expect(ndcgAtK(hits, 3, 4)).toBeCloseTo((1 / L3 + 1 / L5) / (1 + 1 / L3 + 1 / 2), 15);
    // AP: (1/2 + 2/4) / min(3, 4)
    expect(mapAtK(hits, 3, 4)).toBeCloseTo(1 / 3, 15);
  });

  it("uses min(|truth|, k) in IDCG and the MAP denominator", () => {
    expect(ndcgAtK(hits, 3, 2)).toBeCloseTo(1 / L3 / (1 + 1 / L3), 15);
    expect(mapAtK(hits, 3, 2)).toBeCloseTo(0.5 / 2, 15);
    expect(recallAtK(hits, 3, 2)).toBeCloseTo(1 / 3, 15);
    expect(precisionAtK(hits, 3, 2)).toBe(0.5);
    // Several hits at the top: perfect list.
    expect(ndcgAtK(Uint8Array.of(1, 1, 0), 2, 3)).toBeCloseTo(1, 15);
    expect(mapAtK(Uint8Array.of(1, 1, 0), 2, 3)).toBeCloseTo(1, 15);
    // Hits at ranks 1 and 3 of 2 relevant: AP = (1 + 2/3) / 2.
    expect(mapAtK(Uint8Array.of(1, 0, 1), 2, 3)).toBeCloseTo(5 / 6, 15);
    expect(ndcgAtK(Uint8Array.of(1, 0, 1), 2, 3)).toBeCloseTo((1 + 0.5) / (1 + 1 / L3), 15);
  });

  it("counts nothing beyond k and misses when there is no hit", () => {
    const late = Uint8Array.of(0, 0, 0, 1);
    for (const name of METRIC_NAMES) expect(METRIC_FUNCTIONS[name](late, 1, 3)).toBe(0);
  });

  it("treats a list shorter than k as padded with misses (precision divides by k)", () => {
    const short = Uint8Array.of(1);
    expect(precisionAtK(short, 1, 5)).toBe(0.2);
    expect(recallAtK(short, 1, 5)).toBe(1);
    expect(ndcgAtK(short, 1, 5)).toBe(1);
    expect(mapAtK(short, 1, 5)).toBe(1);
    expect(mrrAtK(new Uint8Array(0), 1, 5)).toBe(0);
  });

  it("rejects k ≤ 0 and users without truth", () => {
    expect(() => recallAtK(hits, 3, 0)).toThrow(RangeError);
    expect(() => ndcgAtK(hits, 0, 3)).toThrow(/truthCount/);
  });

  it("accumulates all metrics at all cut-offs in one pass, equal to the single functions", () => {
    const ranked = Uint8Array.of(0, 1, 1, 0, 0, 1, 0);
    const ks = [1, 3, 5, 10];
    const out = new Float64Array(METRIC_NAMES.length * ks.length);
    accumulateUserMetrics(ranked, 4, ks, METRIC_NAMES, out);
    METRIC_NAMES.forEach((name, m) => {
      ks.forEach((k, c) => expect(out[m * ks.length + c]).toBe(METRIC_FUNCTIONS[name](ranked, 4, k)));
    });
  });

  it("gives bitwise the values of the one-pass accumulator it replaced (same operations, same order)", () => {
    const rng = createRng(14);
    const ks = [1, 5, 10, 20, 50];
    const out = new Float64Array(METRIC_NAMES.length * ks.length);
    const reference = new Float64Array(out.length);
    for (let trial = 0; trial < 500; trial++) {
      const length = rng.int(60);
      const hits = Uint8Array.from({ length }, () => (rng.next() < 0.15 ? 1 : 0));
      const truthCount = 1 + rng.int(8);
      accumulateUserMetrics(hits, truthCount, ks, METRIC_NAMES, out);
      onePassBefore(hits, truthCount, ks, reference);
      for (let v = 0; v < out.length; v++)
        expect(Object.is(out[v], reference[v]), `trial ${trial} value ${v}`).toBe(true);
    }
  });
});

/** The evaluator's per-user code before the metric registry (commit dcf6acb), kept as the reference. */
function onePassBefore(hits: Uint8Array, truthCount: number, ks: readonly number[], out: Float64Array): void {
  const numKs = ks.length;
  let found = 0;
  let dcg = 0;
  let apSum = 0;
  let firstHit = 0;
  let p = 0;
  for (let c = 0; c < numKs; c++) {
    const k = ks[c];
    const n = Math.min(k, hits.length);
    for (; p < n; p++) {
      if (hits[p] !== 0) {
        found++;
        dcg += 1 / Math.log2(p + 2);
        apSum += found / (p + 1);
        if (firstHit === 0) firstHit = p + 1;
      }
    }
    const idealLength = Math.min(truthCount, k);
    let idcg = 0;
    for (let q = 0; q < idealLength; q++) idcg += 1 / Math.log2(q + 2);
    const values = [
      found / truthCount,
      dcg / idcg,
      firstHit === 0 ? 0 : 1 / firstHit,
      found > 0 ? 1 : 0,
      found / k,
      apSum / Math.min(truthCount, k),
    ];
    values.forEach((value, m) => (out[m * numKs + c] = value));
  }
}
