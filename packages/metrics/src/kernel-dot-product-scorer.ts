import { ShapeError } from "@llminit/core";
import type { Matrix } from "@llminit/core";
import { createKernels, paddedColumns } from "@llminit/kernels";
import type { KernelBuffer } from "@llminit/kernels";
import type { ScoreFunction } from "./dot-product-scorer.js";
import { transposeInto } from "./kernel-ranking.js";

/**
 * A score callback like {@link dotProductScorer} (`out[i · items + j] = user[users[i]] · item[j]`)
 * computed by the wasm SIMD `scoreTransposed` kernel of `@llminit/kernels` (the one
 * {@link createKernelRanking} uses, so both give the same scores): float32 sums over the
 * dimensions in order, so scores differ from the float64-accumulated plain-JS scorer in the last
 * bits; each score still depends only on its user and item, never on the chunk.
 *
 * The item matrix is copied into the kernels' memory once, here: later writes to `item` are
 * not seen (make a new scorer). User rows are read at call time.
 */
export function kernelDotProductScorer(user: Matrix, item: Matrix): ScoreFunction {
  if (user.cols !== item.cols) {
    throw new ShapeError(`kernelDotProductScorer: user matrix has ${user.cols} columns, item matrix has ${item.cols}`);
  }
  const dim = user.cols;
  const numItems = item.rows;
  const kernels = createKernels();
  const stride = paddedColumns(numItems); // aligned rows, as createKernelRanking (same scores)
  const items = kernels.f32(dim * stride);
  transposeInto(item.data, numItems, dim, items.array, stride);
  let capacity = 0;
  let block: KernelBuffer<Float32Array> | undefined;
  let scores: KernelBuffer<Float32Array> | undefined;

  return (users: Int32Array, out: Float32Array): void => {
    const count = users.length;
    if (out.length < count * numItems) {
      throw new ShapeError(`kernelDotProductScorer: output has ${out.length} values, need ${count} × ${numItems}`);
    }
    if (count > capacity || block === undefined || scores === undefined) {
      // Sized for the largest chunk seen (evaluation uses one chunk size throughout).
      capacity = count;
      block = kernels.f32(capacity * dim);
      scores = kernels.f32(capacity * stride);
    }
    const rows = block.array;
    for (let i = 0; i < count; i++) {
      const r = users[i];
      if (!(Number.isInteger(r) && r >= 0 && r < user.rows)) {
        throw new RangeError(`kernelDotProductScorer: user ${r} out of range [0, ${user.rows})`);
      }
      rows.set(user.data.subarray(r * dim, (r + 1) * dim), i * dim);
    }
    kernels.exports.scoreTransposed(block.ptr, items.ptr, scores.ptr, count, stride, dim);
    const all = scores.array;
    for (let i = 0; i < count; i++) out.set(all.subarray(i * stride, i * stride + numItems), i * numItems);
  };
}
