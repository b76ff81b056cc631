import { ShapeError, validateCsr } from "@llminit/core";
import type { Csr } from "@llminit/core";

/**
 * The symmetric normalised adjacency of the user–item bipartite graph,
 * `Â = D^-1/2 [[0, R], [Rᵀ, 0]] D^-1/2`, as CSR over `users + items` nodes: users are nodes
 * `0 … users-1`, item j is node `users + j`. Entry (u, users + i) = 1 / √(deg(u) · deg(i)).
 * Never dense: 2 × nnz(R) stored entries. Nodes without edges have empty rows.
 */
export interface NormalizedAdjacency {
  readonly users: number;
  readonly items: number;
  /** users + items. */
  readonly nodes: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

/** Builds Â from the train interactions (users × items CSR, implicit ones) in O(nnz). */
export function buildNormalizedAdjacency(train: Csr): NormalizedAdjacency {
  validateCsr(train, "train");
  const users = train.rows;
  const items = train.cols;
  const nodes = users + items;
  const nnz = train.indptr[users];
  const itemDegree = new Int32Array(items);
  for (let k = 0; k < nnz; k++) itemDegree[train.indices[k]]++;

  const indptr = new Int32Array(nodes + 1);
  for (let u = 0; u < users; u++) indptr[u + 1] = indptr[u] + (train.indptr[u + 1] - train.indptr[u]);
  for (let i = 0; i < items; i++) indptr[users + i + 1] = indptr[users + i] + itemDegree[i];
  const indices = new Int32Array(2 * nnz);
  const values = new Float32Array(2 * nnz);
  const cursor = indptr.slice(users, nodes); // write positions of item rows
  for (let u = 0; u < users; u++) {
    const start = train.indptr[u];
    const end = train.indptr[u + 1];
    const userDegree = end - start;
    for (let k = start; k < end; k++) {
      const i = train.indices[k];
      const w = 1 / Math.sqrt(userDegree * itemDegree[i]);
      const userSlot = indptr[u] + (k - start);
      indices[userSlot] = users + i;
      values[userSlot] = w;
      const itemSlot = cursor[i]++;
      indices[itemSlot] = u; // users visited in ascending order: item rows come out sorted
      values[itemSlot] = w;
    }
  }
  return { users, items, nodes, indptr, indices, values };
}

/**
 * `out[r] = (Â · x)[r]` for the rows r in `rows[0 … count)` (all rows when `rows` is null);
 * other rows of `out` are left untouched. Pull-based: each output row is accumulated in
 * registers (float64), eight columns at a time.
 */
function pullRows(
  adjacency: NormalizedAdjacency,
  x: Float32Array,
  dim: number,
  out: Float32Array,
  rows: Int32Array | null,
  count: number,
): void {
  const { indptr, indices, values } = adjacency;
  const blocked = dim - (dim % 8);
  for (let n = 0; n < count; n++) {
    const r = rows === null ? n : rows[n];
    const start = indptr[r];
    const end = indptr[r + 1];
    const base = r * dim;
    for (let c = 0; c < blocked; c += 8) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0; // prettier-ignore
      for (let k = start; k < end; k++) {
        const w = values[k];
        const s = indices[k] * dim + c;
        a0 += w * x[s];
        a1 += w * x[s + 1];
        a2 += w * x[s + 2];
        a3 += w * x[s + 3];
        a4 += w * x[s + 4];
        a5 += w * x[s + 5];
        a6 += w * x[s + 6];
        a7 += w * x[s + 7];
      }
      const o = base + c;
      out[o] = a0;
      out[o + 1] = a1;
      out[o + 2] = a2;
      out[o + 3] = a3;
      out[o + 4] = a4;
      out[o + 5] = a5;
      out[o + 6] = a6;
      out[o + 7] = a7;
    }
    for (let c = blocked; c < dim; c++) {
      let a = 0;
      for (let k = start; k < end; k++) a += values[k] * x[indices[k] * dim + c];
      out[base + c] = a;
    }
  }
}

/**
 * `out += Â · x` where x is zero outside the rows `rows[0 … count)`: scatters each of those
 * rows to its neighbours. Cost proportional to their degrees, not to the graph.
 */
function pushRows(
  adjacency: NormalizedAdjacency,
  x: Float32Array,
  dim: number,
  out: Float32Array,
  rows: Int32Array,
  count: number,
): void {
  const { indptr, indices, values } = adjacency;
  const blocked = dim - (dim % 8);
  for (let n = 0; n < count; n++) {
    const r = rows[n];
    const start = indptr[r];
    const end = indptr[r + 1];
    const base = r * dim;
    for (let c = 0; c < blocked; c += 8) {
      const s = base + c;
      // prettier-ignore
      const x0 = x[s], x1 = x[s + 1], x2 = x[s + 2], x3 = x[s + 3],
        x4 = x[s + 4], x5 = x[s + 5], x6 = x[s + 6], x7 = x[s + 7];
      for (let k = start; k < end; k++) {
        const w = values[k];
        const o = indices[k] * dim + c;
        out[o] += w * x0;
        out[o + 1] += w * x1;
        out[o + 2] += w * x2;
        out[o + 3] += w * x3;
        out[o + 4] += w * x4;
        out[o + 5] += w * x5;
        out[o + 6] += w * x6;
        out[o + 7] += w * x7;
      }
    }
    for (let c = blocked; c < dim; c++) {
      const v = x[base + c];
      for (let k = start; k < end; k++) out[indices[k] * dim + c] += values[k] * v;
    }
  }
}

/** A set of node ids as a list plus a membership mask. */
class RowSet {
  readonly mask: Uint8Array;
  readonly list: Int32Array;
  size = 0;
  constructor(nodes: number) {
    this.mask = new Uint8Array(nodes);
    this.list = new Int32Array(nodes);
  }
  add(r: number): void {
    if (this.mask[r] === 0) {
      this.mask[r] = 1;
      this.list[this.size++] = r;
    }
  }
  /** Adds the given rows and all their neighbours. */
  addClosed(adjacency: NormalizedAdjacency, from: RowSet): void {
    for (let n = 0; n < from.size; n++) {
      const r = from.list[n];
      this.add(r);
      for (let k = adjacency.indptr[r]; k < adjacency.indptr[r + 1]; k++) this.add(adjacency.indices[k]);
    }
  }
}

function checkRows(adjacency: NormalizedAdjacency, rows: ArrayLike<number>): void {
  for (let n = 0; n < rows.length; n++) {
    const r = rows[n];
    if (!Number.isInteger(r) || r < 0 || r >= adjacency.nodes)
      throw new RangeError(`row ${r} out of range [0, ${adjacency.nodes})`);
  }
}

function checkOut(out: Float32Array | undefined, length: number, what: string): Float32Array {
  if (out === undefined) return new Float32Array(length);
  if (out.length !== length) throw new ShapeError(`${what}: out has ${out.length} values, expected ${length}`);
  return out;
}

/** `out = Â · x` for a row-major `nodes × dim` matrix. `out` must not alias `x`. */
export function spmm(adjacency: NormalizedAdjacency, x: Float32Array, dim: number, out: Float32Array): void {
  const { nodes } = adjacency;
  if (x.length !== nodes * dim || out.length !== nodes * dim) {
    throw new ShapeError(`spmm: expected ${nodes} × ${dim} operands, got ${x.length} and ${out.length} values`);
  }
  pullRows(adjacency, x, dim, out, null, nodes);
}

function checkLayers(adjacency: NormalizedAdjacency, x: Float32Array, dim: number, layers: number, what: string): void {
  if (!Number.isInteger(layers) || layers < 0)
    throw new RangeError(`layers must be a non-negative integer, got ${layers}`);
  if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`dim must be a positive integer, got ${dim}`);
  const size = adjacency.nodes * dim;
  if (x.length !== size)
    throw new ShapeError(`${what}: expected ${adjacency.nodes} × ${dim} = ${size} values, got ${x.length}`);
}

/**
 * LightGCN's layer combination: `(x + Âx + Â²x + … + Âᴷx) / (K + 1)` for a `nodes × dim`
 * matrix; K = 0 returns a copy of x. Because Â is symmetric this linear map is its own
 * transpose, so it is also its backward pass (see {@link propagateMeanSparse}).
 *
 * With `rows`, returns only those rows, in that order (`rows.length × dim`; repeats allowed),
 * computing each layer only where the next one reads it: layer k at the distinct rows ∪
 * N(rows needed by layer k + 1). A BPR step needs only its batch's rows. `out` (optional,
 * `rows.length × dim`) receives that result.
 */
export function propagateMean(
  adjacency: NormalizedAdjacency,
  x: Float32Array,
  dim: number,
  layers: number,
  rows?: ArrayLike<number>,
  out?: Float32Array,
): Float32Array {
  checkLayers(adjacency, x, dim, layers, "propagateMean");
  const size = adjacency.nodes * dim;
  const scale = 1 / (layers + 1);
  if (rows === undefined) {
    if (out !== undefined) throw new RangeError("propagateMean: `out` is only supported with `rows`");
    if (layers === 0) return new Float32Array(x);
    const sum = new Float64Array(x);
    let current: Float32Array = x;
    for (let layer = 1; layer <= layers; layer++) {
      const next = new Float32Array(size);
      pullRows(adjacency, current, dim, next, null, adjacency.nodes);
      for (let k = 0; k < size; k++) sum[k] += next[k];
      current = next;
    }
    const all = new Float32Array(size);
    for (let k = 0; k < size; k++) all[k] = sum[k] * scale;
    return all;
  }

  checkRows(adjacency, rows);
  // needed[k]: rows where layer k must be known; needed[layers] = the distinct requested rows.
  const needed: RowSet[] = new Array<RowSet>(layers + 1);
  needed[layers] = new RowSet(adjacency.nodes);
  for (let n = 0; n < rows.length; n++) needed[layers].add(rows[n]);
  for (let layer = layers - 1; layer >= 1; layer--) {
    needed[layer] = new RowSet(adjacency.nodes);
    needed[layer].addClosed(adjacency, needed[layer + 1]);
  }
  const result = checkOut(out, rows.length * dim, "propagateMean");
  const sum = new Float64Array(rows.length * dim);
  for (let n = 0; n < rows.length; n++) {
    const base = rows[n] * dim;
    for (let c = 0; c < dim; c++) sum[n * dim + c] = x[base + c];
  }
  let current: Float32Array = x;
  for (let layer = 1; layer <= layers; layer++) {
    const next = new Float32Array(size);
    pullRows(adjacency, current, dim, next, needed[layer].list, needed[layer].size);
    for (let n = 0; n < rows.length; n++) {
      const base = rows[n] * dim;
      for (let c = 0; c < dim; c++) sum[n * dim + c] += next[base + c];
    }
    current = next;
  }
  for (let k = 0; k < result.length; k++) result[k] = sum[k] * scale;
  return result;
}

/**
 * The same map as {@link propagateMean} (all rows), computed by scattering from the non-zero
 * rows of `x`: for a gradient that is non-zero only on a batch's rows, each layer costs the
 * degrees of the rows reached so far instead of the whole graph. Pass `nonZeroRows` when
 * they are known (every other row of x MUST be zero); otherwise x is scanned for them.
 * `out` (optional, `nodes × dim`, may not alias x) receives the result.
 */
export function propagateMeanSparse(
  adjacency: NormalizedAdjacency,
  x: Float32Array,
  dim: number,
  layers: number,
  nonZeroRows?: ArrayLike<number>,
  out?: Float32Array,
): Float32Array {
  checkLayers(adjacency, x, dim, layers, "propagateMeanSparse");
  const size = adjacency.nodes * dim;
  // The map is linear: scale the input by 1 / (K + 1) once, then sum the layers.
  const scale = 1 / (layers + 1);
  const sum = out === undefined ? new Float32Array(size) : checkOut(out, size, "propagateMeanSparse").fill(0);
  let active = new RowSet(adjacency.nodes);
  if (nonZeroRows !== undefined) {
    checkRows(adjacency, nonZeroRows);
    for (let n = 0; n < nonZeroRows.length; n++) active.add(nonZeroRows[n]);
  } else {
    for (let r = 0; r < adjacency.nodes; r++) {
      const base = r * dim;
      for (let c = 0; c < dim; c++) {
        if (x[base + c] !== 0) {
          active.add(r);
          break;
        }
      }
    }
  }
  for (let n = 0; n < active.size; n++) {
    const base = active.list[n] * dim;
    for (let c = 0; c < dim; c++) sum[base + c] = x[base + c] * scale;
  }
  if (layers === 0) return sum;
  let current: Float32Array = sum.slice();
  for (let layer = 1; layer <= layers; layer++) {
    if (layer === layers) {
      pushRows(adjacency, current, dim, sum, active.list, active.size); // the last layer adds straight into the sum
      break;
    }
    const next = new Float32Array(size);
    pushRows(adjacency, current, dim, next, active.list, active.size);
    const reached = new RowSet(adjacency.nodes);
    for (let n = 0; n < active.size; n++) {
      const r = active.list[n];
      for (let k = adjacency.indptr[r]; k < adjacency.indptr[r + 1]; k++) reached.add(adjacency.indices[k]);
    }
    for (let n = 0; n < reached.size; n++) {
      const base = reached.list[n] * dim;
      for (let c = 0; c < dim; c++) sum[base + c] += next[base + c];
    }
    current = next;
    active = reached;
  }
  return sum;
}
