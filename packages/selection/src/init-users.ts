import { ShapeError, type Csr, type Matrix } from "@llminit/core";

/**
 * What a user without training items starts from: `zeros`, or `item-mean` (the mean of all
 * item vectors, i.e. an "average user"). LLMInit's users always have training items after
 * k-core filtering; the fallback matters for sparse settings and custom data.
 */
export type EmptyUserFallback = "zeros" | "item-mean";

/**
 * User initialisation of LLMInit: each user's vector is the mean of its training items'
 * (selected) vectors. `train` is users × items; `items` is [items × d]. Accumulates in float64.
 */
export function initUsersFromItems(items: Matrix, train: Csr, fallback: EmptyUserFallback = "item-mean"): Matrix {
  if (train.cols !== items.rows) {
    throw new ShapeError(`train graph has ${train.cols} items but the item matrix has ${items.rows} rows`);
  }
  const d = items.cols;
  const out = new Float32Array(train.rows * d);
  const sum = new Float64Array(d);
  let fallbackRow: Float32Array | undefined;
  for (let u = 0; u < train.rows; u++) {
    const start = train.indptr[u];
    const end = train.indptr[u + 1];
    if (start === end) {
      if (fallback === "item-mean") {
        fallbackRow ??= columnMeans(items);
        out.set(fallbackRow, u * d);
      }
      continue;
    }
    sum.fill(0);
    for (let k = start; k < end; k++) {
      const base = train.indices[k] * d;
      for (let c = 0; c < d; c++) sum[c] += items.data[base + c];
    }
    const scale = 1 / (end - start);
    const outBase = u * d;
    for (let c = 0; c < d; c++) out[outBase + c] = sum[c] * scale;
  }
  return { rows: train.rows, cols: d, data: out };
}

function columnMeans(matrix: Matrix): Float32Array {
  const sum = new Float64Array(matrix.cols);
  for (let r = 0; r < matrix.rows; r++) {
    const base = r * matrix.cols;
    for (let c = 0; c < matrix.cols; c++) sum[c] += matrix.data[base + c];
  }
  return Float32Array.from(sum, (s) => (matrix.rows === 0 ? 0 : s / matrix.rows));
}
