import { ConfigError, type Csr, type Logger, type Rng } from "@llminit/core";

export interface SparsifyOptions {
  /** Keep at most this many training interactions per user. */
  keep?: number;
  /** Keep this share of each user's training interactions (rounded, at least one). */
  ratio?: number;
  /** Seeded generator; draws from `rng.child("sparsify")`. */
  rng: Rng;
  logger?: Logger;
}

/**
 * The cold-start setting of the paper: a users × items training CSR thinned per user to at most
 * `keep` interactions, or to `ratio` of them (⌈ratio · n⌉ kept, at least 1), chosen uniformly at
 * random without replacement. Validation and test are not touched. Returns a new CSR with sorted rows.
 */
export function sparsifyTrain(train: Csr, options: SparsifyOptions): Csr {
  const { keep, ratio } = options;
  if ((keep === undefined) === (ratio === undefined))
    throw new ConfigError("sparseKeep", "give exactly one of sparseKeep and sparseRatio");
  if (keep !== undefined && (!Number.isInteger(keep) || keep < 1))
    throw new ConfigError("sparseKeep", `must be a positive integer, got ${keep}`);
  if (ratio !== undefined && !(ratio > 0 && ratio <= 1))
    throw new ConfigError("sparseRatio", `must be in (0, 1], got ${ratio}`);
  const rng = options.rng.child("sparsify");
  const indptr = new Int32Array(train.rows + 1);
  const kept: number[] = [];
  let scratch = new Int32Array(16);
  for (let u = 0; u < train.rows; u++) {
    const start = train.indptr[u];
    const n = train.indptr[u + 1] - start;
    const target = keep !== undefined ? Math.min(keep, n) : Math.min(n, Math.max(1, Math.ceil(ratio! * n)));
    if (scratch.length < n) scratch = new Int32Array(n);
    const row = scratch.subarray(0, n);
    row.set(train.indices.subarray(start, start + n));
    // Partial Fisher–Yates: the first `target` slots are a uniform sample without replacement.
    for (let j = 0; j < target; j++) {
      const k = j + rng.int(n - j);
      const tmp = row[j];
      row[j] = row[k];
      row[k] = tmp;
    }
    const chosen = Array.from(row.subarray(0, target)).sort((a, b) => a - b);
    for (const item of chosen) kept.push(item);
    indptr[u + 1] = kept.length;
  }
  const dropped = train.indptr[train.rows] - kept.length;
  options.logger?.log("info", "sparse setting: thinned training interactions", {
    keep,
    ratio,
    kept: kept.length,
    dropped,
  });
  return { rows: train.rows, cols: train.cols, indptr, indices: Int32Array.from(kept) };
}
