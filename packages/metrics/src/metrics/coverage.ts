import type { CatalogueMetric } from "../ranking-metric.js";

/** Coverage@k (RecBole's `ItemCoverage`): distinct items in any evaluated user's top k / numItems. */
export const coverage: CatalogueMetric = {
  name: "coverage",
  title: "Coverage",
  description: "distinct items in any user's top k / items",
  needs: ["ranking"],
  scope: "catalogue",
  prepare: ({ ks, numItems }) => {
    const maxK = ks[ks.length - 1];
    // Best (0-based) rank at which each item was recommended to anyone; maxK = never.
    const bestRank = new Int32Array(numItems).fill(maxK);
    return {
      add: ({ items }) => {
        for (let p = 0; p < items.length; p++) if (p < bestRank[items[p]]) bestRank[items[p]] = p;
      },
      finish: (out, offset) => {
        const counts = new Float64Array(ks.length);
        for (let j = 0; j < numItems; j++) {
          for (let c = 0; c < ks.length; c++) if (bestRank[j] < ks[c]) counts[c]++;
        }
        for (let c = 0; c < ks.length; c++) out[offset + c] = counts[c] / numItems;
      },
    };
  },
};
