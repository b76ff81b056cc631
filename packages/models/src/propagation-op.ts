import type { Tensor2D } from "@tensorflow/tfjs-core";
import { ShapeError } from "@llminit/core";
import type { Tf } from "./backend.js";
import { propagateMean, propagateMeanSparse } from "./adjacency.js";
import { readValues } from "./read-values.js";
import type { NormalizedAdjacency } from "./adjacency.js";

/**
 * LightGCN propagation as a differentiable tfjs op: maps the ego embeddings (`nodes × dim`,
 * users first) to the final embeddings `mean(E, ÂE, …, ÂᴷE)`. The sparse × dense products run
 * in JS on the adjacency's typed arrays (tf.sparse ops have no gradient); the backward pass is
 * the same propagation applied to the upstream gradient, since Â is symmetric, scattered from
 * the gradient's non-zero rows.
 *
 * With `rows`, only those rows of the output are computed and the others are ZERO: pass the
 * rows the loss reads (a batch's users and items) and nothing else; the gradient is then exact.
 */
export function createPropagation(tf: Tf, adjacency: NormalizedAdjacency, layers: number): (ego: Tensor2D, rows?: ArrayLike<number>) => Tensor2D {
  const check = (x: Tensor2D): void => {
    if (x.shape[0] !== adjacency.nodes) {
      throw new ShapeError(`propagation: input has ${x.shape[0]} rows, the graph has ${adjacency.nodes} nodes`);
    }
  };
  return (ego: Tensor2D, rows?: ArrayLike<number>) => {
    const op = tf.customGrad((x) => {
      const input = x as Tensor2D;
      check(input);
      const [nodes, dim] = input.shape;
      const value = tf.tensor2d(propagateMean(adjacency, readValues(tf, input) as Float32Array, dim, layers, rows), [nodes, dim], "float32");
      const gradFunc = (dy: Tensor2D) =>
        tf.tensor2d(propagateMeanSparse(adjacency, readValues(tf, dy) as Float32Array, dim, layers, rows), [nodes, dim], "float32");
      return { value, gradFunc };
    });
    return op(ego) as Tensor2D;
  };
}
