import type { Tensor, Tensor1D, Tensor2D } from "@tensorflow/tfjs-core";
import { ShapeError } from "@llminit/core";
import type { Tf } from "./backend.js";
import { fillTensor } from "./fill-tensor.js";
import { readValues } from "./read-values.js";

/**
 * `table[indices]` (rows, repeats allowed) as a differentiable op computed in JS; its gradient
 * scatter-adds the upstream rows into a `rows × dim` zero table. Same values as `tf.gather`,
 * whose wasm kernel is slow (~20 ms for 6k rows of 128 on this machine's class of CPU).
 */
export function gatherRows(tf: Tf, table: Tensor2D, indices: Int32Array): Tensor2D {
  const [rows, dim] = table.shape;
  for (let n = 0; n < indices.length; n++) {
    const r = indices[n];
    if (!(r >= 0 && r < rows))
      throw new RangeError(`gatherRows: index ${r} at position ${n} out of range [0, ${rows})`);
  }
  const op = tf.customGrad((x) => {
    const value = fillTensor<Tensor2D>(tf, [indices.length, dim], (out) => {
      const values = readValues(tf, x as Tensor2D) as Float32Array;
      for (let n = 0; n < indices.length; n++)
        out.set(values.subarray(indices[n] * dim, (indices[n] + 1) * dim), n * dim);
    });
    const gradFunc = (dy: Tensor2D) =>
      fillTensor<Tensor2D>(tf, [rows, dim], (grad) => {
        const upstream = readValues(tf, dy) as Float32Array;
        for (let n = 0; n < indices.length; n++) {
          const from = n * dim;
          const to = indices[n] * dim;
          for (let c = 0; c < dim; c++) grad[to + c] += upstream[from + c];
        }
      });
    return { value, gradFunc };
  });
  return op(table) as Tensor2D;
}

/**
 * For triples stacked as `[users; positives; negatives]` (a `3B × dim` tensor), the score
 * margins `⟨u_b, j_b⟩ − ⟨u_b, i_b⟩` (length B), computed in JS with float64 accumulation, with
 * the exact gradient: ∂/∂u = g·(j − i), ∂/∂i = −g·u, ∂/∂j = g·u.
 */
export function scoreMargins(tf: Tf, triples: Tensor2D): Tensor1D {
  const [rows, dim] = triples.shape;
  if (rows % 3 !== 0) throw new ShapeError(`scoreMargins: expected 3B stacked rows, got ${rows}`);
  const batch = rows / 3;
  const op = tf.customGrad((x, save) => {
    (save as (tensors: Tensor2D[]) => void)([x as Tensor2D]);
    const value = fillTensor<Tensor1D>(tf, [batch], (margins) => {
      const v = readValues(tf, x as Tensor2D) as Float32Array;
      for (let b = 0; b < batch; b++) {
        const u = b * dim;
        const i = (batch + b) * dim;
        const j = (2 * batch + b) * dim;
        let s = 0;
        for (let c = 0; c < dim; c++) s += v[u + c] * (v[j + c] - v[i + c]);
        margins[b] = s;
      }
    });
    const gradFunc = (dy: Tensor1D, saved: Tensor[]) =>
      fillTensor<Tensor2D>(tf, [rows, dim], (grad) => {
        const g = readValues(tf, dy) as Float32Array;
        const w = readValues(tf, saved[0]) as Float32Array;
        for (let b = 0; b < batch; b++) {
          const gb = g[b];
          const u = b * dim;
          const i = (batch + b) * dim;
          const j = (2 * batch + b) * dim;
          for (let c = 0; c < dim; c++) {
            grad[u + c] = gb * (w[j + c] - w[i + c]);
            grad[i + c] = -gb * w[u + c];
            grad[j + c] = gb * w[u + c];
          }
        }
      });
    return { value, gradFunc };
  });
  return op(triples) as Tensor1D;
}
