import { describe, expect, it } from "vitest";
import { logGamma, regularizedIncompleteBeta, studentTTwoSidedP } from "./student-t.js";

describe("Student's t two-sided p-value", () => {
  // Expected: 2 · scipy.stats.t.sf(|t|, df), scipy 1.17.1.
  it.each([
    [0.5, 3, 0.651447964848151],
    [2.2281388519649385, 10, 0.05000000000180864], // the tabled 97.5 % quantile of t(10)
    [1, 1, 0.5000000000000001], // Cauchy: exactly 1/2
    [3, 5, 0.030099247897462586],
    [-2.5, 30, 0.01811564906806669],
    [1.96, 9779, 0.05002414693761967],
    [4.5, 9779, 6.873840023753066e-6],
    [0.1, 9779, 0.9203463753330088],
    [8, 20000, 1.3114898596500467e-15],
    [12, 5000, 9.966656426348314e-33],
    [2, 2.5, 0.1573914957579659],
  ])("t = %f, df = %f → p = %f", (t, df, expected) => {
    const p = studentTTwoSidedP(t, df);
    expect(Math.abs(p - expected) / expected).toBeLessThan(1e-9);
  });

  it("handles the ends: t = 0 gives 1, infinite t gives 0, NaN stays NaN", () => {
    expect(studentTTwoSidedP(0, 7)).toBe(1);
    expect(studentTTwoSidedP(Infinity, 7)).toBe(0);
    expect(studentTTwoSidedP(NaN, 7)).toBeNaN();
    expect(() => studentTTwoSidedP(1, 0)).toThrow(RangeError);
  });

  it("builds on a log-gamma and an incomplete beta with known values", () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 14);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    // I_x(1, 1) = x; I_x(a, 1) = x^a; symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
    expect(regularizedIncompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(regularizedIncompleteBeta(0.7, 3, 1)).toBeCloseTo(0.343, 14);
    expect(regularizedIncompleteBeta(0.2, 2.5, 4) + regularizedIncompleteBeta(0.8, 4, 2.5)).toBeCloseTo(1, 14);
  });
});
