import type { ColdStartSummary } from "@llminit/pipeline";

/** The smallest K of metrics keyed `recall@K` (the run's first cut-off), or undefined when there is none. */
export function smallestK(metrics: Readonly<Record<string, number>> | undefined): number | undefined {
  const ks = Object.keys(metrics ?? {}).flatMap((key) => /^recall@(\d+)$/.exec(key)?.[1] ?? []);
  return ks.length === 0 ? undefined : Math.min(...ks.map(Number));
}

/**
 * The cold-start lines of `llminit run`'s text summary: one row per method, cold and hybrid
 * settings, at the run's smallest cut-off K (the one least likely to rank every cold test item).
 */
export function formatColdStart(cold: ColdStartSummary): string[] {
  const k = smallestK(cold.methods.find((m) => m.cold !== undefined)?.cold) ?? 20;
  const COLUMNS = [`recall@${k}`, `ndcg@${k}`];
  const cell = (v: number | undefined) => (v === undefined ? "–" : v.toFixed(4)).padStart(10);
  return [
    `cold items (${cold.ratio} held out: ${cold.items.coldValid} valid + ${cold.items.coldTest} test items, ` +
      `${cold.items.warm} warm; metrics above are the warm items'; map λ ${cold.map.lambda.toPrecision(3)}, ` +
      `map-knn k ${cold.mapKnn.k}, both on cold-valid ndcg@10):`,
    `${"method".padEnd(14)}${COLUMNS.map((k) => `cold ${k}`.padStart(16)).join("")}${COLUMNS.map((k) => `hybrid ${k}`.padStart(18)).join("")}${`cold share@${k}`.padStart(16)}`,
    ...cold.methods.map((m) =>
      m.applicable
        ? `${m.method.padEnd(14)}${COLUMNS.map((k) => cell(m.cold?.[k]).padStart(16)).join("")}${COLUMNS.map((k) => cell(m.hybrid?.[k]).padStart(18)).join("")}${cell(m.hybrid?.[`coldShare@${k}`]).padStart(16)}`
        : `${m.method.padEnd(14)}${m.reason}`,
    ),
  ];
}
