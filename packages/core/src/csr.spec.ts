import { describe, expect, it } from "vitest";
import { csrColumnDegrees, csrFromPairs, csrHas, csrRow, csrRowDegrees, csrTranspose, validateCsr } from "./csr.js";

describe("csrFromPairs", () => {
  it("sorts rows and merges duplicates, keeping the last value", () => {
    const csr = csrFromPairs(3, 4, [2, 0, 0, 2, 0], [1, 3, 0, 1, 3], [1, 2, 3, 4, 5]);
    expect(Array.from(csr.indptr)).toEqual([0, 2, 2, 3]);
    expect(Array.from(csr.indices)).toEqual([0, 3, 1]);
    expect(Array.from(csr.values!)).toEqual([3, 5, 4]);
    validateCsr(csr);
  });

  it("can sum duplicate values", () => {
    const csr = csrFromPairs(1, 2, [0, 0], [1, 1], [1, 2], { duplicates: "sum" });
    expect(Array.from(csr.values!)).toEqual([3]);
  });

  it("rejects out-of-range ids with their position", () => {
    expect(() => csrFromPairs(2, 2, [0, 2], [0, 0])).toThrow(/row id 2 at position 1/);
    expect(() => csrFromPairs(2, 2, [0], [-1])).toThrow(/column id -1/);
  });
});

describe("csr helpers", () => {
  const csr = csrFromPairs(3, 3, [0, 0, 1, 2, 2, 2], [0, 2, 1, 0, 1, 2]);

  it("reads rows, degrees and membership", () => {
    expect(Array.from(csrRow(csr, 2))).toEqual([0, 1, 2]);
    expect(Array.from(csrRowDegrees(csr))).toEqual([2, 1, 3]);
    expect(Array.from(csrColumnDegrees(csr))).toEqual([2, 2, 2]);
    expect(csrHas(csr, 0, 2)).toBe(true);
    expect(csrHas(csr, 0, 1)).toBe(false);
    expect(csrHas(csr, 1, 1)).toBe(true);
  });

  it("transposes", () => {
    const t = csrTranspose(csr);
    expect(Array.from(t.indptr)).toEqual([0, 2, 4, 6]);
    expect(Array.from(t.indices)).toEqual([0, 2, 1, 2, 0, 2]);
    validateCsr(t);
    expect(csrTranspose(t)).toEqual(csr);
  });

  it("validation names the broken invariant", () => {
    expect(() =>
      validateCsr({ rows: 1, cols: 2, indptr: Int32Array.of(0, 2), indices: Int32Array.of(1, 0) }, "train"),
    ).toThrow(/train: row 0 columns not sorted/);
  });
});
