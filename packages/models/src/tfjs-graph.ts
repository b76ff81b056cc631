import type { Tensor, Tensor1D, Tensor2D } from "@tensorflow/tfjs-core";
import type { Tf } from "./backend.js";
import type { NormalizedAdjacency } from "./adjacency.js";

/**
 * How graph products and row gathers run as tfjs ops:
 * - `"segments"`: `tf.sparse.sparseSegmentSum` (wasm, cpu, webgl, webgpu have it): `Â x =
 *   D^-1/2 · S(D^-1/2 x)` with S the unweighted sum over each node's neighbours, whose transpose
 *   is itself (Â is symmetric); gathers are segment sums of one row each, whose gradient is
 *   `tf.unsortedSegmentSum` (on wasm and cpu the O(n) kernel `registerFastSegmentSum` adds).
 * - `"gather"`: `tf.gather` + `tf.unsortedSegmentSum` with the edge weights (tfjs-node and
 *   tfjs-node-gpu have no SparseSegmentSum kernel; their native ops keep everything on the device).
 */
export type SparseOps = "segments" | "gather";

/** "segments" where the active backend has a SparseSegmentSum kernel, else "gather". */
export function sparseOpsFor(tf: Tf): SparseOps {
  return tf.getKernel("SparseSegmentSum", tf.getBackend()) === undefined ? "gather" : "segments";
}

/**
 * A differentiable op `x → forward(x)` with the given backward pass. `tensors` are what the
 * backward pass reads besides dy: they are saved with the op (a tensor only captured by the
 * closure would be disposed when the forward pass's scope ends).
 */
function customGrad(
  tf: Tf,
  tensors: Tensor[],
  forward: (x: Tensor2D) => Tensor2D,
  backward: (dy: Tensor2D, saved: Tensor[]) => Tensor2D,
) {
  return tf.customGrad((x, save) => {
    (save as (t: Tensor[]) => void)(tensors);
    const gradFunc = (dy: Tensor, saved: Tensor[]) => backward(dy as Tensor2D, saved);
    return { value: forward(x as Tensor2D), gradFunc };
  });
}

/**
 * Rows `rows` of `x` (repeats allowed) as a differentiable op that stays on the backend: a
 * segment sum of one row per output with "segments", `tf.gather` otherwise; either way the
 * gradient scatter-adds with `tf.unsortedSegmentSum`.
 */
export function takeRows(tf: Tf, x: Tensor2D, rows: Int32Array, ops: SparseOps): Tensor2D {
  const [count, dim] = [rows.length, x.shape[1]];
  for (let n = 0; n < count; n++)
    if (!(rows[n] >= 0 && rows[n] < x.shape[0]))
      throw new RangeError(`rows: index ${rows[n]} at position ${n} out of range [0, ${x.shape[0]})`);
  if (count === 0) return tf.slice(x, [0, 0], [0, dim]);
  const indices = tf.tensor1d(rows, "int32");
  if (ops === "gather") return tf.gather(x, indices);
  const segments = tf.range(0, count, 1, "int32") as Tensor1D;
  const op = customGrad(
    tf,
    [indices],
    (t) => tf.sparse.sparseSegmentSum(t, indices, segments) as Tensor2D,
    (dy, [saved]) => tf.unsortedSegmentSum(dy, saved as Tensor1D, x.shape[0]),
  );
  return op(x) as Tensor2D;
}

/** One adjacency as tensors: see {@link SparseOps}. */
export interface TfjsAdjacency {
  readonly nodes: number;
  /** "segments": x → D^-1/2 S(D^-1/2 x); "gather": x → Σ_k w_k x[col_k] into row_k. */
  product(x: Tensor2D): Tensor2D;
  dispose(): void;
}

/**
 * `adjacency` (Â = D^-1/2 A D^-1/2 of a 0/1 symmetric A, as `buildNormalizedAdjacency` makes)
 * as tensors kept out of any `tf.tidy`, for products on the backend. "segments" is used only
 * where the stored weights are `d_r^-1/2 d_c^-1/2` (else "gather", which takes any weights).
 */
export function createTfjsAdjacency(tf: Tf, adjacency: NormalizedAdjacency, ops: SparseOps): TfjsAdjacency {
  const { nodes, indptr, indices, values } = adjacency;
  const entries = indptr[nodes];
  const rowOf = new Int32Array(entries);
  for (let r = 0; r < nodes; r++) rowOf.fill(r, indptr[r], indptr[r + 1]);
  const scale = new Float32Array(nodes);
  for (let r = 0; r < nodes; r++) scale[r] = indptr[r + 1] > indptr[r] ? 1 / Math.sqrt(indptr[r + 1] - indptr[r]) : 0;
  let unweighted = ops === "segments";
  for (let k = 0; k < entries && unweighted; k++) {
    const w = scale[rowOf[k]] * scale[indices[k]];
    unweighted = Math.abs(values[k] - w) <= 1e-6 * w;
  }
  if (!unweighted) {
    const cols = tf.keep(tf.tensor1d(indices.slice(0, entries), "int32"));
    const rows = tf.keep(tf.tensor1d(rowOf, "int32"));
    const weights = tf.keep(tf.tensor2d(values.slice(0, entries), [entries, 1], "float32"));
    return {
      nodes,
      product: (x) => tf.unsortedSegmentSum(tf.mul(tf.gather(x, cols), weights), rows, nodes) as Tensor2D,
      dispose: () => tf.dispose([cols, rows, weights]),
    };
  }
  // sparseSegmentSum makes as many rows as the last segment id + 1: a trailing node without
  // edges gets a self-loop, which its zero scale cancels (and which keeps S symmetric).
  const sentinel = entries === 0 || rowOf[entries - 1] !== nodes - 1;
  const segmentIds = tf.keep(tf.tensor1d(sentinel ? [...rowOf, nodes - 1] : rowOf, "int32"));
  const neighbours = tf.keep(
    tf.tensor1d(sentinel ? [...indices.subarray(0, entries), nodes - 1] : indices.slice(0, entries), "int32"),
  );
  const dInverse = tf.keep(tf.tensor2d(scale, [nodes, 1], "float32"));
  const sum = (t: Tensor2D) => tf.sparse.sparseSegmentSum(t, neighbours, segmentIds) as Tensor2D;
  const symmetric = customGrad(tf, [], sum, sum);
  return {
    nodes,
    product: (x) => tf.mul(symmetric(tf.mul(x, dInverse)) as Tensor2D, dInverse) as Tensor2D,
    dispose: () => tf.dispose([segmentIds, neighbours, dInverse]),
  };
}
