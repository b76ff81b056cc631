import { createRng } from "@llminit/core";
import { describe, expect, it } from "vitest";
import {
  applyQ,
  applyQTranspose,
  quadraticForm,
  solveShifted,
  tridiagonalEigenvalues,
  tridiagonalize,
} from "./tridiagonal.js";

function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      const x = rng.normal();
      a[i * n + j] = x;
      a[j * n + i] = x;
    }
  return a;
}

/** T as a dense n × n matrix. */
function denseT(diagonal: Float64Array, off: Float64Array): Float64Array {
  const n = diagonal.length;
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    t[i * n + i] = diagonal[i];
    if (i < n - 1) t[i * n + i + 1] = t[(i + 1) * n + i] = off[i];
  }
  return t;
}

function multiply(a: Float64Array, b: Float64Array, n: number, cols: number): Float64Array {
  const out = new Float64Array(n * cols);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) for (let j = 0; j < cols; j++) out[i * cols + j] += a[i * n + k] * b[k * cols + j];
  return out;
}

describe("tridiagonalize", () => {
  it("gives Qᵀ A Q = T with an orthogonal Q, for every size", () => {
    for (const n of [1, 2, 3, 5, 40]) {
      const a = randomSymmetric(n, n);
      const t = tridiagonalize(a, n);
      // Q = Q·I column by column; then Qᵀ A Q must be T.
      const q = new Float64Array(n * n);
      for (let i = 0; i < n; i++) q[i * n + i] = 1;
      applyQ(t, q, n);
      const qtaq = multiply(a, q, n, n);
      applyQTranspose(t, qtaq, n);
      const expected = denseT(t.diagonal, t.offDiagonal);
      for (let k = 0; k < n * n; k++) expect(qtaq[k]).toBeCloseTo(expected[k], 10);
      const qtq = Float64Array.from(q);
      applyQTranspose(t, qtq, n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(qtq[i * n + j]).toBeCloseTo(i === j ? 1 : 0, 12);
    }
  });

  it("finds known eigenvalues, repeated and zero ones included", () => {
    // diag(3, 1, 1, 0) rotated by a Householder reflection.
    const n = 4;
    const u = [0.5, -0.5, 0.5, 0.5];
    const diag = [3, 1, 1, 0];
    const q = Array.from(
      { length: n * n },
      (_, k) => (k % (n + 1) === 0 ? 1 : 0) - 2 * u[Math.floor(k / n)] * u[k % n],
    );
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += q[i * n + k] * diag[k] * q[j * n + k];
    const values = tridiagonalEigenvalues(tridiagonalize(a, n));
    expect(Array.from(values, (v) => Number(v.toFixed(12)) + 0)).toEqual([0, 1, 1, 3]);
  });

  it("the eigenvalues of T are A's: their sum is the trace and their squares sum to ‖A‖²", () => {
    const n = 30;
    const a = randomSymmetric(n, 7);
    const values = tridiagonalEigenvalues(tridiagonalize(a, n));
    let trace = 0;
    let frobenius = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i];
    for (const x of a) frobenius += x * x;
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 10);
    expect(values.reduce((s, v) => s + v * v, 0)).toBeCloseTo(frobenius, 9);
    for (let k = 1; k < n; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
  });

  it("solves (T + λI) Z = B and evaluates zᵀ T z", () => {
    const n = 12;
    const cols = 3;
    const a = randomSymmetric(n, 9);
    // A positive definite matrix: AᵀA.
    const spd = multiply(a, a, n, n);
    const t = tridiagonalize(spd, n);
    const b = Float64Array.from({ length: n * cols }, (_, k) => Math.sin(k));
    const z = solveShifted(t, 0.5, b, cols);
    const dense = denseT(t.diagonal, t.offDiagonal);
    for (let i = 0; i < n; i++) dense[i * n + i] += 0.5;
    const back = multiply(dense, z, n, cols);
    for (let k = 0; k < b.length; k++) expect(back[k]).toBeCloseTo(b[k], 10);
    const tz = multiply(denseT(t.diagonal, t.offDiagonal), z, n, cols);
    let expected = 0;
    for (let k = 0; k < z.length; k++) expected += z[k] * tz[k];
    expect(quadraticForm(t, z, cols)).toBeCloseTo(expected, 10);
  });
});
