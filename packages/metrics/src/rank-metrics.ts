import { metricByName } from "./metric-registry.js";
import type { UserMetric, UserRanking } from "./ranking-metric.js";

/**
 * Per-user ranking metrics over a ranked hit vector, with RecBole's definitions
 * (recbole/evaluator/metrics.py), computed by the registry's metric objects (`src/metrics/`).
 * `hits[p]` is non-zero when the item at rank p + 1 is relevant; `truthCount` is the user's
 * number of relevant items (including any that were masked and so could never be ranked); `k` is
 * the cut-off. A hit vector shorter than `k` (fewer rankable
 * items than k) is treated as padded with misses: every metric stays defined and precision
 * still divides by `k`.
 */

/** The accuracy metrics' names (the registry holds more: `METRICS`). */
export type MetricName = "recall" | "ndcg" | "mrr" | "hit" | "precision" | "map";

/** The accuracy metrics, in the order results list them (= `ACCURACY_METRICS`). */
export const METRIC_NAMES: readonly MetricName[] = Object.freeze(["recall", "ndcg", "mrr", "hit", "precision", "map"]);

function checkArgs(truthCount: number, k: number): void {
  if (!Number.isInteger(k) || k <= 0) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (!Number.isInteger(truthCount) || truthCount <= 0) {
    throw new RangeError(`truthCount must be a positive integer, got ${truthCount}`);
  }
}

/** One user's value of a registered accuracy metric at one cut-off, through the registry. */
function valueAt(name: MetricName, hits: ArrayLike<number>, truthCount: number, k: number): number {
  const out = new Float64Array(1);
  accumulateUserMetrics(hits, truthCount, [k], [name], out);
  return out[0];
}

function userMetric(name: string): UserMetric {
  const metric = metricByName(name);
  if (metric.scope !== "user") throw new RangeError(`metric "${name}" has no per-user value`);
  return metric;
}

/** Recall@k = hits in the top k / |truth|. */
export function recallAtK(hits: ArrayLike<number>, truthCount: number, k: number): number {
  return valueAt("recall", hits, truthCount, k);
}

/** Precision@k = hits in the top k / k (k, not the list length, even when the list is shorter). */
export function precisionAtK(hits: ArrayLike<number>, truthCount: number, k: number): number {
  return valueAt("precision", hits, truthCount, k);
}

/** Hit@k = 1 when any of the top k is relevant, else 0. */
export function hitAtK(hits: ArrayLike<number>, truthCount: number, k: number): number {
  return valueAt("hit", hits, truthCount, k);
}

/** MRR@k = 1 / rank of the first relevant item within the top k, 0 when none. */
export function mrrAtK(hits: ArrayLike<number>, truthCount: number, k: number): number {
  return valueAt("mrr", hits, truthCount, k);
}

/**
 * NDCG@k = DCG@k / IDCG@k with binary gains, DCG@k = Σ_{rank r ≤ k, hit} 1 / log2(r + 1) and
 * IDCG@k = Σ_{r = 1}^{min(|truth|, k)} 1 / log2(r + 1) (RecBole's ideal list).
 */
export function ndcgAtK(hits: ArrayLike<number>, truthCount: number, k: number): number {
  return valueAt("ndcg", hits, truthCount, k);
}

/**
 * MAP@k (RecBole's AP@k) = Σ_{rank r ≤ k, hit} precision@r / min(|truth|, k).
 */
export function mapAtK(hits: ArrayLike<number>, truthCount: number, k: number): number {
  return valueAt("map", hits, truthCount, k);
}

/** The function for each metric name. */
export const METRIC_FUNCTIONS: Readonly<
  Record<MetricName, (hits: ArrayLike<number>, truthCount: number, k: number) => number>
> = Object.freeze({
  recall: recallAtK,
  ndcg: ndcgAtK,
  mrr: mrrAtK,
  hit: hitAtK,
  precision: precisionAtK,
  map: mapAtK,
});

/** The result key of a metric at a cut-off: `"ndcg@10"`. */
export function metricKey(name: string, k: number): string {
  return `${name}@${k}`;
}

/**
 * All requested metrics at all cut-offs for one user, through the registry's metrics. Writes
 * `out[m * ks.length + c]` for metric `metrics[m]` at cut-off `ks[c]`; `ks` must be ascending.
 * Equals calling the single-metric functions (same operations, same order).
 */
export function accumulateUserMetrics(
  hits: ArrayLike<number>,
  truthCount: number,
  ks: readonly number[],
  metrics: readonly MetricName[],
  out: Float64Array,
): void {
  for (let c = 1; c < ks.length; c++)
    if (!(ks[c] > ks[c - 1])) throw new RangeError(`ks must be ascending, got ${ks.join(", ")}`);
  for (const k of ks) checkArgs(truthCount, k);
  const ranking: UserRanking = {
    user: 0,
    items: new Int32Array(hits.length),
    // Accuracy metrics read only the hits; the items are placeholders of the same length.
    hits: Uint8Array.from({ length: hits.length }, (_, p) => (hits[p] !== 0 ? 1 : 0)),
    truthCount,
  };
  metrics.forEach((name, m) => userMetric(name).prepare({ numUsers: 1, numItems: 1, ks })(ranking, out, m * ks.length));
}
