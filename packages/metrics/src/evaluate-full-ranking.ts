import { ConfigError, LlminitError, silentProgress, validateCsr } from "@llminit/core";
import type { Csr, ProgressReporter } from "@llminit/core";
import { ACCURACY_METRICS, resolveMetrics } from "./metric-registry.js";
import { metricKey } from "./rank-metrics.js";
import type {
  CatalogueAccumulator,
  MetricContext,
  RankingMetric,
  UserAccumulator,
  UserRanking,
} from "./ranking-metric.js";
import { createTopKWorkspace, selectTopK } from "./top-k.js";

/** A range of user training degrees, both ends inclusive; `max` may be `Infinity`. */
export interface DegreeBucket {
  label: string;
  min: number;
  max: number;
}

/** Default cold-start breakdown by training degree: ≤3, 4–7, 8–15, >15. */
export const DEFAULT_DEGREE_BUCKETS: readonly DegreeBucket[] = Object.freeze([
  Object.freeze({ label: "<=3", min: 0, max: 3 }),
  Object.freeze({ label: "4-7", min: 4, max: 7 }),
  Object.freeze({ label: "8-15", min: 8, max: 15 }),
  Object.freeze({ label: ">15", min: 16, max: Infinity }),
]);

/**
 * Writes the top `k` items of each of `users` (best first; higher score, then lower item index)
 * to `items[i·k …]` and how many it wrote to `counts[i]`, never ranking an item of an `exclude`
 * row of that user. Throws RangeError on a NaN score, naming the user. May be async.
 */
export type RankFunction = (
  users: Int32Array,
  k: number,
  exclude: readonly Csr[],
  items: Int32Array,
  counts: Int32Array,
) => void | Promise<void>;

/** Label of the extra group holding users whose degree falls in no configured bucket. */
export const UNBUCKETED_LABEL = "other";

export interface EvaluateOptions {
  numUsers: number;
  numItems: number;
  /**
   * Fills `out[i * numItems + j]` with the score of user `users[i]` for item `j`. `out` has
   * exactly `users.length * numItems` entries and is pre-filled with NaN; an entry left NaN
   * (or set to NaN) makes the evaluation throw. May be async.
   */
  score?(users: Int32Array, out: Float32Array): void | Promise<void>;
  /**
   * Instead of `score`: ranks the users itself (e.g. {@link KernelRanking}'s fused scores +
   * top-K kernels). Exactly one of `score` and `rank` must be given.
   */
  rank?: RankFunction;
  /** users × items: the relevant (held-out) items. */
  truth: Csr;
  /** users × items matrices of items never to rank (train; train and valid at test time). */
  exclude?: readonly Csr[];
  /**
   * Registered metric names (see `METRICS`) or metric objects; default: the six accuracy metrics
   * ({@link ACCURACY_METRICS}). Duplicates are dropped; results follow the registry's order.
   */
  metrics?: ReadonlyArray<string | RankingMetric>;
  /** Cut-offs; default [10, 20, 50]. Deduplicated and sorted ascending. */
  ks?: readonly number[];
  /** Users per scoring call; default 256. Memory is chunkSize × numItems floats. */
  chunkSize?: number;
  /** Per-user training degree, enables `byDegree`. */
  userDegrees?: Int32Array;
  /** Degree buckets for `byDegree`; default {@link DEFAULT_DEGREE_BUCKETS}. Must not overlap. */
  buckets?: readonly DegreeBucket[];
  /** Per-item training degree; required by the metrics that need it (novelty, popularity). */
  itemPopularity?: Int32Array;
  /** Also return every evaluated user's values of the per-user metrics (`result.perUser`). */
  perUser?: boolean;
  progress?: ProgressReporter;
  signal?: AbortSignal;
}

/** Metrics averaged over the evaluated users of one degree bucket. */
export interface MetricGroup {
  bucket: string;
  users: number;
  /** Same keys as {@link EvaluationResult.metrics}; NaN when the bucket has no users. */
  metrics: Record<string, number>;
}

export interface EvaluationResult {
  /** Means over evaluated users, keys like "recall@10", "ndcg@20", "mrr@50". */
  metrics: Record<string, number>;
  /** Users evaluated (with ≥ 1 truth item). */
  users: number;
  /** Users with no truth item: not scored, not averaged. */
  skippedUsers: number;
  /**
   * Truth entries that were also excluded (masked): they can never be hit but still count in
   * |truth| (as in RecBole). 0 for a clean split.
   */
  maskedTruthItems: number;
  /**
   * One group per bucket, in bucket order (plus "other" when some users fit no bucket); empty
   * without userDegrees. Per-user metrics only (no catalogue metric such as coverage).
   */
  byDegree: MetricGroup[];
  /** With `perUser: true`: each evaluated user's values. */
  perUser?: PerUserMetrics;
}

/** The per-user metrics of every evaluated user: a users × columns table. */
export interface PerUserMetrics {
  /** Row indices of the evaluated users, ascending. */
  users: Int32Array;
  /** Result keys of the columns ("recall@10", …): the per-user metrics in result order. */
  columns: string[];
  /** Row-major `users.length × columns.length`; NaN where a metric is undefined for a user. */
  values: Float64Array;
}

function checkPositiveInteger(key: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(key, `must be a positive integer, got ${value}`);
}

function checkCsr(key: string, csr: Csr, numUsers: number, numItems: number): void {
  if (csr.rows !== numUsers || csr.cols !== numItems) {
    throw new ConfigError(
      key,
      `shape ${csr.rows} × ${csr.cols} does not match numUsers × numItems = ${numUsers} × ${numItems}`,
    );
  }
  try {
    validateCsr(csr, key);
  } catch (error) {
    throw new ConfigError(key, error instanceof Error ? error.message : String(error), { cause: error });
  }
}

function normalizeKs(ks: readonly number[]): number[] {
  if (ks.length === 0) throw new ConfigError("ks", "must list at least one cut-off");
  ks.forEach((k, i) => {
    if (!Number.isInteger(k) || k <= 0) throw new ConfigError(`ks[${i}]`, `must be a positive integer, got ${k}`);
  });
  return [...new Set(ks)].sort((a, b) => a - b);
}

function checkBuckets(buckets: readonly DegreeBucket[]): void {
  buckets.forEach((bucket, i) => {
    if (typeof bucket.label !== "string" || bucket.label === "")
      throw new ConfigError(`buckets[${i}].label`, "must be a non-empty string");
    if (bucket.label === UNBUCKETED_LABEL)
      throw new ConfigError(`buckets[${i}].label`, `"${UNBUCKETED_LABEL}" is reserved`);
    if (!Number.isInteger(bucket.min) || bucket.min < 0) {
      throw new ConfigError(`buckets[${i}].min`, `must be a non-negative integer, got ${bucket.min}`);
    }
    if (!(Number.isInteger(bucket.max) || bucket.max === Infinity) || bucket.max < bucket.min) {
      throw new ConfigError(
        `buckets[${i}].max`,
        `must be an integer ≥ min (${bucket.min}) or Infinity, got ${bucket.max}`,
      );
    }
    for (let j = 0; j < i; j++) {
      const other = buckets[j];
      if (other.label === bucket.label)
        throw new ConfigError(`buckets[${i}].label`, `duplicate label "${bucket.label}"`);
      if (bucket.min <= other.max && other.min <= bucket.max) {
        throw new ConfigError(
          `buckets[${i}]`,
          `[${bucket.min}, ${bucket.max}] overlaps buckets[${j}] [${other.min}, ${other.max}]`,
        );
      }
    }
  });
}

/**
 * A cursor over the users with a truth item, in ascending order: each call writes up to `count`
 * of the next ones into `out` and returns how many it wrote.
 */
function userCursor(truth: Csr, numUsers: number): (out: Int32Array, count: number) => number {
  let next = 0;
  return (out, count) => {
    let n = 0;
    for (; next < numUsers && n < count; next++) if (truth.indptr[next + 1] > truth.indptr[next]) out[n++] = next;
    return n;
  };
}

/** The `count` users with a truth item, in ascending order (the rows of per-user results). */
function usersWithTruth(truth: Csr, numUsers: number, count: number): Int32Array {
  const users = new Int32Array(count);
  userCursor(truth, numUsers)(users, count);
  return users;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw signal.reason instanceof Error
      ? signal.reason
      : new LlminitError("E_ABORTED", "evaluation aborted", { cause: signal.reason });
  }
}

/**
 * Full-ranking top-K evaluation: every evaluated user is scored against every item, the
 * excluded items are masked, the top K = max(ks) are kept, and each requested metric of the
 * registry (`metric-registry.ts`; default the accuracy metrics with RecBole's definitions)
 * accumulates that user's list at every cut-off. Per-user metrics are then averaged over users;
 * catalogue metrics (coverage) are computed over all lists.
 *
 * - Users without truth items are not scored; they are counted in `skippedUsers`.
 * - Memory: one `chunkSize × numItems` score buffer plus O(K) per user being ranked and O(items)
 *   masks — never a users × items matrix, and nothing that grows with the number of users (they
 *   are streamed chunk by chunk from the truth matrix), except users × per-user metrics with
 *   `perUser`.
 * - Ranking ties: higher score first, equal scores → lower item index first. Results are
 *   identical for any `chunkSize` (given a score callback whose per-user output does not depend
 *   on the chunk).
 * - When fewer than K items are rankable for a user the list is just shorter; precision still
 *   divides by k.
 *
 * Throws ConfigError naming the option for bad options (an unknown metric, a metric whose needs
 * are not given), RangeError when a score is NaN.
 */
export async function evaluateFullRanking(options: EvaluateOptions): Promise<EvaluationResult> {
  const { numUsers, numItems, truth, userDegrees, itemPopularity, signal } = options;
  if (!Number.isInteger(numUsers) || numUsers < 0)
    throw new ConfigError("numUsers", `must be a non-negative integer, got ${numUsers}`);
  checkPositiveInteger("numItems", numItems);
  if ((options.score === undefined) === (options.rank === undefined))
    throw new ConfigError("score", "give exactly one of `score` and `rank`");
  if (options.score !== undefined && typeof options.score !== "function")
    throw new ConfigError("score", "must be a function");
  if (options.rank !== undefined && typeof options.rank !== "function")
    throw new ConfigError("rank", "must be a function");
  checkCsr("truth", truth, numUsers, numItems);
  const exclude = options.exclude ?? [];
  exclude.forEach((csr, i) => checkCsr(`exclude[${i}]`, csr, numUsers, numItems));
  const ks = normalizeKs(options.ks ?? [10, 20, 50]);
  const metrics = resolveMetrics(options.metrics ?? ACCURACY_METRICS);
  const chunkSize = options.chunkSize ?? 256;
  checkPositiveInteger("chunkSize", chunkSize);
  if (userDegrees !== undefined && userDegrees.length !== numUsers) {
    throw new ConfigError("userDegrees", `has ${userDegrees.length} entries, expected numUsers = ${numUsers}`);
  }
  if (itemPopularity !== undefined && itemPopularity.length !== numItems) {
    throw new ConfigError("itemPopularity", `has ${itemPopularity.length} entries, expected numItems = ${numItems}`);
  }
  for (const metric of metrics) {
    if (metric.needs.includes("itemPopularity") && itemPopularity === undefined)
      throw new ConfigError("itemPopularity", `is required by metric "${metric.name}" (per-item training degrees)`);
  }
  const buckets = options.buckets ?? DEFAULT_DEGREE_BUCKETS;
  checkBuckets(buckets);
  throwIfAborted(signal);

  // Users to evaluate, in ascending order (the summation order, whatever the chunking); streamed
  // chunk by chunk from a cursor, so that working memory does not grow with the number of users.
  let evaluated = 0;
  for (let u = 0; u < numUsers; u++) if (truth.indptr[u + 1] > truth.indptr[u]) evaluated++;
  const nextUsers = userCursor(truth, numUsers);

  const context: MetricContext = { numUsers, numItems, ks, itemPopularity };
  const numKs = ks.length;
  // Per-user metrics write one value per cut-off into userValues, metric-major.
  const userMetrics: Array<{ metric: RankingMetric; accumulate: UserAccumulator; offset: number }> = [];
  const catalogueMetrics: Array<{ metric: RankingMetric; accumulator: CatalogueAccumulator }> = [];
  for (const metric of metrics) {
    if (metric.scope === "user")
      userMetrics.push({ metric, accumulate: metric.prepare(context), offset: userMetrics.length * numKs });
    else catalogueMetrics.push({ metric, accumulator: metric.prepare(context) });
  }
  const numValues = userMetrics.length * numKs;
  const columns = userMetrics.flatMap(({ metric }) => ks.map((k) => metricKey(metric.name, k)));

  // Group of each evaluated user: bucket index, buckets.length for "other", -1 without degrees.
  const numGroups = userDegrees === undefined ? 0 : buckets.length + 1;
  const totals = new Float64Array(numValues);
  const counts = new Float64Array(numValues);
  const groupTotals = new Float64Array(numGroups * numValues);
  const groupCounts = new Float64Array(numGroups * numValues);
  const groupUsers = new Float64Array(numGroups);
  const userValues = new Float64Array(numValues);
  const perUserValues = options.perUser === true ? new Float64Array(evaluated * numValues) : undefined;
  const maxK = ks[numKs - 1];
  const workspace = createTopKWorkspace(maxK);
  const ranked = new Int32Array(maxK);
  const hits = new Uint8Array(maxK);
  const masked = new Uint8Array(numItems);
  const isTruth = new Uint8Array(numItems);
  let maskedTruthItems = 0;

  const task = (options.progress ?? silentProgress).begin("full-ranking evaluation", evaluated);
  const chunkCapacity = Math.min(chunkSize, Math.max(evaluated, 1));
  const buffer = options.rank === undefined ? new Float32Array(chunkCapacity * numItems) : new Float32Array(0);
  const rankedChunk = options.rank === undefined ? new Int32Array(0) : new Int32Array(chunkCapacity * maxK);
  const countsChunk = options.rank === undefined ? new Int32Array(0) : new Int32Array(chunkCapacity);
  const chunkUsers = new Int32Array(chunkCapacity);
  // The callbacks get their own copy of the chunk (they may write to it), reused between chunks.
  const callbackUsers = new Int32Array(chunkCapacity);
  for (let start = 0; start < evaluated; start += chunkSize) {
    throwIfAborted(signal);
    const chunk = chunkUsers.subarray(0, nextUsers(chunkUsers, Math.min(chunkSize, evaluated - start)));
    // Score path only: the chunk's dense scores (the rank path never materialises them here).
    const scores = buffer.subarray(0, options.rank === undefined ? chunk.length * numItems : 0);
    const passed = callbackUsers.subarray(0, chunk.length);
    passed.set(chunk);
    if (options.rank !== undefined) {
      await options.rank(passed, maxK, exclude, rankedChunk, countsChunk);
    } else if (options.score !== undefined) {
      scores.fill(NaN);
      await options.score(passed, scores);
    }
    throwIfAborted(signal);

    for (let i = 0; i < chunk.length; i++) {
      const u = chunk[i];
      for (const csr of exclude) {
        for (let p = csr.indptr[u]; p < csr.indptr[u + 1]; p++) masked[csr.indices[p]] = 1;
      }
      const truthStart = truth.indptr[u];
      const truthEnd = truth.indptr[u + 1];
      for (let p = truthStart; p < truthEnd; p++) {
        const item = truth.indices[p];
        isTruth[item] = 1;
        if (masked[item] !== 0) maskedTruthItems++;
      }

      let length: number;
      if (options.rank !== undefined) {
        length = countsChunk[i];
        if (!(length >= 0 && length <= maxK))
          throw new RangeError(`rank callback: user ${u}: count ${length} outside [0, ${maxK}]`);
        ranked.set(rankedChunk.subarray(i * maxK, i * maxK + length));
        for (let p = 0; p < length; p++) {
          if (!(ranked[p] >= 0 && ranked[p] < numItems))
            throw new RangeError(`rank callback: user ${u}: item ${ranked[p]} outside [0, ${numItems})`);
          if (masked[ranked[p]] !== 0)
            throw new RangeError(`rank callback: user ${u}: ranked excluded item ${ranked[p]}`);
        }
      } else {
        const row = scores.subarray(i * numItems, (i + 1) * numItems);
        try {
          length = selectTopK(row, workspace, ranked, masked);
        } catch (error) {
          throw new RangeError(`score callback: user ${u}: ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
          });
        }
      }
      for (let p = 0; p < length; p++) hits[p] = isTruth[ranked[p]];

      const ranking: UserRanking = {
        user: u,
        items: ranked.subarray(0, length),
        hits: hits.subarray(0, length),
        truthCount: truthEnd - truthStart,
      };
      for (const { accumulate, offset } of userMetrics) accumulate(ranking, userValues, offset);
      for (const { accumulator } of catalogueMetrics) accumulator.add(ranking);
      for (let v = 0; v < numValues; v++) {
        const value = userValues[v];
        if (Number.isNaN(value)) continue;
        totals[v] += value;
        counts[v]++;
      }
      perUserValues?.set(userValues, (start + i) * numValues);
      if (userDegrees !== undefined) {
        const degree = userDegrees[u];
        let group = buckets.length;
        for (let b = 0; b < buckets.length; b++) {
          if (degree >= buckets[b].min && degree <= buckets[b].max) {
            group = b;
            break;
          }
        }
        groupUsers[group]++;
        const base = group * numValues;
        for (let v = 0; v < numValues; v++) {
          const value = userValues[v];
          if (Number.isNaN(value)) continue;
          groupTotals[base + v] += value;
          groupCounts[base + v]++;
        }
      }

      for (const csr of exclude) {
        for (let p = csr.indptr[u]; p < csr.indptr[u + 1]; p++) masked[csr.indices[p]] = 0;
      }
      for (let p = truthStart; p < truthEnd; p++) isTruth[truth.indices[p]] = 0;
    }
    task.tick(chunk.length);
  }

  const means = (sums: Float64Array, numbers: Float64Array, offset: number): Record<string, number> => {
    const record: Record<string, number> = {};
    for (let v = 0; v < numValues; v++)
      record[columns[v]] = numbers[offset + v] === 0 ? NaN : sums[offset + v] / numbers[offset + v];
    return record;
  };

  const byDegree: MetricGroup[] = [];
  for (let g = 0; g < numGroups; g++) {
    const isOther = g === buckets.length;
    if (isOther && groupUsers[g] === 0) continue;
    byDegree.push({
      bucket: isOther ? UNBUCKETED_LABEL : buckets[g].label,
      users: groupUsers[g],
      metrics: means(groupTotals, groupCounts, g * numValues),
    });
  }

  // Result keys in metric order, whatever the scope.
  const userMeans = means(totals, counts, 0);
  const catalogueValues = new Float64Array(numKs);
  const record: Record<string, number> = {};
  for (const metric of metrics) {
    const catalogue = catalogueMetrics.find((entry) => entry.metric === metric);
    if (catalogue !== undefined) catalogue.accumulator.finish(catalogueValues, 0);
    ks.forEach((k, c) => {
      const key = metricKey(metric.name, k);
      record[key] = catalogue === undefined ? userMeans[key] : catalogueValues[c];
    });
  }

  const result: EvaluationResult = {
    metrics: record,
    users: evaluated,
    skippedUsers: numUsers - evaluated,
    maskedTruthItems,
    byDegree,
    ...(perUserValues === undefined
      ? {}
      : { perUser: { users: usersWithTruth(truth, numUsers, evaluated), columns, values: perUserValues } }),
  };
  task.end({ users: evaluated, skippedUsers: numUsers - evaluated });
  return result;
}
