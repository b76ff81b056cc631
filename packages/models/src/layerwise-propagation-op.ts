import type { Tensor2D } from "@tensorflow/tfjs-core";
import { ShapeError } from "@llminit/core";
import type { Tf } from "./backend.js";
import { spmm } from "./adjacency.js";
import { fillTensor } from "./fill-tensor.js";
import { readValues } from "./read-values.js";
import type { NormalizedAdjacency } from "./adjacency.js";

/**
 * `mean(x, A₁x, A₂A₁x, …, A_K⋯A₁x)` on plain arrays (all rows), for per-layer graphs A_k
 * (each symmetric, same node count). Accumulates in float64.
 */
export function propagateMeanLayerwise(
  adjacencies: readonly NormalizedAdjacency[],
  x: Float32Array,
  dim: number,
): Float32Array {
  const layers = adjacencies.length;
  const sum = new Float64Array(x);
  let current: Float32Array = x;
  for (const adjacency of adjacencies) {
    const next = new Float32Array(x.length);
    spmm(adjacency, current, dim, next);
    for (let k = 0; k < sum.length; k++) sum[k] += next[k];
    current = next;
  }
  const out = new Float32Array(x.length);
  const scale = 1 / (layers + 1);
  for (let k = 0; k < out.length; k++) out[k] = sum[k] * scale;
  return out;
}

/**
 * Its transpose: `(g + A₁(g + A₂(g + … + A_K g))) / (K + 1)` by Horner's scheme, since each A_k
 * is symmetric and (A_k⋯A₁)ᵀ = A₁⋯A_k.
 */
export function propagateMeanLayerwiseTransposed(
  adjacencies: readonly NormalizedAdjacency[],
  g: Float32Array,
  dim: number,
): Float32Array {
  const layers = adjacencies.length;
  let h = new Float64Array(g);
  const buffer = new Float32Array(g.length);
  const product = new Float32Array(g.length);
  for (let layer = layers - 1; layer >= 0; layer--) {
    for (let k = 0; k < buffer.length; k++) buffer[k] = h[k];
    spmm(adjacencies[layer], buffer, dim, product);
    const next = new Float64Array(g.length);
    for (let k = 0; k < next.length; k++) next[k] = g[k] + product[k];
    h = next;
  }
  const out = new Float32Array(g.length);
  const scale = 1 / (layers + 1);
  for (let k = 0; k < out.length; k++) out[k] = h[k] * scale;
  return out;
}

/**
 * LightGCN propagation with a different graph per layer (SGL's random-walk views), as a
 * differentiable tfjs op: ego (`nodes × dim`) → `mean(E, A₁E, A₂A₁E, …)`, all rows or only
 * `rows` (in order, repeats allowed). Computes the whole graph each call (no row pruning):
 * the per-layer graphs break the self-transpose that {@link createPropagation} relies on, so
 * the backward pass is the reversed-order map {@link propagateMeanLayerwiseTransposed}.
 */
export function createLayerwisePropagation(
  tf: Tf,
  adjacencies: readonly NormalizedAdjacency[],
): (ego: Tensor2D, rows?: ArrayLike<number>) => Tensor2D {
  const nodes = adjacencies.length === 0 ? -1 : adjacencies[0].nodes;
  for (const a of adjacencies)
    if (a.nodes !== nodes) throw new ShapeError(`layerwise propagation: graphs of ${nodes} and ${a.nodes} nodes`);
  return (ego: Tensor2D, rows?: ArrayLike<number>) => {
    const [n, dim] = ego.shape;
    if (nodes !== -1 && n !== nodes)
      throw new ShapeError(`layerwise propagation: input has ${n} rows, the graphs have ${nodes} nodes`);
    if (rows !== undefined) {
      for (let k = 0; k < rows.length; k++)
        if (!(rows[k] >= 0 && rows[k] < n)) throw new RangeError(`row ${rows[k]} out of range [0, ${n})`);
    }
    const op = tf.customGrad((x) => {
      const all = propagateMeanLayerwise(
        adjacencies,
        new Float32Array(readValues(tf, x as Tensor2D) as Float32Array),
        dim,
      );
      // fillTensor writes into the wasm heap; tf.tensor2d from a JS array is far slower there.
      const value =
        rows === undefined
          ? fillTensor<Tensor2D>(tf, [n, dim], (out) => out.set(all))
          : fillTensor<Tensor2D>(tf, [rows.length, dim], (out) => {
              for (let r = 0; r < rows.length; r++) out.set(all.subarray(rows[r] * dim, (rows[r] + 1) * dim), r * dim);
            });
      const gradFunc = (dy: Tensor2D) => {
        const upstream = readValues(tf, dy) as Float32Array;
        let scattered: Float32Array;
        if (rows === undefined) {
          scattered = new Float32Array(upstream);
        } else {
          scattered = new Float32Array(n * dim);
          for (let r = 0; r < rows.length; r++) {
            const from = r * dim;
            const to = rows[r] * dim;
            for (let c = 0; c < dim; c++) scattered[to + c] += upstream[from + c];
          }
        }
        const gradient = propagateMeanLayerwiseTransposed(adjacencies, scattered, dim);
        return fillTensor<Tensor2D>(tf, [n, dim], (out) => out.set(gradient));
      };
      return { value, gradFunc };
    });
    return op(ego) as Tensor2D;
  };
}
