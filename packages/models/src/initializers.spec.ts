import { describe, expect, it } from "vitest";
import { ShapeError, createMatrix, createRng } from "@llminit/core";
import { initializeEmbeddings } from "./initializers.js";

function stats(data: Float32Array): { mean: number; std: number; max: number } {
  let sum = 0;
  let sq = 0;
  let max = 0;
  for (const v of data) {
    sum += v;
    sq += v * v;
    max = Math.max(max, Math.abs(v));
  }
  const mean = sum / data.length;
  return { mean, std: Math.sqrt(sq / data.length - mean * mean), max };
}

describe("initializeEmbeddings", () => {
  it("xavier: Glorot uniform per table, bound √(6 / (rows + dim))", () => {
    const { user, item } = initializeEmbeddings({ kind: "xavier" }, 3000, 500, 64, createRng(1));
    for (const [m, rows] of [
      [user, 3000],
      [item, 500],
    ] as const) {
      const bound = Math.sqrt(6 / (rows + 64));
      const s = stats(m.data);
      expect(s.max).toBeLessThanOrEqual(bound);
      expect(s.max).toBeGreaterThan(bound * 0.99);
      expect(s.std).toBeCloseTo(bound / Math.sqrt(3), 3);
      expect(Math.abs(s.mean)).toBeLessThan(bound / 50);
    }
  });

  it("normal: N(0, std²), default std 0.1", () => {
    const s = stats(initializeEmbeddings({ kind: "normal" }, 1000, 1000, 32, createRng(1)).user.data);
    expect(s.std).toBeCloseTo(0.1, 2);
    expect(
      stats(initializeEmbeddings({ kind: "normal", std: 0.01 }, 1000, 10, 32, createRng(1)).user.data).std,
    ).toBeCloseTo(0.01, 3);
  });

  it("is a pure function of the rng", () => {
    const a = initializeEmbeddings({ kind: "xavier" }, 10, 5, 4, createRng(9).child("init"));
    const b = initializeEmbeddings({ kind: "xavier" }, 10, 5, 4, createRng(9).child("init"));
    expect(a).toEqual(b);
  });

  it("pretrained: copies the caller's matrices after checking shape and values", () => {
    const user = createMatrix(2, 3, Float32Array.from([1, 2, 3, 4, 5, 6]));
    const item = createMatrix(1, 3, Float32Array.from([7, 8, 9]));
    const out = initializeEmbeddings({ kind: "pretrained", user, item }, 2, 1, 3, createRng(1));
    expect(out.user.data).toEqual(user.data);
    expect(out.user.data).not.toBe(user.data);
    expect(() => initializeEmbeddings({ kind: "pretrained", user, item }, 2, 2, 3, createRng(1))).toThrow(ShapeError);
    const bad = createMatrix(1, 3, Float32Array.from([0, Number.NaN, 0]));
    expect(() => initializeEmbeddings({ kind: "pretrained", user, item: bad }, 2, 1, 3, createRng(1))).toThrow(
      /init\.item: value at row 0, column 1 is NaN/,
    );
  });
});
