import { describe, expect, it } from "vitest";
import { createMatrix, createRng } from "@llminit/core";
import { kernelDotProductScorer } from "./kernel-dot-product-scorer.js";

function randomMatrix(rows: number, cols: number, seed: number) {
  const rng = createRng(seed);
  return createMatrix(
    rows,
    cols,
    Float32Array.from({ length: rows * cols }, () => rng.normal()),
  );
}

describe("kernelDotProductScorer", () => {
  it.each([3, 8, 13])(
    "dim %i: scores equal float64 dot products (rel. error < 1e-6) and do not depend on the chunk",
    (dim) => {
      const user = randomMatrix(9, dim, 1);
      const item = randomMatrix(7, dim, 2);
      const score = kernelDotProductScorer(user, item);
      const all = new Float32Array(9 * 7);
      score(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]), all);
      let diff = 0;
      let norm = 0;
      for (let u = 0; u < 9; u++) {
        for (let j = 0; j < 7; j++) {
          let s = 0;
          for (let c = 0; c < dim; c++) s += user.data[u * dim + c] * item.data[j * dim + c];
          diff += (all[u * 7 + j] - s) ** 2;
          norm += s * s;
        }
      }
      expect(Math.sqrt(diff / norm)).toBeLessThan(1e-6);
      const two = new Float32Array(2 * 7);
      score(Int32Array.from([8, 3]), two);
      expect(Array.from(two.subarray(0, 7))).toEqual(Array.from(all.subarray(8 * 7, 9 * 7)));
      expect(Array.from(two.subarray(7))).toEqual(Array.from(all.subarray(3 * 7, 4 * 7)));
    },
  );

  it("rejects mismatched widths, short outputs and unknown users", () => {
    expect(() => kernelDotProductScorer(randomMatrix(2, 3, 1), randomMatrix(2, 4, 2))).toThrow(/columns/);
    const score = kernelDotProductScorer(randomMatrix(2, 4, 1), randomMatrix(3, 4, 2));
    expect(() => score(Int32Array.from([0]), new Float32Array(2))).toThrow(/need 1 × 3/);
    expect(() => score(Int32Array.from([2]), new Float32Array(3))).toThrow(/out of range/);
  });
});
