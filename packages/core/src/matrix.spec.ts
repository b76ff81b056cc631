import { describe, expect, it } from "vitest";
import { createMatrix, gatherColumns, gatherRows, matrixRow, normalizeRowsL2 } from "./matrix.js";
import { Vocab } from "./vocab.js";

describe("matrix", () => {
  const m = createMatrix(2, 3, Float32Array.of(1, 2, 3, 4, 5, 6));

  it("checks the data length", () => {
    expect(() => createMatrix(2, 2, new Float32Array(3))).toThrow(/3 values, expected 2 × 2/);
  });

  it("reads rows and gathers rows and columns", () => {
    expect(Array.from(matrixRow(m, 1))).toEqual([4, 5, 6]);
    expect(Array.from(gatherRows(m, [1, 1, 0]).data)).toEqual([4, 5, 6, 4, 5, 6, 1, 2, 3]);
    expect(Array.from(gatherColumns(m, [2, 0]).data)).toEqual([3, 1, 6, 4]);
    expect(() => gatherColumns(m, [3])).toThrow(/column 3 out of range/);
  });

  it("normalises rows, leaving zero rows alone", () => {
    const n = normalizeRowsL2(createMatrix(2, 2, Float32Array.of(3, 4, 0, 0)));
    expect(Array.from(n.data)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0]);
  });
});

describe("Vocab", () => {
  it("maps ids both ways and subsets", () => {
    const vocab = new Vocab();
    expect(vocab.add("u9")).toBe(0);
    expect(vocab.add("u3")).toBe(1);
    expect(vocab.add("u9")).toBe(0);
    expect(vocab.idOf(1)).toBe("u3");
    const { vocab: kept, remap } = vocab.subset([false, true]);
    expect(kept.toArray()).toEqual(["u3"]);
    expect(Array.from(remap)).toEqual([-1, 0]);
    expect(() => Vocab.from(["a", "a"])).toThrow(/duplicate id "a"/);
  });
});
