import { describe, expect, it } from "vitest";
import { novelty } from "./novelty.js";
import { popularity } from "./popularity.js";

describe("novelty and popularity (ARP), per user", () => {
  // 8 users; item popularity 8, 4, 2, 1, 0.
  const context = { numUsers: 8, numItems: 5, ks: [1, 2, 5], itemPopularity: Int32Array.of(8, 4, 2, 1, 0) };
  const ranking = (items: number[]) => ({
    user: 0,
    items: Int32Array.from(items),
    hits: new Uint8Array(items.length),
    truthCount: 1,
  });

  it("novelty: mean self-information −log2(pop / users) of the list, never-seen items as seen once", () => {
    const out = new Float64Array(4);
    novelty.prepare(context)(ranking([3, 0, 4]), out, 1);
    // −log2(1/8) = 3, −log2(8/8) = 0, −log2(max(0, 1)/8) = 3; k = 5 averages over the 3 items held.
    expect(Array.from(out)).toEqual([0, 3, 1.5, 2]);
  });

  it("popularity: mean training degree of the list; NaN for an empty list", () => {
    const out = new Float64Array(3);
    popularity.prepare(context)(ranking([1, 2]), out, 0);
    expect(Array.from(out)).toEqual([4, 3, 3]);
    popularity.prepare(context)(ranking([]), out, 0);
    expect(out.every(Number.isNaN)).toBe(true);
  });

  it("both refuse to run without item popularity and say what they need", () => {
    expect(novelty.needs).toContain("itemPopularity");
    expect(() => novelty.prepare({ ...context, itemPopularity: undefined })).toThrow(/itemPopularity/);
    expect(() => popularity.prepare({ ...context, itemPopularity: undefined })).toThrow(/itemPopularity/);
  });
});
