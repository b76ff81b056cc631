import { ShapeError, createMatrix, createRng } from "@llminit/core";
import { describe, expect, it } from "vitest";
import { dotProductScorer } from "./dot-product-scorer.js";

describe("dotProductScorer", () => {
  const rng = createRng(5);
  const numUsers = 11;
  const numItems = 13;
  const dim = 6;
  const user = createMatrix(
    numUsers,
    dim,
    Float32Array.from({ length: numUsers * dim }, () => rng.normal()),
  );
  const item = createMatrix(
    numItems,
    dim,
    Float32Array.from({ length: numItems * dim }, () => rng.normal()),
  );

  function reference(u: number, j: number): number {
    let s = 0;
    for (let c = 0; c < dim; c++) s += user.data[u * dim + c] * item.data[j * dim + c];
    return Math.fround(s);
  }

  it("fills out[i * items + j] with user · item for blocks of four and the remainder", () => {
    const score = dotProductScorer(user, item);
    for (const count of [1, 3, 4, 5, 9]) {
      const users = Int32Array.from({ length: count }, (_, i) => (i * 7 + 3) % numUsers);
      const out = new Float32Array(count * numItems);
      void score(users, out);
      for (let i = 0; i < count; i++) {
        for (let j = 0; j < numItems; j++) expect(out[i * numItems + j]).toBe(reference(users[i], j));
      }
    }
  });

  it("gives a user the same scores whatever chunk it is scored in", () => {
    const score = dotProductScorer(user, item);
    const all = new Float32Array(numUsers * numItems);
    void score(
      Int32Array.from({ length: numUsers }, (_, i) => i),
      all,
    );
    const single = new Float32Array(numItems);
    for (let u = 0; u < numUsers; u++) {
      void score(Int32Array.of(u), single);
      expect(Array.from(single)).toEqual(Array.from(all.subarray(u * numItems, (u + 1) * numItems)));
    }
  });

  it("rejects mismatched dimensions, a short output and unknown users", () => {
    expect(() => dotProductScorer(user, createMatrix(3, dim + 1))).toThrow(ShapeError);
    const score = dotProductScorer(user, item);
    expect(() => score(Int32Array.of(0, 1), new Float32Array(numItems))).toThrow(/output/);
    expect(() => score(Int32Array.of(numUsers), new Float32Array(numItems))).toThrow(/user 11 out of range/);
  });
});
