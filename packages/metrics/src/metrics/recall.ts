import type { UserMetric } from "../ranking-metric.js";

/** Recall@k = hits in the top k / |truth| (RecBole's `Recall`). */
export const recall: UserMetric = {
  name: "recall",
  title: "Recall",
  description: "hits in the top k / |truth|",
  needs: ["ranking", "truth"],
  scope: "user",
  prepare: ({ ks }) => {
    return ({ hits, truthCount }, out, offset) => {
      let found = 0;
      let p = 0;
      for (let c = 0; c < ks.length; c++) {
        const n = Math.min(ks[c], hits.length);
        for (; p < n; p++) if (hits[p] !== 0) found++;
        out[offset + c] = found / truthCount;
      }
    };
  },
};
