import type { ColdStartSummary } from "@llminit/pipeline";

const COLUMNS = ["recall@20", "ndcg@20"];

/** The cold-start lines of `llminit run`'s text summary: one row per method, cold and hybrid settings. */
export function formatColdStart(cold: ColdStartSummary): string[] {
  const cell = (v: number | undefined) => (v === undefined ? "–" : v.toFixed(4)).padStart(10);
  return [
    `cold items (${cold.ratio} held out: ${cold.items.coldValid} valid + ${cold.items.coldTest} test items, ` +
      `${cold.items.warm} warm; metrics above are the warm items'; map λ ${cold.map.lambda.toPrecision(3)}, ` +
      `map-knn k ${cold.mapKnn.k}, both on cold-valid ndcg@10):`,
    `${"method".padEnd(14)}${COLUMNS.map((k) => `cold ${k}`.padStart(16)).join("")}${COLUMNS.map((k) => `hybrid ${k}`.padStart(18)).join("")}${"cold share@20".padStart(16)}`,
    ...cold.methods.map((m) =>
      m.applicable
        ? `${m.method.padEnd(14)}${COLUMNS.map((k) => cell(m.cold?.[k]).padStart(16)).join("")}${COLUMNS.map((k) => cell(m.hybrid?.[k]).padStart(18)).join("")}${cell(m.hybrid?.["coldShare@20"]).padStart(16)}`
        : `${m.method.padEnd(14)}${m.reason}`,
    ),
  ];
}
