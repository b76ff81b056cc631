import { evaluateFullRanking } from "@llminit/metrics";
import { describe, expect, it } from "vitest";
import { coldShareMetric } from "./cold-share-metric.js";

describe("coldShareMetric", () => {
  it("is the share of items at or past the first cold index in each top k, per user", async () => {
    // 6 items, 4 warm (0–3) then 2 cold (4, 5); scores rank user 0: 5 4 3 2 1 0, user 1: 0 1 2 3 4 5.
    const scores = [
      [0, 1, 2, 3, 4, 5],
      [5, 4, 3, 2, 1, 0],
    ];
    const truth = { rows: 2, cols: 6, indptr: Int32Array.from([0, 1, 2]), indices: Int32Array.from([0, 0]) };
    const result = await evaluateFullRanking({
      numUsers: 2,
      numItems: 6,
      score: (users, out) => users.forEach((u, i) => out.set(scores[u], i * 6)),
      truth,
      metrics: ["recall", coldShareMetric(4)],
      ks: [1, 2, 4],
      perUser: true,
    });
    expect(result.perUser!.columns).toEqual([
      "recall@1",
      "recall@2",
      "recall@4",
      "coldShare@1",
      "coldShare@2",
      "coldShare@4",
    ]);
    expect(Array.from(result.perUser!.values.slice(3, 6))).toEqual([1, 1, 0.5]);
    expect(Array.from(result.perUser!.values.slice(9, 12))).toEqual([0, 0, 0]);
    expect(result.metrics["coldShare@4"]).toBe(0.25);
  });
});
