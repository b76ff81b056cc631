import { createRng, csrRowDegrees, type Csr } from "@llminit/core";
import { InteractionLogBuilder, splitInteractions, type Split } from "@llminit/data";
import { describe, expect, it } from "vitest";
import { holdOutColdItems } from "./cold-items-split.js";

/** A random-leave-one-out split of a random log: 50 users × 30 items, 8 interactions each. */
function makeSplit(): Split {
  const rng = createRng(1);
  const builder = new InteractionLogBuilder({ rating: false, timestamp: false });
  for (let i = 0; i < 30; i++) builder.items.add(`i${i}`);
  for (let u = 0; u < 50; u++) {
    const items = rng.shuffle(Int32Array.from({ length: 30 }, (_, i) => i)).subarray(0, 8);
    for (const i of items) builder.add(`u${u}`, `i${i}`, NaN, NaN);
  }
  return splitInteractions(builder.build(), { method: "random-loo", rng: createRng(2) });
}

/** (user, original item id) pairs of a matrix whose columns are `ids`. */
function pairs(csr: Csr, users: (u: number) => string, ids: (i: number) => string): string[] {
  const out: string[] = [];
  for (let u = 0; u < csr.rows; u++)
    for (let p = csr.indptr[u]; p < csr.indptr[u + 1]; p++) out.push(`${users(u)}|${ids(csr.indices[p])}`);
  return out.sort();
}

describe("holdOutColdItems", () => {
  const split = makeSplit();
  const userId = (u: number) => split.users.idOf(u);

  it("holds out round(R × items) items, half for validation (rounded down), half for test", () => {
    // 0.23 × 30 = 6.9 → 7 cold items: 3 validation, 4 test.
    const cold = holdOutColdItems(split, { ratio: 0.23, rng: createRng(3) });
    expect(cold.coldValidItems.length).toBe(3);
    expect(cold.coldTestItems.length).toBe(4);
    expect(cold.warm.items.size).toBe(30 - 7);
    expect(cold.warmItems.length).toBe(23);
    const all = new Set([...cold.coldValidItems, ...cold.coldTestItems, ...cold.warmItems]);
    expect(all.size).toBe(30);
    expect(Array.from(cold.warmItems, (i) => split.items.idOf(i))).toEqual(cold.warm.items.toArray());
  });

  it("is deterministic for a seed and draws other items for another seed", () => {
    const a = holdOutColdItems(split, { ratio: 0.2, rng: createRng(3).child("cold-items") });
    const b = holdOutColdItems(split, { ratio: 0.2, rng: createRng(3).child("cold-items") });
    const c = holdOutColdItems(split, { ratio: 0.2, rng: createRng(4).child("cold-items") });
    expect(Array.from(a.coldTestItems)).toEqual(Array.from(b.coldTestItems));
    expect(Array.from(a.coldValidItems)).toEqual(Array.from(b.coldValidItems));
    expect(Array.from(a.coldTestItems)).not.toEqual(Array.from(c.coldTestItems));
  });

  it("puts no cold item in train, moves every interaction of a cold item, and keeps the warm split as it was", () => {
    const cold = holdOutColdItems(split, { ratio: 0.2, rng: createRng(5) });
    const coldIds = new Set([...cold.coldValidItems, ...cold.coldTestItems].map((i) => split.items.idOf(i)));
    const warmId = (i: number) => cold.warm.items.idOf(i);
    for (const part of ["train", "valid", "test"] as const) {
      const kept = pairs(cold.warm[part], userId, warmId);
      for (const pair of kept) expect(coldIds.has(pair.split("|")[1])).toBe(false);
      // The warm part is the standard split minus the cold items' entries: nothing else moves.
      const before = pairs(split[part], userId, (i) => split.items.idOf(i)).filter(
        (p) => !coldIds.has(p.split("|")[1]),
      );
      expect(kept).toEqual(before);
    }
    // Leave-one-out shape: at most one valid and one test item per user.
    expect(Math.max(...csrRowDegrees(cold.warm.valid))).toBe(1);
    expect(Math.max(...csrRowDegrees(cold.warm.test))).toBe(1);
    // Every interaction of a cold item, wherever the split had put it, is in its cold matrix.
    const all = ["train", "valid", "test"].flatMap((part) =>
      pairs(split[part as "train"], userId, (i) => split.items.idOf(i)),
    );
    const validIds = (c: number) => split.items.idOf(cold.coldValidItems[c]);
    const testIds = (c: number) => split.items.idOf(cold.coldTestItems[c]);
    const heldOut = [...pairs(cold.coldValid, userId, validIds), ...pairs(cold.coldTest, userId, testIds)].sort();
    expect(heldOut).toEqual(all.filter((p) => coldIds.has(p.split("|")[1])).sort());
    expect(cold.coldValid.cols).toBe(cold.coldValidItems.length);
  });

  it("rejects shares that leave no cold validation, test or warm item, naming the option", () => {
    expect(() => holdOutColdItems(split, { ratio: 0.02, rng: createRng(1) })).toThrow(
      /option "--cold-items".*1 cold item/,
    );
    expect(() => holdOutColdItems(split, { ratio: 1, rng: createRng(1) })).toThrow(/option "--cold-items": must be in/);
  });
});
