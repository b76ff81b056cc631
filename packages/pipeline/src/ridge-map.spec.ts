import { createRng, type Matrix } from "@llminit/core";
import { describe, expect, it } from "vitest";
import { applyRidgeMap, ridgePath, RIDGE_RELATIVE_GRID } from "./ridge-map.js";

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const rng = createRng(seed);
  return { rows, cols, data: Float32Array.from({ length: rows * cols }, () => rng.normal()) };
}

/** y = x · w + b (+ noise), in float64 then rounded to float32 like real embeddings. */
function linearTargets(x: Matrix, w: Float64Array, b: number[], noise = 0, seed = 1): Matrix {
  const d = b.length;
  const rng = createRng(seed);
  const data = new Float32Array(x.rows * d);
  for (let r = 0; r < x.rows; r++)
    for (let j = 0; j < d; j++) {
      let sum = b[j] + noise * rng.normal();
      for (let i = 0; i < x.cols; i++) sum += x.data[r * x.cols + i] * w[i * d + j];
      data[r * d + j] = sum;
    }
  return { rows: x.rows, cols: d, data };
}

/** Ridge by brute force: solve (XcᵀXc + λI) W = XcᵀYc by Gaussian elimination. */
function bruteForce(x: Matrix, y: Matrix, lambda: number): { weights: Float64Array; bias: Float64Array } {
  const D = x.cols;
  const d = y.cols;
  const mean = (m: Matrix) =>
    Array.from({ length: m.cols }, (_, c) => {
      let s = 0;
      for (let r = 0; r < m.rows; r++) s += m.data[r * m.cols + c];
      return s / m.rows;
    });
  const mx = mean(x);
  const my = mean(y);
  const a = Array.from({ length: D }, () => Array.from({ length: D + d }, () => 0));
  for (let r = 0; r < x.rows; r++)
    for (let i = 0; i < D; i++) {
      const xi = x.data[r * D + i] - mx[i];
      for (let k = 0; k < D; k++) a[i][k] += xi * (x.data[r * D + k] - mx[k]);
      for (let j = 0; j < d; j++) a[i][D + j] += xi * (y.data[r * d + j] - my[j]);
    }
  for (let i = 0; i < D; i++) a[i][i] += lambda;
  for (let i = 0; i < D; i++) {
    for (let k = i + 1; k < D; k++) {
      const f = a[k][i] / a[i][i];
      for (let c = i; c < D + d; c++) a[k][c] -= f * a[i][c];
    }
  }
  const weights = new Float64Array(D * d);
  for (let j = 0; j < d; j++)
    for (let i = D - 1; i >= 0; i--) {
      let s = a[i][D + j];
      for (let k = i + 1; k < D; k++) s -= a[i][k] * weights[k * d + j];
      weights[i * d + j] = s / a[i][i];
    }
  const bias = Float64Array.from(my, (v, j) => v - mx.reduce((s, m, i) => s + m * weights[i * d + j], 0));
  return { weights, bias };
}

describe("ridgePath", () => {
  it("recovers a known linear map with its intercept", () => {
    const x = randomMatrix(200, 12, 3);
    const truth = Float64Array.from(randomMatrix(12, 5, 4).data);
    const bias = [1, -2, 0.5, 0, 3];
    const y = linearTargets(x, truth, bias);
    const map = ridgePath(x, y).fit(1e-8);
    for (let k = 0; k < truth.length; k++) expect(map.weights[k]).toBeCloseTo(truth[k], 4);
    for (let j = 0; j < bias.length; j++) expect(map.bias[j]).toBeCloseTo(bias[j], 4);
    const predicted = applyRidgeMap(map, x);
    for (let k = 0; k < y.data.length; k++) expect(predicted.data[k]).toBeCloseTo(y.data[k], 3);
  });

  it("equals the normal-equations solution for every λ", () => {
    const x = randomMatrix(30, 8, 5);
    const y = randomMatrix(30, 3, 6);
    const path = ridgePath(x, y);
    for (const lambda of [0.01, 1, 100]) {
      const map = path.fit(lambda);
      const expected = bruteForce(x, y, lambda);
      for (let k = 0; k < expected.weights.length; k++) expect(map.weights[k]).toBeCloseTo(expected.weights[k], 9);
      for (let j = 0; j < 3; j++) expect(map.bias[j]).toBeCloseTo(expected.bias[j], 9);
    }
  });

  it("works with fewer rows than columns and shrinks to the mean as λ grows", () => {
    const x = randomMatrix(6, 20, 7);
    const y = randomMatrix(6, 2, 8);
    const map = ridgePath(x, y).fit(1e9);
    const predicted = applyRidgeMap(map, x);
    for (let j = 0; j < 2; j++) {
      const mean = Array.from({ length: 6 }, (_, r) => y.data[r * 2 + j]).reduce((a, b) => a + b) / 6;
      for (let r = 0; r < 6; r++) expect(predicted.data[r * 2 + j]).toBeCloseTo(mean, 5);
    }
  });

  it("GCV prefers a small λ for a noise-free map and a larger one for pure noise", () => {
    const x = randomMatrix(120, 10, 9);
    const clean = linearTargets(x, Float64Array.from(randomMatrix(10, 4, 10).data), [0, 0, 0, 0], 0.01);
    const noise = randomMatrix(120, 4, 11);
    const best = (y: Matrix) => {
      const path = ridgePath(x, y);
      const scores = RIDGE_RELATIVE_GRID.map((c) => path.gcv(c * path.scale));
      return RIDGE_RELATIVE_GRID[scores.indexOf(Math.min(...scores))];
    };
    expect(best(clean)).toBeLessThanOrEqual(0.01);
    expect(best(noise)).toBeGreaterThanOrEqual(10);
  });

  it("GCV matches its definition computed from the fitted map", () => {
    const x = randomMatrix(25, 5, 12);
    const y = randomMatrix(25, 2, 13);
    const path = ridgePath(x, y);
    const lambda = 3;
    const predicted = applyRidgeMap(path.fit(lambda), x);
    let rss = 0;
    for (let k = 0; k < y.data.length; k++) rss += (y.data[k] - predicted.data[k]) ** 2;
    // tr H = 1 (intercept) + Σ s/(s+λ); recompute it from the hat matrix's columns by brute force.
    let trace = 0;
    for (let r = 0; r < 25; r++) {
      const unit = { rows: 25, cols: 1, data: Float32Array.from({ length: 25 }, (_, i) => (i === r ? 1 : 0)) };
      const fitted = applyRidgeMap(ridgePath(x, unit).fit(lambda), x);
      trace += fitted.data[r];
    }
    expect(path.gcv(lambda)).toBeCloseTo((25 * rss) / (25 - trace) ** 2, 4);
  });

  it("predicts fixed rows at any λ as fit(λ) and applyRidgeMap do", () => {
    const x = randomMatrix(40, 9, 14);
    const y = randomMatrix(40, 4, 15);
    const rows = randomMatrix(7, 9, 16);
    const path = ridgePath(x, y);
    const predict = path.predictor(rows);
    for (const lambda of [0.01, 2, 300]) {
      const expected = applyRidgeMap(path.fit(lambda), rows);
      const predicted = predict(lambda);
      expect(predicted.rows).toBe(7);
      for (let k = 0; k < expected.data.length; k++) expect(predicted.data[k]).toBeCloseTo(expected.data[k], 5);
    }
  });
});
