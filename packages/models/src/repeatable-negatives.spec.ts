import { createRng } from "@llminit/core";
import { describe, expect, it } from "vitest";
import { sampleRepeatableNegatives } from "./repeatable-negatives.js";

describe("sampleRepeatableNegatives", () => {
  it("rejects only the current positive and covers every other item uniformly", () => {
    const positives = new Int32Array(8000).fill(2);
    const out = sampleRepeatableNegatives(5, positives, createRng(1), new Int32Array(8000));
    const counts = [0, 0, 0, 0, 0];
    for (const j of out) counts[j]++;
    expect(counts[2]).toBe(0);
    // 2000 expected per item; 5 standard deviations ≈ 194.
    for (const j of [0, 1, 3, 4]) expect(Math.abs(counts[j] - 2000)).toBeLessThan(200);
  });

  it("is deterministic for a seed and refuses a catalogue with nothing to draw", () => {
    const positives = Int32Array.of(0, 1, 0, 1);
    const a = sampleRepeatableNegatives(2, positives, createRng(7), new Int32Array(4));
    expect(Array.from(a)).toEqual([1, 0, 1, 0]);
    const b = sampleRepeatableNegatives(9, positives, createRng(7), new Int32Array(4));
    expect(sampleRepeatableNegatives(9, positives, createRng(7), new Int32Array(4))).toEqual(b);
    expect(() => sampleRepeatableNegatives(1, positives, createRng(7), new Int32Array(4))).toThrow(/at least 2/);
  });
});
