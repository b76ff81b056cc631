import type { UserMetric } from "@llminit/metrics";

/**
 * `coldShare@k`: the share of a user's top k that are cold items, those with index ≥ `firstCold`
 * (in the hybrid setting, the warm items come first). Over the items the list holds; NaN (left
 * out of the mean) for an empty list. A metric object for `evaluateFullRanking` (see the
 * metric registry of `@llminit/metrics`), specific to one item layout, so not registered there.
 */
export function coldShareMetric(firstCold: number): UserMetric {
  return {
    name: "coldShare",
    title: "Cold share",
    description: `share of the top k with item index ≥ ${firstCold} (the cold items)`,
    needs: ["ranking"],
    scope: "user",
    prepare:
      ({ ks }) =>
      ({ items }, out, offset) => {
        let cold = 0;
        let p = 0;
        for (let c = 0; c < ks.length; c++) {
          const n = Math.min(ks[c], items.length);
          for (; p < n; p++) if (items[p] >= firstCold) cold++;
          out[offset + c] = n === 0 ? NaN : cold / n;
        }
      },
  };
}
