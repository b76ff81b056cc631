import type { Tensor2D } from "@tensorflow/tfjs-core";
import { ShapeError } from "@llminit/core";
import type { Tf } from "./backend.js";
import { propagateMean, propagateMeanSparse } from "./adjacency.js";
import { fillTensor } from "./fill-tensor.js";
import { readValues } from "./read-values.js";
import type { NormalizedAdjacency } from "./adjacency.js";

/**
 * LightGCN propagation as a differentiable tfjs op: maps the ego embeddings (`nodes × dim`,
 * users first) to the final embeddings `mean(E, ÂE, …, ÂᴷE)`. The sparse × dense products run
 * in JS on the adjacency's typed arrays (tf.sparse ops have no gradient); the backward pass is
 * the same propagation applied to the upstream gradient, since Â is symmetric.
 *
 * With `rows`, the op returns only those final rows (`rows.length × dim`, in order, repeats
 * allowed), like `gather(propagate(ego), rows)` but computing only what they depend on, and
 * its backward pass scatters from those rows only. Without, it returns all `nodes` rows.
 */
export function createPropagation(
  tf: Tf,
  adjacency: NormalizedAdjacency,
  layers: number,
): (ego: Tensor2D, rows?: ArrayLike<number>) => Tensor2D {
  return (ego: Tensor2D, rows?: ArrayLike<number>) => {
    if (ego.shape[0] !== adjacency.nodes) {
      throw new ShapeError(`propagation: input has ${ego.shape[0]} rows, the graph has ${adjacency.nodes} nodes`);
    }
    const [nodes, dim] = ego.shape;
    const op = tf.customGrad((x) => {
      const value =
        rows === undefined
          ? tf.tensor2d(
              propagateMean(adjacency, readValues(tf, x as Tensor2D) as Float32Array, dim, layers),
              [nodes, dim],
              "float32",
            )
          : fillTensor<Tensor2D>(tf, [rows.length, dim], (out) => {
              propagateMean(adjacency, readValues(tf, x as Tensor2D) as Float32Array, dim, layers, rows, out);
            });
      const gradFunc = (dy: Tensor2D) =>
        fillTensor<Tensor2D>(tf, [nodes, dim], (out) => {
          const upstream = readValues(tf, dy) as Float32Array;
          if (rows === undefined) {
            propagateMeanSparse(adjacency, upstream, dim, layers, undefined, out);
            return;
          }
          const scattered = new Float32Array(nodes * dim);
          for (let n = 0; n < rows.length; n++) {
            const from = n * dim;
            const to = rows[n] * dim;
            for (let c = 0; c < dim; c++) scattered[to + c] += upstream[from + c];
          }
          propagateMeanSparse(adjacency, scattered, dim, layers, rows, out);
        });
      return { value, gradFunc };
    });
    return op(ego) as Tensor2D;
  };
}
