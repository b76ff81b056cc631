import { createRng, csrFromPairs } from "@llminit/core";
import type { Csr } from "@llminit/core";

/** A random bipartite graph where every user and item has at least one edge. */
export function randomGraph(users: number, items: number, extraEdges: number, seed: number): Csr {
  const rng = createRng(seed).child("graph");
  const rows: number[] = [];
  const cols: number[] = [];
  for (let u = 0; u < users; u++) {
    rows.push(u);
    cols.push(rng.int(items));
  }
  for (let i = 0; i < items; i++) {
    rows.push(rng.int(users));
    cols.push(i);
  }
  for (let e = 0; e < extraEdges; e++) {
    rows.push(rng.int(users));
    cols.push(rng.int(items));
  }
  return csrFromPairs(users, items, rows, cols);
}

/** Dense float64 Â = D^-1/2 [[0,R],[Rᵀ,0]] D^-1/2 straight from the definition. */
export function denseNormalizedAdjacency(train: Csr): Float64Array[] {
  const n = train.rows + train.cols;
  const a = Array.from({ length: n }, () => new Float64Array(n));
  for (let u = 0; u < train.rows; u++) {
    for (let k = train.indptr[u]; k < train.indptr[u + 1]; k++) {
      const i = train.rows + train.indices[k];
      a[u][i] = 1;
      a[i][u] = 1;
    }
  }
  const degree = a.map((row) => row.reduce((s, v) => s + v, 0));
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) if (a[r][c] !== 0) a[r][c] /= Math.sqrt(degree[r] * degree[c]);
  return a;
}

/** mean(x, Âx, …, Âᴷx) in float64; x row-major n × dim. */
export function referencePropagation(
  a: Float64Array[],
  x: ArrayLike<number>,
  dim: number,
  layers: number,
): Float64Array {
  const n = a.length;
  let current = Float64Array.from(x);
  const sum = Float64Array.from(x);
  for (let layer = 0; layer < layers; layer++) {
    const next = new Float64Array(n * dim);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < n; j++) {
        const w = a[r][j];
        if (w === 0) continue;
        for (let c = 0; c < dim; c++) next[r * dim + c] += w * current[j * dim + c];
      }
    }
    for (let k = 0; k < sum.length; k++) sum[k] += next[k];
    current = next;
  }
  return sum.map((v) => v / (layers + 1));
}

/** ‖a − b‖ / ‖b‖. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let k = 0; k < b.length; k++) {
    diff += (a[k] - b[k]) ** 2;
    norm += b[k] ** 2;
  }
  return Math.sqrt(diff) / Math.sqrt(norm);
}

/** Seeded standard-normal values. */
export function randomValues(length: number, seed: number): Float32Array {
  const rng = createRng(seed).child("values");
  return Float32Array.from({ length }, () => rng.normal());
}
