import { ShapeError, type Matrix } from "@llminit/core";
import { symmetricEigen } from "./symmetric-eigen.js";

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
 * Ridge regression from the rows of `x` to the rows of `y`, solved once for every λ: the
 * centred Gram matrix XᵀX is eigen-decomposed (V S Vᵀ), so that W(λ) = V (S + λI)⁻¹ Vᵀ XᵀY
 * costs one D × D × d product per λ. The intercept is not penalised (inputs and targets are
 * centred). Everything is float64.
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
  const gram = new Float64Array(D * D);
  const cross = new Float64Array(D * d);
  const xr = new Float64Array(D);
  const yr = new Float64Array(d);
  let targetSquares = 0;
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < D; i++) xr[i] = x.data[r * D + i] - meanX[i];
    for (let j = 0; j < d; j++) {
      yr[j] = y.data[r * d + j] - meanY[j];
      targetSquares += yr[j] * yr[j];
    }
    for (let i = 0; i < D; i++) {
      const a = xr[i];
      if (a === 0) continue;
      const g = i * D;
      for (let k = i; k < D; k++) gram[g + k] += a * xr[k];
      const c = i * d;
      for (let j = 0; j < d; j++) cross[c + j] += a * yr[j];
    }
  }
  for (let i = 0; i < D; i++) for (let k = i + 1; k < D; k++) gram[k * D + i] = gram[i * D + k];
  const { values, vectors } = symmetricEigen(gram, D);
  const s = Float64Array.from(values, (v) => Math.max(v, 0));
  // B = Vᵀ XᵀY: row k is eigenvector k times the cross products.
  const b = new Float64Array(D * d);
  for (let k = 0; k < D; k++) {
    const out = k * d;
    for (let i = 0; i < D; i++) {
      const vki = vectors[k * D + i];
      if (vki === 0) continue;
      const c = i * d;
      for (let j = 0; j < d; j++) b[out + j] += vki * cross[c + j];
    }
  }
  const bNorms = new Float64Array(D);
  for (let k = 0; k < D; k++) for (let j = 0; j < d; j++) bNorms[k] += b[k * d + j] ** 2;
  const scale = s.reduce((sum, v) => sum + v, 0) / D;

  const checkLambda = (lambda: number) => {
    if (!(lambda > 0 && Number.isFinite(lambda)))
      throw new RangeError(`ridge: λ must be a positive number, got ${lambda}`);
  };
  return {
    rows: n,
    inputs: D,
    outputs: d,
    scale,
    fit(lambda: number): RidgeMap {
      checkLambda(lambda);
      const weights = new Float64Array(D * d);
      const scaled = new Float64Array(d);
      for (let k = 0; k < D; k++) {
        const delta = 1 / (s[k] + lambda);
        for (let j = 0; j < d; j++) scaled[j] = delta * b[k * d + j];
        for (let i = 0; i < D; i++) {
          const vki = vectors[k * D + i];
          const w = i * d;
          for (let j = 0; j < d; j++) weights[w + j] += vki * scaled[j];
        }
      }
      const bias = Float64Array.from(meanY);
      for (let i = 0; i < D; i++) for (let j = 0; j < d; j++) bias[j] -= meanX[i] * weights[i * d + j];
      return { inputs: D, outputs: d, weights, bias, lambda };
    },
    gcv(lambda: number): number {
      checkLambda(lambda);
      let rss = targetSquares;
      let trace = 1;
      for (let k = 0; k < D; k++) {
        const delta = 1 / (s[k] + lambda);
        rss -= (2 * delta - delta * delta * s[k]) * bNorms[k];
        trace += s[k] * delta;
      }
      return (n * Math.max(rss, 0)) / (n - trace) ** 2;
    },
  };
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
