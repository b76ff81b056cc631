import { describe, expect, it } from "vitest";
import { createRng } from "@llminit/core";
import { expandSharedSum, planSharedSums } from "./shared-sums.js";

/** Rows as CSR from lists. */
function csr(lists: number[][]): { indptr: Int32Array; indices: Int32Array } {
  const indptr = new Int32Array(lists.length + 1);
  lists.forEach((list, r) => (indptr[r + 1] = indptr[r] + list.length));
  return { indptr, indices: Int32Array.from(lists.flat()) };
}

/** Each rewritten row, expanded into leaves, sorted. */
function expandedRows(plan: ReturnType<typeof planSharedSums>): number[][] {
  return Array.from({ length: plan.indptr.length - 1 }, (_, r) => {
    const leaves: number[] = [];
    for (let k = plan.indptr[r]; k < plan.indptr[r + 1]; k++) expandSharedSum(plan, plan.ids[k], leaves);
    return leaves.sort((a, b) => a - b);
  });
}

/** Rows whose leaves come from a few dense groups: many shared pairs. */
function groupedRows(rows: number, leaves: number, seed: number): number[][] {
  const rng = createRng(seed);
  const groups = Array.from({ length: 4 }, () => Array.from({ length: 12 }, () => rng.int(leaves)));
  return Array.from({ length: rows }, () => {
    const row = new Set<number>();
    for (const id of groups[rng.int(groups.length)]) if (rng.next() < 0.8) row.add(id);
    for (let extra = 0; extra < 3; extra++) row.add(rng.int(leaves));
    return [...row];
  });
}

describe("planSharedSums", () => {
  it("keeps every row's leaves and saves additions where pairs are shared", () => {
    const lists = groupedRows(300, 80, 7);
    const { indptr, indices } = csr(lists);
    const plan = planSharedSums(indptr, indices, 80);
    expect(expandedRows(plan)).toEqual(lists.map((list) => [...list].sort((a, b) => a - b)));
    const additions = plan.ids.length + plan.pairs.length / 2;
    expect(plan.pairs.length / 2).toBeGreaterThan(10);
    expect(additions).toBeLessThan(0.6 * indices.length);
    // Each sum holds ids made before it.
    for (let n = 0; n < plan.pairs.length / 2; n++) {
      expect(plan.pairs[2 * n]).toBeLessThan(80 + n);
      expect(plan.pairs[2 * n + 1]).toBeLessThan(80 + n);
    }
  });

  it("is deterministic and respects maxSums", () => {
    const lists = groupedRows(200, 50, 3);
    const { indptr, indices } = csr(lists);
    const a = planSharedSums(indptr, indices, 50, { maxSums: 5 });
    const b = planSharedSums(indptr, indices, 50, { maxSums: 5 });
    expect(a.pairs.length / 2).toBe(5);
    expect(Array.from(a.ids)).toEqual(Array.from(b.ids));
    expect(Array.from(a.pairs)).toEqual(Array.from(b.pairs));
    expect(expandedRows(a)).toEqual(lists.map((list) => [...list].sort((x, y) => x - y)));
    const none = planSharedSums(indptr, indices, 50, { maxSums: 0 });
    expect(none.pairs.length).toBe(0);
    expect(Array.from(none.ids)).toEqual(Array.from(indices));
  });

  it("leaves rows with a repeated leaf, empty and single rows as they are", () => {
    const lists = [[1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3, 1], [], [2], [3, 1, 2]];
    const { indptr, indices } = csr(lists);
    const plan = planSharedSums(indptr, indices, 4);
    expect(plan.pairs.length / 2).toBeGreaterThan(0);
    const row = (r: number) => Array.from(plan.ids.subarray(plan.indptr[r], plan.indptr[r + 1]));
    expect(row(3)).toEqual([1, 2, 3, 1]);
    expect(row(4)).toEqual([]);
    expect(row(5)).toEqual([2]);
    expect(expandedRows(plan)).toEqual(lists.map((list) => [...list].sort((a, b) => a - b)));
    // The four rows holding {1, 2, 3} once each share one sum of all three.
    for (const r of [0, 1, 2, 6]) expect(row(r)).toHaveLength(1);
  });
});
