import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "./backend.js";
import { registerFastSegmentSum, unsortedSegmentSumInto } from "./segment-sum-kernel.js";
import { randomValues, relativeError } from "./test-utils/reference.js";

function referenceSegmentSum(x: Float32Array, ids: number[], rowSize: number, segments: number): Float64Array {
  const out = new Float64Array(segments * rowSize);
  ids.forEach((s, r) => {
    if (s < 0 || s >= segments) return;
    for (let c = 0; c < rowSize; c++) out[s * rowSize + c] += x[r * rowSize + c];
  });
  return out;
}

describe("unsortedSegmentSumInto", () => {
  it("sums rows into segments and skips out-of-range ids", () => {
    const x = randomValues(7 * 3, 1);
    const ids = [2, 0, 2, -1, 4, 9, 0];
    const out = new Float32Array(5 * 3);
    unsortedSegmentSumInto(x, ids, 3, 5, out);
    expect(relativeError(out, referenceSegmentSum(x, ids, 3, 5))).toBeLessThan(1e-6);
    expect(Array.from(out.subarray(3, 6))).toEqual([0, 0, 0]); // segment 1 is empty
  });
});

describe.each(["wasm", "cpu"] as const)("on %s", (backend) => {
  it("registers once, then reports it is already there", async () => {
    await selectBackend(backend);
    expect(registerFastSegmentSum(tf, backend)).toBe(false);
    expect(registerFastSegmentSum(tf, "webgl")).toBe(false);
  });

  it("tf.unsortedSegmentSum matches the reference on a 2-D input", async () => {
    await selectBackend(backend);
    const x = randomValues(50 * 4, 2);
    const ids = Array.from({ length: 50 }, (_, r) => (r * 7) % 11);
    const result = tf.tidy(() =>
      tf.unsortedSegmentSum(tf.tensor2d(x, [50, 4]), tf.tensor1d(ids, "int32"), 11).dataSync(),
    );
    expect(relativeError(result, referenceSegmentSum(x, ids, 4, 11))).toBeLessThan(1e-6);
    const ints = tf.tidy(() =>
      Array.from(
        tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4], "int32"), tf.tensor1d([1, 0, 1, 1], "int32"), 3).dataSync(),
      ),
    );
    expect(ints).toEqual([2, 8, 0]);
  });

  it("gives tf.gather a gradient: repeated rows accumulate", async () => {
    await selectBackend(backend);
    const table = randomValues(6 * 3, 3);
    const weights = randomValues(5 * 3, 4);
    const indices = [4, 1, 4, 0, 4];
    const grad = tf.tidy(() => {
      const g = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.mul(tf.gather(t, tf.tensor1d(indices, "int32")), tf.tensor2d(weights, [5, 3]))),
      );
      return g(tf.tensor2d(table, [6, 3])).dataSync();
    });
    expect(relativeError(grad, referenceSegmentSum(weights, indices, 3, 6))).toBeLessThan(1e-6);
  });
});
