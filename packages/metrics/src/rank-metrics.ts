/**
 * Per-user ranking metrics over a ranked hit vector, with RecBole's definitions
 * (recbole/evaluator/metrics.py). `hits[p]` is non-zero when the item at rank p + 1 is relevant;
 * `truthCount` is the user's number of relevant items (including any that were masked and so
 * could never be ranked); `k` is the cut-off. A hit vector shorter than `k` (fewer rankable
 * items than k) is treated as padded with misses: every metric stays defined and precision
 * still divides by `k`.
 */

/** The metric names this package computes. */
export type MetricName = "recall" | "ndcg" | "mrr" | "hit" | "precision" | "map";

/** All metrics, in the order results list them. */
export const METRIC_NAMES: readonly MetricName[] = Object.freeze(["recall", "ndcg", "mrr", "hit", "precision", "map"]);

function checkArgs(truthCount: number, k: number): void {
  if (!Number.isInteger(k) || k <= 0) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (!Number.isInteger(truthCount) || truthCount <= 0) {
    throw new RangeError(`truthCount must be a positive integer, got ${truthCount}`);
  }
}

function hitsWithin(hits: ArrayLike<number>, k: number): number {
  const n = Math.min(k, hits.length);
  let count = 0;
  for (let p = 0; p < n; p++) if (hits[p] !== 0) count++;
  return count;
}

/** Recall@k = hits in the top k / |truth|. */
export function recallAtK(hits: ArrayLike<number>, truthCount: number, k: number): number {
  checkArgs(truthCount, k);
  return hitsWithin(hits, k) / truthCount;
}

/** Precision@k = hits in the top k / k (k, not the list length, even when the list is shorter). */
export function precisionAtK(hits: ArrayLike<number>, truthCount: number, k: number): number {
  checkArgs(truthCount, k);
  return hitsWithin(hits, k) / k;
}

/** Hit@k = 1 when any of the top k is relevant, else 0. */
export function hitAtK(hits: ArrayLike<number>, truthCount: number, k: number): number {
  checkArgs(truthCount, k);
  return hitsWithin(hits, k) > 0 ? 1 : 0;
}

/** MRR@k = 1 / rank of the first relevant item within the top k, 0 when none. */
export function mrrAtK(hits: ArrayLike<number>, truthCount: number, k: number): number {
  checkArgs(truthCount, k);
  const n = Math.min(k, hits.length);
  for (let p = 0; p < n; p++) if (hits[p] !== 0) return 1 / (p + 1);
  return 0;
}

/**
 * NDCG@k = DCG@k / IDCG@k with binary gains, DCG@k = Σ_{rank r ≤ k, hit} 1 / log2(r + 1) and
 * IDCG@k = Σ_{r = 1}^{min(|truth|, k)} 1 / log2(r + 1) (RecBole's ideal list).
 */
export function ndcgAtK(hits: ArrayLike<number>, truthCount: number, k: number): number {
  checkArgs(truthCount, k);
  const n = Math.min(k, hits.length);
  let dcg = 0;
  for (let p = 0; p < n; p++) if (hits[p] !== 0) dcg += 1 / Math.log2(p + 2);
  const idealLength = Math.min(truthCount, k);
  let idcg = 0;
  for (let p = 0; p < idealLength; p++) idcg += 1 / Math.log2(p + 2);
  return dcg / idcg;
}

/**
 * MAP@k (RecBole's AP@k) = Σ_{rank r ≤ k, hit} precision@r / min(|truth|, k).
 */
export function mapAtK(hits: ArrayLike<number>, truthCount: number, k: number): number {
  checkArgs(truthCount, k);
  const n = Math.min(k, hits.length);
  let found = 0;
  let sum = 0;
  for (let p = 0; p < n; p++) {
    if (hits[p] !== 0) {
      found++;
      sum += found / (p + 1);
    }
  }
  return sum / Math.min(truthCount, k);
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
 * All requested metrics at all cut-offs for one user in one pass over the hit vector.
 * Writes `out[m * ks.length + c]` for metric `metrics[m]` at cut-off `ks[c]`; `ks` must be
 * ascending. Equals calling the single-metric functions (same operations, same order).
 */
export function accumulateUserMetrics(
  hits: ArrayLike<number>,
  truthCount: number,
  ks: readonly number[],
  metrics: readonly MetricName[],
  out: Float64Array,
): void {
  const numKs = ks.length;
  let found = 0;
  let dcg = 0;
  let apSum = 0;
  let firstHit = 0; // 1-based rank of the first hit, 0 when none yet
  let p = 0;
  for (let c = 0; c < numKs; c++) {
    const k = ks[c];
    const n = Math.min(k, hits.length);
    for (; p < n; p++) {
      if (hits[p] !== 0) {
        found++;
        dcg += 1 / Math.log2(p + 2);
        apSum += found / (p + 1);
        if (firstHit === 0) firstHit = p + 1;
      }
    }
    for (let m = 0; m < metrics.length; m++) {
      let value: number;
      switch (metrics[m]) {
        case "recall":
          value = found / truthCount;
          break;
        case "precision":
          value = found / k;
          break;
        case "hit":
          value = found > 0 ? 1 : 0;
          break;
        case "mrr":
          value = firstHit === 0 ? 0 : 1 / firstHit;
          break;
        case "ndcg": {
          const idealLength = Math.min(truthCount, k);
          let idcg = 0;
          for (let q = 0; q < idealLength; q++) idcg += 1 / Math.log2(q + 2);
          value = dcg / idcg;
          break;
        }
        case "map":
          value = apSum / Math.min(truthCount, k);
          break;
      }
      out[m * numKs + c] = value;
    }
  }
}
