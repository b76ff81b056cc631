import { ConfigError } from "@llminit/core";
import { coverage } from "./metrics/coverage.js";
import { hit } from "./metrics/hit.js";
import { map } from "./metrics/map.js";
import { mrr } from "./metrics/mrr.js";
import { ndcg } from "./metrics/ndcg.js";
import { novelty } from "./metrics/novelty.js";
import { popularity } from "./metrics/popularity.js";
import { precision } from "./metrics/precision.js";
import { recall } from "./metrics/recall.js";
import type { RankingMetric } from "./ranking-metric.js";

/**
 * Every built-in metric by name, in the order results list them. Adding a metric: one file in
 * `src/metrics/` exporting a {@link RankingMetric}, and one entry here. A caller can also pass a
 * metric object to `evaluateFullRanking({ metrics })` without touching this package.
 */
export const METRICS: ReadonlyMap<string, RankingMetric> = new Map(
  [recall, ndcg, mrr, hit, precision, map, novelty, popularity, coverage].map((metric) => [metric.name, metric]),
);

/** The accuracy metrics, the evaluator's default set (RecBole's definitions). */
export const ACCURACY_METRICS: readonly string[] = Object.freeze(["recall", "ndcg", "mrr", "hit", "precision", "map"]);

/** The beyond-accuracy metrics; they need the per-item training degrees, except coverage. */
export const BEYOND_ACCURACY_METRICS: readonly string[] = Object.freeze(["novelty", "popularity", "coverage"]);

/** The registered metric of that name; ConfigError naming `key` and the known names otherwise. */
export function metricByName(name: string, key = "metric"): RankingMetric {
  const metric = METRICS.get(name);
  if (metric === undefined)
    throw new ConfigError(key, `unknown metric "${name}"; known: ${[...METRICS.keys()].join(", ")}`);
  return metric;
}

/**
 * Metrics by name or as objects → metric objects, duplicates dropped: registered ones in registry
 * order, then the caller's own objects in the order given. A caller's object may not reuse a
 * registered name for another metric.
 */
export function resolveMetrics(list: ReadonlyArray<string | RankingMetric>, key = "metrics"): RankingMetric[] {
  if (list.length === 0) throw new ConfigError(key, "must list at least one metric");
  const registered = new Set<RankingMetric>();
  const custom: RankingMetric[] = [];
  list.forEach((entry, i) => {
    if (typeof entry === "string") {
      registered.add(metricByName(entry, `${key}[${i}]`));
      return;
    }
    checkMetricObject(entry, `${key}[${i}]`);
    const known = METRICS.get(entry.name);
    if (known === entry) registered.add(entry);
    else if (known !== undefined)
      throw new ConfigError(`${key}[${i}]`, `a custom metric may not reuse the registered name "${entry.name}"`);
    else if (!custom.some((other) => other.name === entry.name)) custom.push(entry);
  });
  return [...[...METRICS.values()].filter((metric) => registered.has(metric)), ...custom];
}

/** Checks an object from a caller (JavaScript callers have no type checker). */
function checkMetricObject(value: unknown, key: string): void {
  if (typeof value !== "object" || value === null) throw new ConfigError(key, "must be a metric name or object");
  const metric = value as Record<string, unknown>;
  if (typeof metric.name !== "string" || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(metric.name))
    throw new ConfigError(
      `${key}.name`,
      `must be a word (letters, digits, _ or -), got ${JSON.stringify(metric.name)}`,
    );
  if (metric.scope !== "user" && metric.scope !== "catalogue")
    throw new ConfigError(`${key}.scope`, `must be "user" or "catalogue", got ${JSON.stringify(metric.scope)}`);
  if (typeof metric.prepare !== "function") throw new ConfigError(`${key}.prepare`, "must be a function");
  if (!Array.isArray(metric.needs)) throw new ConfigError(`${key}.needs`, "must be an array of needs");
}

/** Report heading of a result key: `"ndcg@10"` → `"NDCG@10"`; unknown names are kept as they are. */
export function metricTitle(key: string): string {
  const at = key.lastIndexOf("@");
  const name = at === -1 ? key : key.slice(0, at);
  const title = METRICS.get(name)?.title ?? name;
  return at === -1 ? title : `${title}${key.slice(at)}`;
}
