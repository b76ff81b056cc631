import { ShapeError, type Matrix } from "@llminit/core";
import {
  applyQ,
  applyQTranspose,
  quadraticForm,
  solveShifted,
  tridiagonalEigenvalues,
  tridiagonalize,
} from "./tridiagonal.js";

/** A fitted linear map `y = x · weights + bias` (float64). */
export interface RidgeMap {
  /** Input columns D. */
  inputs: number;
  /** Output columns d. */
  outputs: number;
  /** D × d, row-major. */
  weights: Float64Array;
  /** d. */
  bias: Float64Array;
  lambda: number;
}

/**
 * Ridge regression from the rows of `x` to the rows of `y`, solved once for every λ: the centred
 * Gram matrix G = XᵀX is reduced to tridiagonal form T = Qᵀ G Q (Householder), so that
 * W(λ) = Q (T + λI)⁻¹ Qᵀ XᵀY costs one O(D·d) tridiagonal solve and one application of Q per λ,
 * and the GCV score and predictions for a fixed set of rows need no W at all. The intercept is not
 * penalised (inputs and targets are centred). Everything is float64.
 */
export interface RidgePath {
  rows: number;
  inputs: number;
  outputs: number;
  /** Mean eigenvalue of the centred Gram matrix (trace / D): λ grids are given relative to it. */
  scale: number;
  fit(lambda: number): RidgeMap;
  /**
   * Generalised cross-validation score of λ (Golub, Heath & Wahba 1979): n · RSS / (n − tr H)²,
   * the rotation-invariant form of the leave-one-out squared error; lower is better.
   */
  gcv(lambda: number): number;
  /**
   * Predictions for the rows of `x` at any λ, as `fit(λ)` then `applyRidgeMap` would give them
   * (up to rounding), for the cost of x.rows × D × d per λ once `x` is prepared.
   */
  predictor(x: Matrix): (lambda: number) => Matrix;
}

/** λ / scale of the grids the pipeline searches: 10^-3 … 10^3 in half decades. */
export const RIDGE_RELATIVE_GRID: readonly number[] = Array.from({ length: 13 }, (_, i) =>
  Number((10 ** (-3 + i / 2)).toPrecision(2)),
);

export function ridgePath(x: Matrix, y: Matrix): RidgePath {
  if (x.rows !== y.rows) throw new ShapeError(`ridge: ${x.rows} input rows but ${y.rows} target rows`);
  if (x.rows < 2) throw new ShapeError(`ridge: needs at least 2 rows, got ${x.rows}`);
  const n = x.rows;
  const D = x.cols;
  const d = y.cols;
  const meanX = columnMeans(x);
  const meanY = columnMeans(y);
  const xt = centredColumns(x, meanX);
  const yt = centredColumns(y, meanY);
  const gram = crossProducts(xt, D, xt, D, n, true);
  // C = XᵀY (D × d), then C̃ = Qᵀ C.
  const projected = crossProducts(xt, D, yt, d, n, false);
  let targetSquares = 0;
  for (let k = 0; k < yt.length; k++) targetSquares += yt[k] * yt[k];
  const tri = tridiagonalize(gram, D);
  applyQTranspose(tri, projected, d);
  const eigenvalues = Float64Array.from(tridiagonalEigenvalues(tri), (v) => Math.max(v, 0));
  const scale = eigenvalues.reduce((sum, v) => sum + v, 0) / D;

  const solve = (lambda: number): Float64Array => {
    if (!(lambda > 0 && Number.isFinite(lambda)))
      throw new RangeError(`ridge: λ must be a positive number, got ${lambda}`);
    return solveShifted(tri, lambda, projected, d);
  };
  return {
    rows: n,
    inputs: D,
    outputs: d,
    scale,
    fit(lambda: number): RidgeMap {
      const weights = solve(lambda);
      applyQ(tri, weights, d);
      const bias = Float64Array.from(meanY);
      for (let i = 0; i < D; i++) for (let j = 0; j < d; j++) bias[j] -= meanX[i] * weights[i * d + j];
      return { inputs: D, outputs: d, weights, bias, lambda };
    },
    gcv(lambda: number): number {
      const z = solve(lambda);
      // RSS = ‖Y‖² − 2 tr(WᵀC) + tr(WᵀGW), and with W = Q z: tr(zᵀC̃) and tr(zᵀTz).
      let cross = 0;
      for (let k = 0; k < z.length; k++) cross += z[k] * projected[k];
      const rss = targetSquares - 2 * cross + quadraticForm(tri, z, d);
      let trace = 1;
      for (const s of eigenvalues) trace += s / (s + lambda);
      return (n * Math.max(rss, 0)) / (n - trace) ** 2;
    },
    predictor(rows: Matrix) {
      if (rows.cols !== D) throw new ShapeError(`ridge map takes ${D} columns, got ${rows.cols}`);
      // (x − x̄) Q: transposed, D × rows, Qᵀ applies to it as to C; then back to rows × D.
      const r = rows.rows;
      const transposed = new Float64Array(D * r);
      for (let q = 0; q < r; q++) for (let i = 0; i < D; i++) transposed[i * r + q] = rows.data[q * D + i] - meanX[i];
      applyQTranspose(tri, transposed, r);
      const basis = new Float64Array(r * D);
      for (let i = 0; i < D; i++) for (let q = 0; q < r; q++) basis[q * D + i] = transposed[i * r + q];
      return (lambda: number): Matrix => {
        const z = solve(lambda);
        const out = new Float32Array(r * d);
        const acc = new Float64Array(d);
        for (let q = 0; q < r; q++) {
          acc.set(meanY);
          for (let i = 0; i < D; i++) {
            const b = basis[q * D + i];
            const zi = i * d;
            for (let j = 0; j < d; j++) acc[j] += b * z[zi + j];
          }
          out.set(acc, q * d);
        }
        return { rows: r, cols: d, data: out };
      };
    },
  };
}

/** The columns of `m` minus their means, as rows: cols × rows (row-major), float64. */
function centredColumns(m: Matrix, mean: Float64Array): Float64Array {
  const out = new Float64Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++)
    for (let c = 0; c < m.cols; c++) out[c * m.rows + r] = m.data[r * m.cols + c] - mean[c];
  return out;
}

/**
 * A Bᵀ for A (p × n) and B (q × n), row-major: p × q dot products of length n, two rows of each
 * at a time so that every value read is used twice. `symmetric` (A = B) computes one triangle.
 */
function crossProducts(a: Float64Array, p: number, b: Float64Array, q: number, n: number, symmetric: boolean) {
  const out = new Float64Array(p * q);
  const dot = (i: number, k: number) => {
    let s = 0;
    for (let r = 0, x = i * n, y = k * n; r < n; r++) s += a[x + r] * b[y + r];
    return s;
  };
  for (let i = 0; i < p; i += 2) {
    const i1 = i + 1 < p;
    for (let k = symmetric ? i : 0; k < q; k += 2) {
      const k1 = k + 1 < q;
      if (!i1 || !k1) {
        out[i * q + k] = dot(i, k);
        if (k1) out[i * q + k + 1] = dot(i, k + 1);
        if (i1) out[(i + 1) * q + k] = dot(i + 1, k);
        continue;
      }
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      const x0 = i * n;
      const x1 = x0 + n;
      const y0 = k * n;
      const y1 = y0 + n;
      for (let r = 0; r < n; r++) {
        const a0 = a[x0 + r];
        const a1 = a[x1 + r];
        const b0 = b[y0 + r];
        const b1 = b[y1 + r];
        s00 += a0 * b0;
        s01 += a0 * b1;
        s10 += a1 * b0;
        s11 += a1 * b1;
      }
      out[i * q + k] = s00;
      out[i * q + k + 1] = s01;
      out[(i + 1) * q + k] = s10;
      out[(i + 1) * q + k + 1] = s11;
    }
  }
  if (symmetric) for (let i = 0; i < p; i++) for (let k = 0; k < i; k++) out[i * q + k] = out[k * q + i];
  return out;
}

/** `x · weights + bias` for every row of `x`, accumulated in float64, as a float32 matrix. */
export function applyRidgeMap(map: RidgeMap, x: Matrix): Matrix {
  if (x.cols !== map.inputs) throw new ShapeError(`ridge map takes ${map.inputs} columns, got ${x.cols}`);
  const { inputs: D, outputs: d, weights, bias } = map;
  const out = new Float32Array(x.rows * d);
  const acc = new Float64Array(d);
  for (let r = 0; r < x.rows; r++) {
    acc.set(bias);
    for (let i = 0; i < D; i++) {
      const a = x.data[r * D + i];
      if (a === 0) continue;
      const w = i * d;
      for (let j = 0; j < d; j++) acc[j] += a * weights[w + j];
    }
    for (let j = 0; j < d; j++) out[r * d + j] = acc[j];
  }
  return { rows: x.rows, cols: d, data: out };
}

function columnMeans(m: Matrix): Float64Array {
  const mean = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) mean[c] += m.data[r * m.cols + c];
  for (let c = 0; c < m.cols; c++) mean[c] /= m.rows;
  return mean;
}
