import type { UserMetric } from "../ranking-metric.js";

/** MAP@k (RecBole's `MAP`, AP@k per user) = Σ_{rank r ≤ k, hit} precision@r / min(|truth|, k). */
export const map: UserMetric = {
  name: "map",
  title: "MAP",
  description: "Σ_hits precision@rank / min(|T|, k)",
  needs: ["ranking", "truth"],
  scope: "user",
  prepare: ({ ks }) => {
    return ({ hits, truthCount }, out, offset) => {
      let found = 0;
      let sum = 0;
      let p = 0;
      for (let c = 0; c < ks.length; c++) {
        const k = ks[c];
        const n = Math.min(k, hits.length);
        for (; p < n; p++) {
          if (hits[p] !== 0) {
            found++;
            sum += found / (p + 1);
          }
        }
        out[offset + c] = sum / Math.min(truthCount, k);
      }
    };
  },
};
