import type { UserMetric } from "../ranking-metric.js";

/** Hit@k = 1 when any of the top k is relevant, else 0 (RecBole's `Hit`). */
export const hit: UserMetric = {
  name: "hit",
  title: "Hit",
  description: "1 if any hit in the top k, else 0",
  needs: ["ranking", "truth"],
  scope: "user",
  prepare: ({ ks }) => {
    return ({ hits }, out, offset) => {
      let found = 0;
      let p = 0;
      for (let c = 0; c < ks.length; c++) {
        const n = Math.min(ks[c], hits.length);
        for (; p < n; p++) if (hits[p] !== 0) found++;
        out[offset + c] = found > 0 ? 1 : 0;
      }
    };
  },
};
