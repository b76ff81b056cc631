import type { UserMetric } from "../ranking-metric.js";

/**
 * Novelty@k: the mean self-information of the top-k items, −log2(p(i)) with p(i) = (training users
 * of i) / numUsers (Zhou et al., PNAS 2010; Vargas & Castells, RecSys 2011). Higher = less popular,
 * more novel recommendations. An item no training user has seen counts as seen once, so the value
 * stays finite. The mean runs over the items the list holds; a user with an empty list gets NaN
 * (left out of the mean).
 */
export const novelty: UserMetric = {
  name: "novelty",
  title: "Novelty",
  description: "mean over the top k of −log2(training users of the item / users)",
  needs: ["ranking", "itemPopularity"],
  scope: "user",
  prepare: ({ ks, numUsers, itemPopularity }) => {
    if (itemPopularity === undefined) throw new RangeError("novelty needs itemPopularity");
    const information = new Float64Array(itemPopularity.length);
    for (let j = 0; j < information.length; j++)
      information[j] = -Math.log2(Math.max(itemPopularity[j], 1) / Math.max(numUsers, 1));
    return ({ items }, out, offset) => {
      let sum = 0;
      let p = 0;
      for (let c = 0; c < ks.length; c++) {
        const n = Math.min(ks[c], items.length);
        for (; p < n; p++) sum += information[items[p]];
        out[offset + c] = n === 0 ? NaN : sum / n;
      }
    };
  },
};
