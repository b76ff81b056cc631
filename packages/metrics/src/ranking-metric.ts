/**
 * The shape of a metric of the registry (`metric-registry.ts`): what it needs and how it
 * accumulates, one evaluated user at a time. `evaluateFullRanking` ranks each user once and hands
 * the same {@link UserRanking} to every requested metric, so a new metric is one object (one file)
 * and never a change to the evaluator.
 */

/**
 * What a metric reads besides its user's ranked top-K list:
 * - `"ranking"`: the ranked items (every metric has it);
 * - `"truth"`: which ranked items are relevant (`hits`) and how many relevant items there are;
 * - `"itemPopularity"`: the per-item training degrees (`MetricContext.itemPopularity`); the
 *   evaluator refuses such a metric when the caller gave none.
 */
export type MetricNeed = "ranking" | "truth" | "itemPopularity";

/** One evaluated user's ranked list, as every metric sees it. */
export interface UserRanking {
  /** The user's row index. */
  user: number;
  /** Ranked items, best first; at most max(ks) of them (fewer when fewer are rankable). */
  items: Int32Array;
  /** `hits[p]` is 1 when `items[p]` is a relevant (truth) item, else 0; as long as `items`. */
  hits: Uint8Array;
  /** The user's number of relevant items, including any masked ones (≥ 1). */
  truthCount: number;
}

/** What a metric may read once per evaluation, before the users come. */
export interface MetricContext {
  numUsers: number;
  numItems: number;
  /** The cut-offs, ascending, without duplicates. */
  ks: readonly number[];
  /** Training interactions per item, when the caller gave them. */
  itemPopularity?: Int32Array;
}

interface MetricInfo {
  /** Registry name and key prefix: results are keyed `${name}@${k}`. */
  readonly name: string;
  /** Column heading in reports, e.g. "NDCG". */
  readonly title: string;
  /** One line: the definition. */
  readonly description: string;
  readonly needs: readonly MetricNeed[];
}

/**
 * Writes the user's value at each cut-off `context.ks[c]` to `out[offset + c]`. NaN means "not
 * defined for this user" (e.g. an empty list): the user is then left out of that value's mean.
 */
export type UserAccumulator = (ranking: UserRanking, out: Float64Array, offset: number) => void;

/** A metric defined per user; the reported value is the mean over evaluated users (and per degree bucket). */
export interface UserMetric extends MetricInfo {
  readonly scope: "user";
  /** Called once per evaluation; may precompute per-item tables from the context. */
  prepare(context: MetricContext): UserAccumulator;
}

/** Accumulates over all users' lists; no per-user value. */
export interface CatalogueAccumulator {
  add(ranking: UserRanking): void;
  /** Writes the value at each cut-off `context.ks[c]` to `out[offset + c]`. */
  finish(out: Float64Array, offset: number): void;
}

/** A metric of the whole set of recommended lists (e.g. catalogue coverage); not per user. */
export interface CatalogueMetric extends MetricInfo {
  readonly scope: "catalogue";
  prepare(context: MetricContext): CatalogueAccumulator;
}

/** A metric of the registry, or one a caller passes to `evaluateFullRanking` directly. */
export type RankingMetric = UserMetric | CatalogueMetric;
