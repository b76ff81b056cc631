import { createRng, csrFromPairs, type Matrix } from "@llminit/core";
import { describe, expect, it } from "vitest";
import { isolatedItemScale } from "@llminit/models/internal";
import { coldStartSpace, methodUnavailable, type ColdStartContext } from "./cold-start-methods.js";
import { ridgePath } from "./ridge-map.js";

function matrix(rows: number[][]): Matrix {
  return { rows: rows.length, cols: rows[0].length, data: Float32Array.from(rows.flat()) };
}

function dot(a: Matrix, i: number, b: Matrix, j: number): number {
  let s = 0;
  for (let c = 0; c < a.cols; c++) s += a.data[i * a.cols + c] * b.data[j * b.cols + c];
  return s;
}

/**
 * Two clusters of items in a 4-d LLM space (+x or +y direction), trained item embeddings that
 * are a known linear function of the LLM vectors, two users who trained on one cluster each.
 */
function plantedContext(): ColdStartContext {
  const rng = createRng(1);
  const vectors: number[][] = [];
  for (let i = 0; i < 20; i++) {
    const a = i < 10 ? 1 : 0;
    vectors.push([a + 0.1 * rng.normal(), 1 - a + 0.1 * rng.normal(), 0.1 * rng.normal(), 0.1 * rng.normal()]);
  }
  const itemVectors = matrix(vectors);
  // Trained embeddings y = x · W + b for a known W (4 × 2) and b.
  const w = [
    [2, 0],
    [0, 2],
    [1, -1],
    [0.5, 0.5],
  ];
  const item = matrix(vectors.map((x) => [0, 1].map((j) => 0.3 + x.reduce((s, v, c) => s + v * w[c][j], 0))));
  const user = matrix([
    [1, -1],
    [-1, 1],
  ]);
  const train = csrFromPairs(2, 20, [0, 0, 0, 1, 1, 1], [0, 1, 2, 10, 11, 12]);
  return {
    user,
    item,
    dimension: itemVectors.cols,
    itemVectors,
    train,
    selectedColumns: Int32Array.from([0, 1]),
    isolatedScale: 1 / 3,
  };
}

describe("cold-start methods", () => {
  const rng = createRng(7);
  const newItems = matrix([
    [0.05, 0.98, 0, 0.02], // like cluster y
    [0.97, 0.02, 0.01, 0], // like cluster x
  ]);

  it("content-knn ranks the new item most like a user's training items first (cosine, no CF)", () => {
    const context = plantedContext();
    const space = coldStartSpace("content-knn", context, newItems, { rng });
    expect(dot(space.user, 0, space.cold, 1)).toBeGreaterThan(dot(space.user, 0, space.cold, 0));
    expect(dot(space.user, 1, space.cold, 0)).toBeGreaterThan(dot(space.user, 1, space.cold, 1));
    // Cosines: every user and item vector has unit length.
    for (let c = 0; c < 2; c++) expect(dot(space.cold, c, space.cold, c)).toBeCloseTo(1, 5);
    expect(dot(space.user, 0, space.user, 0)).toBeCloseTo(1, 5);
    expect(space.warm.rows).toBe(20);
  });

  it("map predicts a new item's embedding through the fitted linear map", () => {
    const context = plantedContext();
    context.map = ridgePath(context.itemVectors!, context.item).fit(1e-9);
    const space = coldStartSpace("map", context, newItems, { rng });
    const expected = [
      [0.3 + 0.05 * 2 + 0.02 * 0.5, 0.3 + 0.98 * 2 + 0.02 * 0.5],
      [0.3 + 0.97 * 2 + 0.01, 0.3 + 0.02 * 2 - 0.01],
    ];
    for (let r = 0; r < 2; r++)
      for (let c = 0; c < 2; c++) expect(space.cold.data[r * 2 + c]).toBeCloseTo(expected[r][c], 3);
    expect(space.warm).toBe(context.item);
    expect(dot(space.user, 0, space.cold, 1)).toBeGreaterThan(dot(space.user, 0, space.cold, 0));
  });

  it("direct takes the selected dimensions, scaled as an item without edges after propagation", () => {
    const context = plantedContext();
    const space = coldStartSpace("direct", context, newItems, { rng });
    expect(Array.from(space.cold.data)).toEqual(
      [0.05, 0.98, 0.97, 0.02].map((v) => Math.fround(Math.fround(v) * (1 / 3))),
    );
    expect(isolatedItemScale({ model: "lightgcn", layers: 2 })).toBeCloseTo(1 / 3);
    expect(isolatedItemScale({ model: "mf" })).toBe(1);
  });

  it("direct is not applicable without an LLM init; map without a fitted map", () => {
    const context = { ...plantedContext(), selectedColumns: undefined };
    expect(methodUnavailable("direct", context)).toMatch(/not applicable: init none/);
    expect(() => coldStartSpace("direct", context, newItems, { rng })).toThrow(
      /option "method": direct: not applicable/,
    );
    expect(methodUnavailable("map", context)).toMatch(/no ridge map/);
    // SimGCL and XSimGCL score the mean of layers 1 … K: an item without edges is zero there.
    const isolatedScale = isolatedItemScale({ model: "simgcl" });
    expect(isolatedScale).toBe(0);
    expect(methodUnavailable("direct", { ...plantedContext(), isolatedScale })).toMatch(/not applicable: .* as zero/);
    expect(methodUnavailable("content-knn", context)).toBeUndefined();
  });

  it("random draws from the warm items' column distribution, the same for the same stream", () => {
    const context = plantedContext();
    const many = { rows: 4000, cols: 4, data: new Float32Array(4000 * 4) };
    const a = coldStartSpace("random", context, many, { rng: createRng(3) }).cold;
    const b = coldStartSpace("random", context, many, { rng: createRng(3) }).cold;
    expect(a.data).toEqual(b.data);
    for (let c = 0; c < 2; c++) {
      const column = (m: Matrix) => Array.from({ length: m.rows }, (_, r) => m.data[r * m.cols + c]);
      const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
      const warm = column(context.item);
      expect(mean(column(a))).toBeCloseTo(mean(warm), 1);
    }
  });

  it("rejects vectors of another dimension, naming the encoder", () => {
    const context = plantedContext();
    expect(() => coldStartSpace("content-knn", context, matrix([[1, 2, 3]]), { rng })).toThrow(
      /option "encoder": new items have 3-d vectors, the run's catalogue 4-d/,
    );
  });
});
