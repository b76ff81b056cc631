import type { UserMetric } from "../ranking-metric.js";

/** MRR@k = 1 / rank of the first relevant item within the top k, 0 when none (RecBole's `MRR`). */
export const mrr: UserMetric = {
  name: "mrr",
  title: "MRR",
  description: "1 / rank of the first hit within k, else 0",
  needs: ["ranking", "truth"],
  scope: "user",
  prepare: ({ ks }) => {
    return ({ hits }, out, offset) => {
      let firstHit = 0; // 1-based rank of the first hit, 0 while none
      let p = 0;
      for (let c = 0; c < ks.length; c++) {
        const n = Math.min(ks[c], hits.length);
        for (; p < n && firstHit === 0; p++) if (hits[p] !== 0) firstHit = p + 1;
        out[offset + c] = firstHit === 0 ? 0 : 1 / firstHit;
      }
    };
  },
};
