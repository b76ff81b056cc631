import type { UserMetric } from "../ranking-metric.js";

/** Precision@k = hits in the top k / k, k even when the list is shorter (RecBole's `Precision`). */
export const precision: UserMetric = {
  name: "precision",
  title: "Precision",
  description: "hits in the top k / k",
  needs: ["ranking", "truth"],
  scope: "user",
  prepare: ({ ks }) => {
    return ({ hits }, out, offset) => {
      let found = 0;
      let p = 0;
      for (let c = 0; c < ks.length; c++) {
        const k = ks[c];
        const n = Math.min(k, hits.length);
        for (; p < n; p++) if (hits[p] !== 0) found++;
        out[offset + c] = found / k;
      }
    };
  },
};
