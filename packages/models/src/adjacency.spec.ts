import { describe, expect, it } from "vitest";
import { ShapeError } from "@llminit/core";
import { buildNormalizedAdjacency, propagateMean, propagateMeanSparse, spmm } from "./adjacency.js";
import {
  denseNormalizedAdjacency,
  randomGraph,
  randomValues,
  referencePropagation,
  relativeError,
} from "./test-utils/reference.js";

describe("buildNormalizedAdjacency", () => {
  it("stores exactly the entries of D^-1/2 [[0,R],[Rᵀ,0]] D^-1/2, sorted, 2 × nnz", () => {
    const train = randomGraph(7, 5, 10, 1);
    const adjacency = buildNormalizedAdjacency(train);
    const dense = denseNormalizedAdjacency(train);
    expect(adjacency.nodes).toBe(12);
    expect(adjacency.indices.length).toBe(2 * train.indptr[7]);
    let stored = 0;
    for (let r = 0; r < adjacency.nodes; r++) {
      for (let k = adjacency.indptr[r]; k < adjacency.indptr[r + 1]; k++) {
        if (k > adjacency.indptr[r]) expect(adjacency.indices[k]).toBeGreaterThan(adjacency.indices[k - 1]);
        expect(adjacency.values[k]).toBeCloseTo(dense[r][adjacency.indices[k]], 7);
        stored++;
      }
    }
    const nonZero = dense.reduce((s, row) => s + row.filter((v) => v !== 0).length, 0);
    expect(stored).toBe(nonZero);
  });

  it("keeps users and items without edges as empty rows", () => {
    const train = { rows: 3, cols: 3, indptr: Int32Array.from([0, 1, 1, 2]), indices: Int32Array.from([0, 0]) };
    const adjacency = buildNormalizedAdjacency(train);
    expect(adjacency.indptr[2] - adjacency.indptr[1]).toBe(0); // user 1
    expect(adjacency.indptr[6] - adjacency.indptr[5]).toBe(0); // item 2
    const out = propagateMean(
      adjacency,
      Float32Array.from({ length: 12 }, (_, k) => k + 1),
      2,
      2,
    );
    expect(Array.from(out.subarray(2, 4))).toEqual([Math.fround(3 / 3), Math.fround(4 / 3)]);
  });
});

describe("propagation on typed arrays", () => {
  const train = randomGraph(23, 17, 60, 2);
  const adjacency = buildNormalizedAdjacency(train);
  const dense = denseNormalizedAdjacency(train);

  for (const dim of [8, 13]) {
    it(`spmm matches the float64 reference (dim ${dim})`, () => {
      const x = randomValues(adjacency.nodes * dim, 3);
      const out = new Float32Array(x.length);
      spmm(adjacency, x, dim, out);
      expect(
        relativeError(
          out,
          referencePropagation(dense, x, dim, 1).map((v, k) => 2 * v - x[k]),
        ),
      ).toBeLessThan(1e-5);
    });

    it(`propagateMean matches mean(x, Âx, Â²x, Â³x) (dim ${dim})`, () => {
      const x = randomValues(adjacency.nodes * dim, 4);
      for (const layers of [0, 1, 2, 3]) {
        const out = propagateMean(adjacency, x, dim, layers);
        expect(relativeError(out, referencePropagation(dense, x, dim, layers))).toBeLessThan(1e-5);
      }
    });

    it(`propagateMean with rows returns exactly those rows, in order (dim ${dim})`, () => {
      const x = randomValues(adjacency.nodes * dim, 5);
      const rows = [0, 5, 23, 39, 5];
      const full = propagateMean(adjacency, x, dim, 2);
      for (const layers of [0, 1, 2, 3]) {
        const reference = referencePropagation(dense, x, dim, layers);
        const partial = propagateMean(adjacency, x, dim, layers, rows);
        expect(partial.length).toBe(rows.length * dim);
        rows.forEach((r, n) => {
          expect(
            relativeError(partial.subarray(n * dim, (n + 1) * dim), reference.subarray(r * dim, (r + 1) * dim)),
          ).toBeLessThan(1e-5);
        });
      }
      expect(propagateMean(adjacency, x, dim, 2, [39]).subarray(0, dim)).toEqual(full.subarray(39 * dim, 40 * dim));
    });

    it(`propagateMeanSparse equals the dense map for a row-sparse input (dim ${dim})`, () => {
      const x = randomValues(adjacency.nodes * dim, 6);
      const rows = [1, 24, 30];
      for (let r = 0; r < adjacency.nodes; r++) if (!rows.includes(r)) x.fill(0, r * dim, (r + 1) * dim);
      const reference = referencePropagation(dense, x, dim, 2);
      expect(relativeError(propagateMeanSparse(adjacency, x, dim, 2), reference)).toBeLessThan(1e-5);
      expect(relativeError(propagateMeanSparse(adjacency, x, dim, 2, rows), reference)).toBeLessThan(1e-5);
      expect(
        relativeError(propagateMeanSparse(adjacency, x, dim, 3), referencePropagation(dense, x, dim, 3)),
      ).toBeLessThan(1e-5);
    });
  }

  it("rejects wrong shapes and rows", () => {
    expect(() => propagateMean(adjacency, new Float32Array(5), 4, 1)).toThrow(ShapeError);
    expect(() => propagateMean(adjacency, new Float32Array(adjacency.nodes * 4), 4, 1, [adjacency.nodes])).toThrow(
      RangeError,
    );
    expect(() => propagateMean(adjacency, new Float32Array(adjacency.nodes * 4), 4, -1)).toThrow(RangeError);
  });
});
