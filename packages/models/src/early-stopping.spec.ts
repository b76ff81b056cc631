import { describe, expect, it } from "vitest";
import { isImprovement, roundHalfEven, shouldStop } from "./early-stopping.js";

describe("early-stopping rules", () => {
  it("rounds like numpy's round(x, 4): half to even on x · 10^4 in float64", () => {
    // Expected values from numpy 2.4 (np.round(x, 4)); the same function agreed with numpy on
    // 224,000 values in [0, 0.2] (random, every multiple of 1/20000 and of 1/3200).
    expect(roundHalfEven(0.051735404484648875, 4)).toBe(0.0517);
    expect(roundHalfEven(0.04845, 4)).toBe(0.0484); // 0.04845 · 1e4 = 484.5 in float64 → even
    expect(roundHalfEven(0.03125, 4)).toBe(0.0312); // exactly 312.5 → even
    expect(roundHalfEven(0.09375, 4)).toBe(0.0938); // exactly 937.5 → even
    expect(roundHalfEven(0.00005, 4)).toBe(0); // 0.5 → even
    expect(roundHalfEven(0.00015, 4)).toBe(0.0001); // 1.4999999999999998 → down
    expect(roundHalfEven(-0.03125, 4)).toBe(-0.0312);
  });

  it("strict: only a greater score improves; stops after `patience` evaluations without one", () => {
    expect(isImprovement("strict", 0.1, undefined)).toBe(true);
    expect(isImprovement("strict", 0.1, 0.1)).toBe(false);
    expect(isImprovement("strict", 0.10001, 0.1)).toBe(true);
    expect(shouldStop("strict", 9, 10)).toBe(false);
    expect(shouldStop("strict", 10, 10)).toBe(true);
  });

  it("recbole: ≥ on the 4-decimal score improves; stops once cur_step > max_step (patience + 1)", () => {
    expect(isImprovement("recbole", 0.05174, 0.05171)).toBe(true); // both 0.0517: a tie is ≥
    expect(isImprovement("recbole", 0.05164, 0.05171)).toBe(false); // 0.0516 < 0.0517
    expect(isImprovement("recbole", 0.05166, 0.05171)).toBe(true); // 0.0517 ≥ 0.0517
    expect(shouldStop("recbole", 10, 10)).toBe(false);
    expect(shouldStop("recbole", 11, 10)).toBe(true);
  });
});
