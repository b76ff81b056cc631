/**
 * @llminit/metrics — full-ranking top-K evaluation for recommenders. Knows nothing about
 * tensors: scores come from a callback (see {@link kernelDotProductScorer} for the wasm SIMD one,
 * {@link dotProductScorer} for a plain-JS one with float64 sums).
 */
export { evaluateFullRanking, DEFAULT_DEGREE_BUCKETS, UNBUCKETED_LABEL } from "./evaluate-full-ranking.js";
export type {
  DegreeBucket,
  EvaluateOptions,
  EvaluationResult,
  MetricGroup,
  PerUserMetrics,
  RankFunction,
} from "./evaluate-full-ranking.js";
export {
  METRICS,
  ACCURACY_METRICS,
  BEYOND_ACCURACY_METRICS,
  metricByName,
  metricTitle,
  resolveMetrics,
} from "./metric-registry.js";
export type {
  CatalogueAccumulator,
  CatalogueMetric,
  MetricContext,
  MetricNeed,
  RankingMetric,
  UserAccumulator,
  UserMetric,
  UserRanking,
} from "./ranking-metric.js";
export { createKernelRanking } from "./kernel-ranking.js";
export type { KernelRanking, KernelRankingOptions } from "./kernel-ranking.js";
export {
  METRIC_NAMES,
  METRIC_FUNCTIONS,
  recallAtK,
  ndcgAtK,
  mrrAtK,
  hitAtK,
  precisionAtK,
  mapAtK,
  metricKey,
  accumulateUserMetrics,
} from "./rank-metrics.js";
export type { MetricName } from "./rank-metrics.js";
export { topKIndices, selectTopK, createTopKWorkspace } from "./top-k.js";
export type { TopKWorkspace } from "./top-k.js";
export { dotProductScorer } from "./dot-product-scorer.js";
export type { ScoreFunction } from "./dot-product-scorer.js";
export { kernelDotProductScorer } from "./kernel-dot-product-scorer.js";
