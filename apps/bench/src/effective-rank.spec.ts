import { createRng } from "@llminit/core";
import { describe, expect, it } from "vitest";
import { effectiveRank, gramMatrix, jacobiEigenvalues, singularValues } from "./effective-rank.js";

function identity(d: number): Float64Array {
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) m[i * d + i] = 1;
  return m;
}

describe("jacobiEigenvalues", () => {
  it("solves a 2 × 2 case by hand: [[2, 1], [1, 2]] has eigenvalues 3 and 1", () => {
    expect(Array.from(jacobiEigenvalues(Float64Array.of(2, 1, 1, 2), 2))).toEqual([
      expect.closeTo(3, 12),
      expect.closeTo(1, 12),
    ]);
  });

  it("recovers the spectrum of Q diag(λ) Qᵀ for a random orthogonal Q", () => {
    const n = 12;
    const rng = createRng(3);
    // Q from Gram–Schmidt on a random matrix.
    const q = new Float64Array(n * n);
    for (let i = 0; i < n * n; i++) q[i] = rng.normal();
    for (let c = 0; c < n; c++) {
      for (let prev = 0; prev < c; prev++) {
        let dot = 0;
        for (let r = 0; r < n; r++) dot += q[r * n + c] * q[r * n + prev];
        for (let r = 0; r < n; r++) q[r * n + c] -= dot * q[r * n + prev];
      }
      let norm = 0;
      for (let r = 0; r < n; r++) norm += q[r * n + c] ** 2;
      for (let r = 0; r < n; r++) q[r * n + c] /= Math.sqrt(norm);
    }
    const lambda = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -1 : 1) * (i + 1) * 0.75);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += q[i * n + k] * lambda[k] * q[j * n + k];
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i];
    const got = Array.from(jacobiEigenvalues(a, n));
    const want = [...lambda].sort((x, y) => y - x);
    got.forEach((value, i) => expect(value).toBeCloseTo(want[i], 9));
  });

  it("rejects a non-square or non-symmetric input", () => {
    expect(() => jacobiEigenvalues(new Float64Array(5), 2)).toThrow(/2×2/);
    expect(() => jacobiEigenvalues(Float64Array.of(1, 2, 3, 4), 2)).toThrow(/not symmetric/);
  });
});

describe("singularValues and effectiveRank", () => {
  it("gives the singular values of [[3, 0], [4, 5]]: √45 and √5", () => {
    const sigma = singularValues(Float64Array.of(3, 0, 4, 5), 2, 2);
    expect(sigma[0]).toBeCloseTo(Math.sqrt(45), 12);
    expect(sigma[1]).toBeCloseTo(Math.sqrt(5), 12);
    expect(Array.from(gramMatrix(Float64Array.of(3, 0, 4, 5), 2, 2))).toEqual([25, 20, 20, 25]);
  });

  it("is d for the identity and for any matrix with orthogonal columns of equal norm", () => {
    for (const d of [1, 4, 16]) expect(effectiveRank(identity(d), d, d)).toBeCloseTo(d, 10);
    // 3 rows × 2 columns, orthogonal columns of norm √2.
    expect(effectiveRank(Float64Array.of(1, 1, 1, -1, 0, 0), 3, 2)).toBeCloseTo(2, 10);
  });

  it("is 1 for a rank-one matrix, and 1 + something for a nearly rank-one one", () => {
    const u = [1, -2, 0.5, 3, 1.5];
    const v = [0.3, 1, -1, 2, 0.1, 0.7, -0.4, 5];
    const m = new Float32Array(u.length * v.length);
    u.forEach((x, i) => v.forEach((y, j) => (m[i * v.length + j] = x * y)));
    expect(effectiveRank(m, u.length, v.length)).toBeCloseTo(1, 5);
    m[0] += 0.5;
    expect(effectiveRank(m, u.length, v.length)).toBeGreaterThan(1.01);
  });

  it("matches exp(entropy) for singular values 3, 1 (diagonal matrix)", () => {
    const p = [0.75, 0.25];
    const want = Math.exp(-p.reduce((h, x) => h + x * Math.log(x), 0));
    expect(effectiveRank(Float64Array.of(3, 0, 0, 1), 2, 2)).toBeCloseTo(want, 12);
  });

  it("is NaN for an all-zero matrix", () => {
    expect(effectiveRank(new Float32Array(6), 3, 2)).toBeNaN();
  });
});
