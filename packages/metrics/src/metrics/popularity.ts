import type { UserMetric } from "../ranking-metric.js";

/**
 * Popularity@k (ARP, average recommendation popularity): the mean training degree of the top-k
 * items, over the items the list holds; NaN (left out of the mean) for an empty list.
 */
export const popularity: UserMetric = {
  name: "popularity",
  title: "ARP",
  description: "mean training degree (itemPopularity) of the top k",
  needs: ["ranking", "itemPopularity"],
  scope: "user",
  prepare: ({ ks, itemPopularity }) => {
    if (itemPopularity === undefined) throw new RangeError("popularity needs itemPopularity");
    return ({ items }, out, offset) => {
      let sum = 0;
      let p = 0;
      for (let c = 0; c < ks.length; c++) {
        const n = Math.min(ks[c], items.length);
        for (; p < n; p++) sum += itemPopularity[items[p]];
        out[offset + c] = n === 0 ? NaN : sum / n;
      }
    };
  },
};
