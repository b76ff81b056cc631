import type { UserMetric } from "../ranking-metric.js";

/**
 * NDCG@k with binary gains (RecBole's `NDCG`): DCG@k = Σ_{rank r ≤ k, hit} 1 / log2(r + 1), over
 * IDCG@k = Σ_{r = 1}^{min(|truth|, k)} 1 / log2(r + 1).
 */
export const ndcg: UserMetric = {
  name: "ndcg",
  title: "NDCG",
  description: "Σ_hits 1/log2(rank+1) / Σ_{r ≤ min(|T|, k)} 1/log2(r+1)",
  needs: ["ranking", "truth"],
  scope: "user",
  prepare: ({ ks }) => {
    return ({ hits, truthCount }, out, offset) => {
      let dcg = 0;
      let p = 0;
      for (let c = 0; c < ks.length; c++) {
        const k = ks[c];
        const n = Math.min(k, hits.length);
        for (; p < n; p++) if (hits[p] !== 0) dcg += 1 / Math.log2(p + 2);
        const idealLength = Math.min(truthCount, k);
        let idcg = 0;
        for (let q = 0; q < idealLength; q++) idcg += 1 / Math.log2(q + 2);
        out[offset + c] = dcg / idcg;
      }
    };
  },
};
