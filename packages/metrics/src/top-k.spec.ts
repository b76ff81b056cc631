import { createRng } from "@llminit/core";
import { describe, expect, it } from "vitest";
import { createTopKWorkspace, selectTopK, topKIndices } from "./top-k.js";

/** Reference: sort every unmasked index by score desc, index asc. */
function sortAll(row: Float32Array, masked?: Uint8Array): number[] {
  const items: number[] = [];
  for (let j = 0; j < row.length; j++) if (masked === undefined || masked[j] === 0) items.push(j);
  return items.sort((a, b) => row[b] - row[a] || a - b);
}

describe("topKIndices", () => {
  it("returns the best items, best first", () => {
    expect(Array.from(topKIndices(Float32Array.of(0.1, 0.9, 0.5, 0.7), 2))).toEqual([1, 3]);
  });

  it("breaks ties by lower item index", () => {
    expect(Array.from(topKIndices(Float32Array.of(0.1, 0.9, 0.5, 0.9), 3))).toEqual([1, 3, 2]);
    expect(Array.from(topKIndices(new Float32Array(6).fill(2), 4))).toEqual([0, 1, 2, 3]);
    // The tie at the cut-off: item 4 (0.5) loses to item 2 (0.5).
    expect(Array.from(topKIndices(Float32Array.of(0, 1, 0.5, 0, 0.5), 2))).toEqual([1, 2]);
  });

  it("skips masked items and returns a shorter list when k exceeds the rankable items", () => {
    const row = Float32Array.of(5, 4, 3, 2);
    const masked = Uint8Array.of(1, 0, 1, 0);
    expect(Array.from(topKIndices(row, 10, masked))).toEqual([1, 3]);
    expect(Array.from(topKIndices(row, 10))).toEqual([0, 1, 2, 3]);
    expect(topKIndices(row, 3, Uint8Array.of(1, 1, 1, 1)).length).toBe(0);
  });

  it("ranks -Infinity and +Infinity as ordinary scores", () => {
    expect(Array.from(topKIndices(Float32Array.of(-Infinity, 1, Infinity, -Infinity), 4))).toEqual([2, 1, 0, 3]);
  });

  it("throws on NaN scores of unmasked items only", () => {
    expect(() => topKIndices(Float32Array.of(1, NaN, 2), 1)).toThrow(/item 1 is NaN/);
    expect(() => topKIndices(Float32Array.of(NaN, 1, 2), 1)).toThrow(/item 0 is NaN/);
    expect(Array.from(topKIndices(Float32Array.of(1, NaN, 2), 2, Uint8Array.of(0, 1, 0)))).toEqual([2, 0]);
  });

  it("rejects k ≤ 0 and a short mask", () => {
    expect(() => topKIndices(Float32Array.of(1), 0)).toThrow(RangeError);
    expect(() => topKIndices(Float32Array.of(1, 2), 1, Uint8Array.of(0))).toThrow(/mask/);
  });

  it("agrees with a full sort on random rows with many ties", () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + rng.int(80);
      const row = new Float32Array(n);
      const levels = 1 + rng.int(10);
      for (let j = 0; j < n; j++) row[j] = rng.int(levels) / levels;
      const masked = new Uint8Array(n);
      for (let j = 0; j < n; j++) masked[j] = rng.next() < 0.2 ? 1 : 0;
      const k = 1 + rng.int(n + 5);
      expect(Array.from(topKIndices(row, k, masked))).toEqual(sortAll(row, masked).slice(0, k));
      expect(Array.from(topKIndices(row, k))).toEqual(sortAll(row).slice(0, k));
    }
  });

  it("reuses a workspace across rows", () => {
    const workspace = createTopKWorkspace(2);
    const out = new Int32Array(2);
    expect(selectTopK(Float32Array.of(1, 3, 2), workspace, out)).toBe(2);
    expect(Array.from(out)).toEqual([1, 2]);
    expect(selectTopK(Float32Array.of(9), workspace, out)).toBe(1);
    expect(out[0]).toBe(0);
  });
});
