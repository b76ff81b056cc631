import { ConfigError, ShapeError, type Matrix, type Rng } from "@llminit/core";

/** How LLMInit picks d of the encoder's D dimensions. */
export type SelectionStrategy = "rand" | "uni" | "var";

export const SELECTION_STRATEGIES: readonly SelectionStrategy[] = ["rand", "uni", "var"];

export interface SelectColumnsOptions {
  /** Needed by `rand`. Derive a child for this consumer, e.g. `rng.child("selection")`. */
  rng?: Rng;
  /** Training degree of each item (length = embeddings.rows). Needed by `var`. */
  itemDegrees?: ArrayLike<number>;
  /** `var`: share of most popular items whose column variance is measured. Default 0.2 (the paper). */
  popularRatio?: number;
  /**
   * `rand`: draw with replacement, as the official code's `np.random.randint` does; duplicate
   * columns are then possible and the draw order is kept. Default false: d distinct columns,
   * ascending.
   */
  withReplacement?: boolean;
}

/**
 * Chooses d column indices of an [items × D] embedding matrix.
 *
 * - `rand`: uniformly random columns (distinct and ascending unless `withReplacement`).
 * - `uni`: evenly spaced, step ⌊D/d⌋, the first d: 0, step, 2·step, …
 * - `var`: the d columns of highest variance (population variance, as `np.var`) over the top
 *   `popularRatio` items by training degree (ties: lower item index first), returned ascending;
 *   equal variances prefer the lower column.
 */
export function selectColumns(
  strategy: SelectionStrategy,
  embeddings: Matrix,
  d: number,
  options: SelectColumnsOptions = {},
): Int32Array {
  const D = embeddings.cols;
  if (embeddings.rows === 0 || D === 0)
    throw new ShapeError(`cannot select columns of an empty ${embeddings.rows} × ${D} embedding matrix`);
  if (!Number.isInteger(d) || d <= 0) throw new ConfigError("dim", `must be a positive integer, got ${d}`);
  if (d > D && !(strategy === "rand" && options.withReplacement)) {
    throw new ConfigError("dim", `cannot select ${d} of the encoder's ${D} dimensions (d must be ≤ D)`);
  }
  switch (strategy) {
    case "rand":
      return selectRandom(D, d, options);
    case "uni":
      return selectUniform(D, d);
    case "var":
      return selectByVariance(embeddings, d, options);
    default:
      throw new ConfigError(
        "init",
        `unknown selection strategy "${String(strategy)}" (expected one of ${SELECTION_STRATEGIES.join(", ")})`,
      );
  }
}

function selectRandom(D: number, d: number, options: SelectColumnsOptions): Int32Array {
  const rng = options.rng;
  if (rng === undefined) throw new ConfigError("rng", "the rand strategy needs a seeded Rng");
  const out = new Int32Array(d);
  if (options.withReplacement) {
    for (let j = 0; j < d; j++) out[j] = rng.int(D);
    return out;
  }
  // Partial Fisher–Yates: the first d slots of a random permutation of 0 … D−1.
  const pool = Int32Array.from({ length: D }, (_, i) => i);
  for (let j = 0; j < d; j++) {
    const k = j + rng.int(D - j);
    const tmp = pool[j];
    pool[j] = pool[k];
    pool[k] = tmp;
  }
  out.set(pool.subarray(0, d));
  return out.sort();
}

function selectUniform(D: number, d: number): Int32Array {
  const step = Math.floor(D / d);
  return Int32Array.from({ length: d }, (_, j) => j * step);
}

function selectByVariance(embeddings: Matrix, d: number, options: SelectColumnsOptions): Int32Array {
  const { rows, cols, data } = embeddings;
  const degrees = options.itemDegrees;
  if (degrees === undefined) throw new ConfigError("itemDegrees", "the var strategy needs the items' training degrees");
  if (degrees.length !== rows) {
    throw new ShapeError(`itemDegrees has ${degrees.length} entries but the embedding matrix has ${rows} items`);
  }
  const ratio = options.popularRatio ?? 0.2;
  if (!(ratio > 0 && ratio <= 1)) throw new ConfigError("popularRatio", `must be in (0, 1], got ${ratio}`);

  const popular = mostPopular(degrees, Math.max(1, Math.floor(ratio * rows)));
  // Two-pass variance per column in float64 over the popular rows.
  const mean = new Float64Array(cols);
  for (const item of popular) {
    const base = item * cols;
    for (let c = 0; c < cols; c++) mean[c] += data[base + c];
  }
  for (let c = 0; c < cols; c++) mean[c] /= popular.length;
  const variance = new Float64Array(cols);
  for (const item of popular) {
    const base = item * cols;
    for (let c = 0; c < cols; c++) {
      const delta = data[base + c] - mean[c];
      variance[c] += delta * delta;
    }
  }
  const order = Array.from({ length: cols }, (_, c) => c);
  order.sort((a, b) => variance[b] - variance[a] || a - b);
  return Int32Array.from(order.slice(0, d)).sort();
}

/** The `count` items of highest degree; equal degrees prefer the lower index. */
export function mostPopular(degrees: ArrayLike<number>, count: number): Int32Array {
  const order = Array.from({ length: degrees.length }, (_, i) => i);
  order.sort((a, b) => degrees[b] - degrees[a] || a - b);
  return Int32Array.from(order.slice(0, count));
}
