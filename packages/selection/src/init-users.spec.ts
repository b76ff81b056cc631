import { createMatrix, csrFromPairs, createRng } from "@llminit/core";
import { describe, expect, it } from "vitest";
import { initUsersFromItems } from "./init-users.js";
import { llminitInit } from "./llminit-init.js";

describe("initUsersFromItems", () => {
  const items = createMatrix(3, 2, Float32Array.of(1, 2, 3, 4, 5, 6));

  it("averages each user's training items", () => {
    const train = csrFromPairs(2, 3, [0, 0, 1], [0, 2, 1]);
    expect(Array.from(initUsersFromItems(items, train).data)).toEqual([3, 4, 3, 4]);
  });

  it("gives users without items the documented fallback", () => {
    const train = csrFromPairs(2, 3, [0], [0]);
    expect(Array.from(initUsersFromItems(items, train).data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(initUsersFromItems(items, train, "zeros").data)).toEqual([1, 2, 0, 0]);
  });

  it("checks the item count", () => {
    expect(() => initUsersFromItems(items, csrFromPairs(1, 4, [], []))).toThrow(
      /4 items but the item matrix has 3 rows/,
    );
  });
});

describe("llminitInit", () => {
  it("normalises, selects and pools without touching its input", () => {
    const encoded = createMatrix(2, 4, Float32Array.of(3, 0, 4, 0, 0, 1, 0, 0));
    const train = csrFromPairs(1, 2, [0, 0], [0, 1]);
    const init = llminitInit(encoded, train, { strategy: "uni", dim: 2, rng: createRng(2020) });
    expect(Array.from(init.columns)).toEqual([0, 2]);
    expect(Array.from(init.item.data)).toEqual([Math.fround(0.6), Math.fround(0.8), 0, 0]);
    expect(init.user.data[0]).toBeCloseTo(0.3, 6);
    expect(init.user.data[1]).toBeCloseTo(0.4, 6);
    expect(encoded.data[0]).toBe(3);
    const raw = llminitInit(encoded, train, { strategy: "uni", dim: 2, normalize: false });
    expect(Array.from(raw.item.data)).toEqual([3, 4, 0, 0]);
  });

  it("rejects a mismatched item count", () => {
    expect(() => llminitInit(createMatrix(3, 4), csrFromPairs(1, 2, [], []), { strategy: "uni", dim: 2 })).toThrow(
      /3 item vectors but the train graph has 2 items/,
    );
  });
});
