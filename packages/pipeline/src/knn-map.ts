import { normalizeRowsL2, ShapeError, type Matrix, type Rng } from "@llminit/core";

/** Numbers of neighbours the pipeline tries for `map-knn`. */
export const KNN_GRID: readonly number[] = [1, 2, 3, 5, 10, 20, 50, 100];

/** The k values of {@link KNN_GRID} below the number of warm items (at least one k). */
export function knnGrid(items: number): number[] {
  const ks = KNN_GRID.filter((k) => k < items);
  if (ks.length === 0) ks.push(Math.max(1, items - 1));
  return ks;
}

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

/** True when entry a ranks below entry b: a smaller value, or an equal value at a higher index. */
function below(values: Float64Array, a: number, b: number): boolean {
  return values[a] < values[b] || (values[a] === values[b] && a > b);
}

/**
 * Indices of the `k` largest entries of `values` (ties: lower index), best first; `skip` is left
 * out. A min-heap of the k best so far: O(n log k).
 */
function topIndices(values: Float64Array, k: number, skip = -1): number[] {
  const heap: number[] = [];
  const siftDown = (start: number) => {
    for (let i = start; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && below(values, heap[l], heap[m])) m = l;
      if (r < heap.length && below(values, heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  for (let j = 0; j < values.length; j++) {
    if (j === skip) continue;
    if (heap.length < k) {
      heap.push(j);
      for (let i = heap.length - 1; i > 0;) {
        const parent = (i - 1) >> 1;
        if (!below(values, heap[i], heap[parent])) break;
        [heap[i], heap[parent]] = [heap[parent], heap[i]];
        i = parent;
      }
    } else if (k > 0 && below(values, heap[0], j)) {
      heap[0] = j;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => (below(values, a, b) ? 1 : -1));
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
  return knnMapEmbeddingsForEach(warmVectors, warmEmbeddings, newVectors, [k])[0];
}

/** {@link knnMapEmbeddings} for each k of `ks`, computing the similarities once. */
export function knnMapEmbeddingsForEach(
  warmVectors: Matrix,
  warmEmbeddings: Matrix,
  newVectors: Matrix,
  ks: readonly number[],
): Matrix[] {
  if (warmVectors.rows !== warmEmbeddings.rows)
    throw new ShapeError(`map-knn: ${warmVectors.rows} warm vectors for ${warmEmbeddings.rows} embeddings`);
  const items = unit(warmVectors);
  const queries = unit(newVectors);
  const d = warmEmbeddings.cols;
  const outs = ks.map(() => new Float32Array(newVectors.rows * d));
  const sims = new Float64Array(items.rows);
  const row = new Float64Array(d);
  const kMax = Math.max(...ks);
  for (let q = 0; q < queries.rows; q++) {
    similarities(queries, q, items, sims);
    const ranked = topIndices(sims, kMax);
    ks.forEach((k, i) => {
      weightedMean(ranked.slice(0, k), sims, warmEmbeddings, row);
      for (let c = 0; c < d; c++) outs[i][q * d + c] = row[c];
    });
  }
  return outs.map((data) => ({ rows: newVectors.rows, cols: d, data }));
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
