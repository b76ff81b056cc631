import { ShapeError } from "@llminit/core";
import type { Csr, Matrix } from "@llminit/core";
import { createKernels, paddedColumns } from "@llminit/kernels";
import type { KernelBuffer } from "@llminit/kernels";
import type { RankFunction } from "./evaluate-full-ranking.js";

/** Options of {@link createKernelRanking}. */
export interface KernelRankingOptions {
  /** Threads for scoring and top-K (this one plus workers; "auto" = every core); default 1. */
  threads?: number | "auto";
}

/**
 * Full ranking on the wasm SIMD kernels, for {@link evaluateFullRanking}'s `rank` option: per
 * chunk of users, scores `user · itemᵀ` (`scoreTransposed`, against the item matrix stored
 * transposed), sets the excluded items to −∞, and keeps the top K (`topKRows`), both split over
 * the threads. Each score is a float32 sum over the dimensions in order, so a user's ranking
 * never depends on the chunk. Holds its worker threads and buffers across
 * evaluations (a training run validates every epoch): `dispose()` it at the end.
 */
export interface KernelRanking {
  /** A rank function over these embeddings (users × d, items × d); the item matrix is copied now. */
  ranker(user: Matrix, item: Matrix): RankFunction;
  readonly threads: number;
  dispose(): void;
}

/**
 * `out[q·stride + j] = data[j·cols + q]`: a rows × cols matrix stored cols × rows, each stored
 * row `stride` ≥ rows floats long; the padding is zeroed.
 */
export function transposeInto(data: Float32Array, rows: number, cols: number, out: Float32Array, stride = rows): void {
  out.fill(0, 0, cols * stride);
  for (let j = 0; j < rows; j++) {
    const base = j * cols;
    for (let q = 0; q < cols; q++) out[q * stride + j] = data[base + q];
  }
}

export function createKernelRanking(options: KernelRankingOptions = {}): KernelRanking {
  const kernels = createKernels({ threads: options.threads ?? 1 });
  let items: KernelBuffer<Float32Array> | undefined;
  let block: KernelBuffer<Float32Array> | undefined;
  let scores: KernelBuffer<Float32Array> | undefined;
  let topItems: KernelBuffer<Int32Array> | undefined;
  let topCounts: KernelBuffer<Int32Array> | undefined;
  // Buffers only grow (the memory cannot shrink): reuse them while they are big enough.
  const atLeast = <T extends Float32Array | Int32Array>(
    current: KernelBuffer<T> | undefined,
    length: number,
    make: (n: number) => KernelBuffer<T>,
  ) => (current !== undefined && current.length >= length ? current : make(length));

  return {
    threads: kernels.threads,
    dispose: () => kernels.dispose(),
    ranker(user: Matrix, item: Matrix): RankFunction {
      if (user.cols !== item.cols)
        throw new ShapeError(`kernel ranking: user matrix has ${user.cols} columns, item matrix has ${item.cols}`);
      const dim = user.cols;
      const numItems = item.rows;
      // Rows of itemᵀ and of the scores padded to a multiple of 16 floats (aligned vector loads);
      // the padding columns are scored but never read by the top-K kernel.
      const stride = paddedColumns(numItems);
      items = atLeast(items, dim * stride, kernels.f32);
      const itemBuffer = items;
      transposeInto(item.data, numItems, dim, itemBuffer.array, stride);

      return (
        users: Int32Array,
        k: number,
        exclude: readonly Csr[],
        outItems: Int32Array,
        outCounts: Int32Array,
      ): void => {
        const count = users.length;
        if (outItems.length < count * k || outCounts.length < count)
          throw new ShapeError(`kernel ranking: outputs too small for ${count} users × ${k}`);
        block = atLeast(block, count * dim, kernels.f32);
        scores = atLeast(scores, count * stride, kernels.f32);
        topItems = atLeast(topItems, count * k, kernels.i32);
        topCounts = atLeast(topCounts, count, kernels.i32);
        const rows = block.array;
        for (let i = 0; i < count; i++) {
          const u = users[i];
          if (!(Number.isInteger(u) && u >= 0 && u < user.rows))
            throw new RangeError(`kernel ranking: user ${u} out of range [0, ${user.rows})`);
          rows.set(user.data.subarray(u * dim, (u + 1) * dim), i * dim);
        }
        kernels.parallel.scoreTransposed(block.ptr, itemBuffer.ptr, scores.ptr, count, stride, dim);
        const s = scores.array;
        for (const csr of exclude) {
          for (let i = 0; i < count; i++) {
            const u = users[i];
            const base = i * stride;
            for (let p = csr.indptr[u]; p < csr.indptr[u + 1]; p++) s[base + csr.indices[p]] = -Infinity;
          }
        }
        const nans = kernels.parallel.topKRows(scores.ptr, count, numItems, stride, k, topItems.ptr, topCounts.ptr);
        if (nans > 0) {
          for (let i = 0; i < count; i++) {
            for (let j = 0; j < numItems; j++) {
              if (Number.isNaN(s[i * stride + j]))
                throw new RangeError(
                  `kernel ranking: user ${users[i]}: score of item ${j} is NaN (diverged embeddings?)`,
                );
            }
          }
        }
        outItems.set(topItems.array.subarray(0, count * k));
        outCounts.set(topCounts.array.subarray(0, count));
      };
    },
  };
}
