import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "./backend.js";
import { gatherRows, scoreMargins } from "./row-ops.js";
import { randomValues, relativeError } from "./test-utils/reference.js";

describe.each(["wasm", "cpu"] as const)("row ops on %s", (backend) => {
  it("gatherRows equals tf.gather, values and gradient (repeats accumulate)", async () => {
    await selectBackend(backend);
    const table = randomValues(7 * 5, 1);
    const weights = randomValues(6 * 5, 2);
    const indices = Int32Array.from([6, 0, 6, 3, 6, 1]);
    const before = tf.memory().numTensors;
    const [ours, stock, oursGrad, stockGrad] = tf.tidy(() => {
      const t = tf.tensor2d(table, [7, 5]);
      const w = tf.tensor2d(weights, [6, 5]);
      const idx = tf.tensor1d(indices, "int32");
      const f1 = (x: tf.Tensor) => tf.sum(tf.mul(gatherRows(tf, x as tf.Tensor2D, indices), w));
      const f2 = (x: tf.Tensor) => tf.sum(tf.mul(tf.gather(x, idx), w));
      return [
        gatherRows(tf, t, indices).dataSync(),
        tf.gather(t, idx).dataSync(),
        tf.grad(f1)(t).dataSync(),
        tf.grad(f2)(t).dataSync(),
      ];
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(ours).toEqual(stock);
    expect(relativeError(oursGrad, stockGrad)).toBeLessThan(1e-6);
    expect(() => tf.tidy(() => gatherRows(tf, tf.zeros([2, 2]) as tf.Tensor2D, Int32Array.from([2])))).toThrow(
      RangeError,
    );
  });

  it("scoreMargins equals ⟨u, j⟩ − ⟨u, i⟩ and its gradient equals autodiff of stock ops", async () => {
    await selectBackend(backend);
    const batch = 4;
    const dim = 6;
    const values = randomValues(3 * batch * dim, 3);
    const upstream = randomValues(batch, 4);
    const [ours, stock, oursGrad, stockGrad] = tf.tidy(() => {
      const x = tf.tensor2d(values, [3 * batch, dim]);
      const g = tf.tensor1d(upstream);
      const reference = (t: tf.Tensor) => {
        const [u, i, j] = tf.split(t, 3);
        return tf.sub(tf.sum(tf.mul(u, j), 1), tf.sum(tf.mul(u, i), 1));
      };
      const f1 = (t: tf.Tensor) => tf.sum(tf.mul(scoreMargins(tf, t as tf.Tensor2D), g));
      const f2 = (t: tf.Tensor) => tf.sum(tf.mul(reference(t), g));
      return [
        scoreMargins(tf, x).dataSync(),
        reference(x).dataSync(),
        tf.grad(f1)(x).dataSync(),
        tf.grad(f2)(x).dataSync(),
      ];
    });
    const expected = new Float64Array(batch);
    for (let b = 0; b < batch; b++) {
      for (let c = 0; c < dim; c++) {
        const u = values[b * dim + c];
        expected[b] += u * values[(2 * batch + b) * dim + c] - u * values[(batch + b) * dim + c];
      }
    }
    expect(relativeError(ours, expected)).toBeLessThan(1e-6);
    expect(relativeError(stock, expected)).toBeLessThan(1e-5);
    expect(relativeError(oursGrad, stockGrad)).toBeLessThan(1e-6);
  });
});
