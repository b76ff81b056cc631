import { describe, expect, it } from "vitest";
import { formatImprovement, formatMeanStd, meanStd } from "./mean-std.js";

describe("meanStd", () => {
  it("computes the mean and the sample standard deviation by hand", () => {
    // mean 2, squared deviations 1 + 0 + 1 = 2, / (3 − 1) = 1.
    expect(meanStd([1, 2, 3])).toEqual({ n: 3, mean: 2, std: 1, missing: 0 });
    expect(formatMeanStd(meanStd([0.1, 0.2]), 4)).toBe(`0.1500 ± ${Math.sqrt(0.005).toFixed(4)}`);
  });

  it("leaves out and counts NaN and null; one value has no std; none has no mean", () => {
    expect(meanStd([NaN, null, 4])).toEqual({ n: 1, mean: 4, std: NaN, missing: 2 });
    expect(formatMeanStd(meanStd([4]))).toBe("4.0000");
    expect(formatMeanStd(meanStd([]))).toBe("–");
  });

  it("formats improvements in percent with a sign", () => {
    expect(formatImprovement(0.12, 0.1)).toBe("+20.0 %");
    expect(formatImprovement(0.09, 0.1)).toBe("−10.0 %");
    expect(formatImprovement(0.1, 0)).toBe("");
  });
});
