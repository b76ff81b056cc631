import { createRng } from "@llminit/core";
import { describe, expect, it } from "vitest";
import { symmetricEigen } from "./symmetric-eigen.js";

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

describe("symmetricEigen", () => {
  it("reconstructs the matrix from orthonormal eigenvectors, values ascending", () => {
    for (const n of [1, 2, 5, 40]) {
      const a = randomSymmetric(n, n);
      const { values, vectors } = symmetricEigen(a, n);
      for (let k = 1; k < n; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
      for (let p = 0; p < n; p++)
        for (let q = 0; q < n; q++) {
          let dot = 0;
          for (let i = 0; i < n; i++) dot += vectors[p * n + i] * vectors[q * n + i];
          expect(dot).toBeCloseTo(p === q ? 1 : 0, 10);
        }
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let k = 0; k < n; k++) sum += values[k] * vectors[k * n + i] * vectors[k * n + j];
          expect(sum).toBeCloseTo(a[i * n + j], 10);
        }
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
    const { values } = symmetricEigen(a, n);
    expect(Array.from(values, (v) => Number(v.toFixed(12)) + 0)).toEqual([0, 1, 1, 3]);
  });
});
