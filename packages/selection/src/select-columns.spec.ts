import { createMatrix, createRng } from "@llminit/core";
import { describe, expect, it } from "vitest";
import { mostPopular, selectColumns } from "./select-columns.js";

const wide = createMatrix(4, 768);

describe("uni", () => {
  it("takes every ⌊D/d⌋-th column: D = 768, d = 128 → 0, 6, …, 762", () => {
    const columns = selectColumns("uni", wide, 128);
    expect(columns.length).toBe(128);
    expect(Array.from(columns.subarray(0, 4))).toEqual([0, 6, 12, 18]);
    expect(columns[127]).toBe(762);
  });

  it("uses the floor of the step: D = 10, d = 3 → 0, 3, 6", () => {
    expect(Array.from(selectColumns("uni", createMatrix(1, 10), 3))).toEqual([0, 3, 6]);
  });
});

describe("rand", () => {
  it("draws d distinct ascending columns, reproducibly for a seed", () => {
    const a = selectColumns("rand", wide, 128, { rng: createRng(2020) });
    const b = selectColumns("rand", wide, 128, { rng: createRng(2020) });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(new Set(a).size).toBe(128);
    for (let j = 1; j < a.length; j++) expect(a[j]).toBeGreaterThan(a[j - 1]);
    expect(Array.from(selectColumns("rand", wide, 128, { rng: createRng(1) }))).not.toEqual(Array.from(a));
  });

  it("can draw with replacement like the official code", () => {
    const columns = selectColumns("rand", createMatrix(1, 4), 64, { rng: createRng(3), withReplacement: true });
    expect(columns.length).toBe(64);
    expect(new Set(columns).size).toBeLessThanOrEqual(4);
    for (const c of columns) expect(c).toBeLessThan(4);
  });

  it("needs an rng", () => {
    expect(() => selectColumns("rand", wide, 8)).toThrow(/seeded Rng/);
  });
});

describe("var", () => {
  // 10 items × 4 columns. Degrees make items 7 and 2 the top 20 %.
  const data = new Float32Array(40);
  const degrees = [1, 1, 9, 1, 1, 1, 1, 8, 1, 1];
  // Column 0 varies a lot among unpopular items only; column 3 varies among popular ones,
  // column 1 a little among popular ones; column 2 is constant.
  for (let i = 0; i < 10; i++) data[i * 4 + 0] = i % 2 === 0 ? 100 : -100;
  data[2 * 4 + 3] = 5;
  data[7 * 4 + 3] = -5;
  data[2 * 4 + 1] = 1;
  data[7 * 4 + 1] = 0;
  data[2 * 4 + 0] = 0;
  data[7 * 4 + 0] = 0;
  const matrix = createMatrix(10, 4, data);

  it("ranks columns by variance over the popular items only, indices ascending", () => {
    expect(Array.from(selectColumns("var", matrix, 2, { itemDegrees: degrees }))).toEqual([1, 3]);
    expect(Array.from(selectColumns("var", matrix, 1, { itemDegrees: degrees }))).toEqual([3]);
  });

  it("depends on the popular ratio", () => {
    // With every item counted, column 0's ±100 dominates.
    expect(Array.from(selectColumns("var", matrix, 1, { itemDegrees: degrees, popularRatio: 1 }))).toEqual([0]);
  });

  it("validates its inputs", () => {
    expect(() => selectColumns("var", matrix, 2)).toThrow(/training degrees/);
    expect(() => selectColumns("var", matrix, 2, { itemDegrees: [1, 2] })).toThrow(
      /2 entries but the embedding matrix has 10 items/,
    );
    expect(() => selectColumns("var", matrix, 2, { itemDegrees: degrees, popularRatio: 0 })).toThrow(/popularRatio/);
  });
});

describe("selectColumns errors", () => {
  it("rejects d > D, d ≤ 0, empty matrices and unknown strategies", () => {
    expect(() => selectColumns("uni", createMatrix(2, 8), 9)).toThrow(/select 9 of the encoder's 8 dimensions/);
    expect(() => selectColumns("uni", createMatrix(2, 8), 0)).toThrow(/positive integer/);
    expect(() => selectColumns("uni", createMatrix(0, 8), 2)).toThrow(/empty 0 × 8/);
    expect(() => selectColumns("pca" as "uni", createMatrix(2, 8), 2)).toThrow(/unknown selection strategy "pca"/);
  });
});

describe("mostPopular", () => {
  it("breaks degree ties by lower index", () => {
    expect(Array.from(mostPopular([3, 5, 5, 1], 2))).toEqual([1, 2]);
  });
});
