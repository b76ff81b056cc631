import { normalizeRowsL2, ShapeError, type Matrix, type Rng } from "@llminit/core";

/** Numbers of neighbours the pipeline tries for `map-knn`. */
export const KNN_GRID: readonly number[] = [5, 10, 20, 50, 100];

/** Rows L2-normalised, in a new matrix. */
function unit(m: Matrix): Matrix {
  return normalizeRowsL2({ rows: m.rows, cols: m.cols, data: m.data.slice() });
}

/** Cosine of `query` row q with every row of `items` (both unit rows) into `out`. */
function similarities(query: Matrix, q: number, items: Matrix, out: Float64Array): void {
  const D = items.cols;
  const base = q * D;
  for (let j = 0; j < items.rows; j++) {
    let s = 0;
    const row = j * D;
    for (let c = 0; c < D; c++) s += query.data[base + c] * items.data[row + c];
    out[j] = s;
  }
}

/**
 * Indices of the `k` largest entries of `values` (ties: lower index), best first; `skip` is left out.
 * Sorting an index array is fine for the catalogue sizes a query runs against here.
 */
function topIndices(values: Float64Array, k: number, skip = -1): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i).filter((i) => i !== skip);
  order.sort((a, b) => values[b] - values[a] || a - b);
  return order.slice(0, k);
}

/** Mean of the neighbours' embeddings weighted by max(cosine, 0); the plain mean when every weight is 0. */
function weightedMean(neighbours: number[], sims: Float64Array, embeddings: Matrix, out: Float64Array): void {
  const d = embeddings.cols;
  out.fill(0);
  let total = 0;
  for (const j of neighbours) total += Math.max(sims[j], 0);
  for (const j of neighbours) {
    const w = total > 0 ? Math.max(sims[j], 0) / total : 1 / neighbours.length;
    for (let c = 0; c < d; c++) out[c] += w * embeddings.data[j * d + c];
  }
}

/**
 * `map-knn` of Gantner et al. (ICDM 2010, "Learning attribute-to-feature mappings for cold-start
 * recommendations"), on LLM vectors: a new item's embedding is the cosine-weighted mean of the
 * trained embeddings of its `k` most similar warm items (by LLM vector).
 */
export function knnMapEmbeddings(warmVectors: Matrix, warmEmbeddings: Matrix, newVectors: Matrix, k: number): Matrix {
  if (warmVectors.rows !== warmEmbeddings.rows)
    throw new ShapeError(`map-knn: ${warmVectors.rows} warm vectors for ${warmEmbeddings.rows} embeddings`);
  const items = unit(warmVectors);
  const queries = unit(newVectors);
  const d = warmEmbeddings.cols;
  const out = new Float32Array(newVectors.rows * d);
  const sims = new Float64Array(items.rows);
  const row = new Float64Array(d);
  for (let q = 0; q < queries.rows; q++) {
    similarities(queries, q, items, sims);
    weightedMean(topIndices(sims, k), sims, warmEmbeddings, row);
    for (let c = 0; c < d; c++) out[q * d + c] = row[c];
  }
  return { rows: newVectors.rows, cols: d, data: out };
}

/**
 * Leave-one-out squared error of `map-knn` for each k of `ks` on the warm items: each of up to
 * `maxQueries` warm items (a seeded sample) is predicted from its k most similar other warm items.
 */
export function knnLeaveOneOutErrors(
  warmVectors: Matrix,
  warmEmbeddings: Matrix,
  ks: readonly number[],
  rng: Rng,
  maxQueries = 500,
): number[] {
  const items = unit(warmVectors);
  const n = items.rows;
  const d = warmEmbeddings.cols;
  const sample = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i)).slice(0, Math.min(maxQueries, n));
  const errors = ks.map(() => 0);
  const sims = new Float64Array(n);
  const row = new Float64Array(d);
  const kMax = Math.max(...ks);
  for (const q of sample) {
    similarities(items, q, items, sims);
    const ranked = topIndices(sims, kMax, q);
    ks.forEach((k, i) => {
      weightedMean(ranked.slice(0, k), sims, warmEmbeddings, row);
      for (let c = 0; c < d; c++) errors[i] += (row[c] - warmEmbeddings.data[q * d + c]) ** 2;
    });
  }
  return errors.map((e) => e / sample.length);
}
