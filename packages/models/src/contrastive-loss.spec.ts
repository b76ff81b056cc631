import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "./backend.js";
import { infoNceLoss, l2NormalizeRows, matMulTransposed, pairContrastLoss, rowLogSumExp } from "./contrastive-loss.js";
import {
  infoNceReference,
  normalizedRows,
  numericGradient,
  sgclReference,
} from "./test-utils/contrastive-reference.js";
import { randomValues, relativeError } from "./test-utils/reference.js";

// Tolerances: values are compared at relative error < 1e-5 (float32 has 6e-8 unit roundoff; the
// loss is a few dozen float32 operations deep). Gradients are compared norm-wise at < 1e-4: they
// go through the normalisation's 1/‖x‖³ terms and a softmax minus one-hot whose float32 terms
// cancel, while the float64 central differences are exact to ~1e-9.
const VALUE_TOLERANCE = 1e-5;
const GRADIENT_TOLERANCE = 1e-4;

describe.each(["wasm", "cpu"] as const)("contrastive losses on %s", (backend) => {
  it("l2NormalizeRows matches x / max(‖x‖, 1e-12), zero rows stay zero", async () => {
    await selectBackend(backend);
    const x = randomValues(4 * 3, 1);
    x.fill(0, 6, 9);
    const out = tf.tidy(() => l2NormalizeRows(tf, tf.tensor2d(x, [4, 3])).dataSync());
    expect(relativeError(out, normalizedRows(x, 4, 3))).toBeLessThan(1e-6);
    expect(Array.from(out.subarray(6, 9))).toEqual([0, 0, 0]);
  });

  it("rowLogSumExp: value and softmax gradient match float64, stable at logits of ±1000", async () => {
    await selectBackend(backend);
    const [rows, cols] = [3, 5];
    const x = Float32Array.from(randomValues(rows * cols, 12), (v) => v * 3);
    x[7] = 1000; // naive exp overflows; the stable form does not
    x[11] = -1000;
    const w = randomValues(rows, 13);
    const ref = (v: ArrayLike<number>) => {
      let t = 0;
      for (let r = 0; r < rows; r++) {
        const row = Array.from({ length: cols }, (_, c) => v[r * cols + c]);
        const max = Math.max(...row);
        t += w[r] * (max + Math.log(row.reduce((s, e) => s + Math.exp(e - max), 0)));
      }
      return t;
    };
    const before = tf.memory().numTensors;
    const [value, gradient] = tf.tidy(() => {
      const f = (t: tf.Tensor) => tf.sum(tf.mul(rowLogSumExp(tf, t as tf.Tensor2D), tf.tensor1d(w)));
      return [
        f(tf.tensor2d(x, [rows, cols])).dataSync()[0],
        tf
          .grad(f)(tf.tensor2d(x, [rows, cols]))
          .dataSync(),
      ];
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.abs(value - ref(x)) / Math.abs(ref(x))).toBeLessThan(VALUE_TOLERANCE);
    // Analytic float64 gradient: w_r · softmax(x_r).
    const expected = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      const row = Array.from({ length: cols }, (_, c) => x[r * cols + c]);
      const max = Math.max(...row);
      const z = row.reduce((s, e) => s + Math.exp(e - max), 0);
      for (let c = 0; c < cols; c++) expected[r * cols + c] = (w[r] * Math.exp(row[c] - max)) / z;
    }
    expect(relativeError(gradient, expected)).toBeLessThan(1e-6);
  });

  it("matMulTransposed: a·bᵀ and both gradients, also with a = b", async () => {
    await selectBackend(backend);
    const [s, m, d] = [3, 5, 4];
    const a = randomValues(s * d, 2);
    const b = randomValues(m * d, 3);
    const w = randomValues(s * m, 4);
    const ref = (aa: ArrayLike<number>, bb: ArrayLike<number>) => {
      let t = 0;
      for (let i = 0; i < s; i++)
        for (let j = 0; j < m; j++) for (let c = 0; c < d; c++) t += w[i * m + j] * aa[i * d + c] * bb[j * d + c];
      return t;
    };
    const before = tf.memory().numTensors;
    const [value, ga, gb] = tf.tidy(() => {
      const weight = tf.tensor2d(w, [s, m]);
      const f = (x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(matMulTransposed(tf, x as tf.Tensor2D, y as tf.Tensor2D), weight));
      const grads = tf.grads(f)([tf.tensor2d(a, [s, d]), tf.tensor2d(b, [m, d])]);
      return [
        f(tf.tensor2d(a, [s, d]), tf.tensor2d(b, [m, d])).dataSync()[0],
        grads[0].dataSync(),
        grads[1].dataSync(),
      ];
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.abs(value - ref(a, b)) / Math.abs(ref(a, b))).toBeLessThan(VALUE_TOLERANCE);
    expect(
      relativeError(
        ga,
        numericGradient((x) => ref(x, b), a),
      ),
    ).toBeLessThan(GRADIENT_TOLERANCE);
    expect(
      relativeError(
        gb,
        numericGradient((x) => ref(a, x), b),
      ),
    ).toBeLessThan(GRADIENT_TOLERANCE);
    // Gram matrix: the same tensor in both slots gets both gradients summed.
    const square = randomValues(m * m, 5);
    const gram = tf.tidy(() => {
      const weight = tf.tensor2d(square, [m, m]);
      return tf
        .grad((x: tf.Tensor) => tf.sum(tf.mul(matMulTransposed(tf, x as tf.Tensor2D, x as tf.Tensor2D), weight)))(
          tf.tensor2d(b, [m, d]),
        )
        .dataSync();
    });
    const gramRef = (x: ArrayLike<number>) => {
      let t = 0;
      for (let i = 0; i < m; i++)
        for (let j = 0; j < m; j++) for (let c = 0; c < d; c++) t += square[i * m + j] * x[i * d + c] * x[j * d + c];
      return t;
    };
    expect(relativeError(gram, numericGradient(gramRef, b))).toBeLessThan(GRADIENT_TOLERANCE);
  });

  it.each([
    ["in-batch negatives", undefined],
    ["explicit positives among more candidates", [4, 0, 6, 2, 1]],
  ] as const)("infoNceLoss, %s: value and gradient match the float64 reference", async (_name, positives) => {
    await selectBackend(backend);
    const [s, d, tau] = [5, 6, 0.2];
    const m = positives === undefined ? s : 7;
    const v1 = randomValues(s * d, 6);
    const v2 = randomValues(m * d, 7);
    const before = tf.memory().numTensors;
    const [value, g1, g2] = tf.tidy(() => {
      const f = (x: tf.Tensor, y: tf.Tensor) =>
        infoNceLoss(tf, {
          view1: x as tf.Tensor2D,
          view2: y as tf.Tensor2D,
          temperature: tau,
          positives: positives === undefined ? undefined : Int32Array.from(positives),
        });
      const grads = tf.grads(f)([tf.tensor2d(v1, [s, d]), tf.tensor2d(v2, [m, d])]);
      return [
        f(tf.tensor2d(v1, [s, d]), tf.tensor2d(v2, [m, d])).dataSync()[0],
        grads[0].dataSync(),
        grads[1].dataSync(),
      ];
    });
    expect(tf.memory().numTensors).toBe(before);
    const p = positives === undefined ? undefined : [...positives];
    const expected = infoNceReference(v1, v2, s, m, d, tau, p);
    expect(Math.abs(value - expected) / expected).toBeLessThan(VALUE_TOLERANCE);
    expect(
      relativeError(
        g1,
        numericGradient((x) => infoNceReference(x, v2, s, m, d, tau, p), v1),
      ),
    ).toBeLessThan(GRADIENT_TOLERANCE);
    expect(
      relativeError(
        g2,
        numericGradient((x) => infoNceReference(v1, x, s, m, d, tau, p), v2),
      ),
    ).toBeLessThan(GRADIENT_TOLERANCE);
  });

  it("infoNceLoss stays finite and exact at a temperature whose naive exp overflows float32", async () => {
    await selectBackend(backend);
    const [s, d, tau] = [4, 3, 0.005]; // logits up to 200; e^200 > 3.4e38
    const v1 = randomValues(s * d, 8);
    const v2 = randomValues(s * d, 9);
    const value = tf.tidy(
      () =>
        infoNceLoss(tf, {
          view1: tf.tensor2d(v1, [s, d]),
          view2: tf.tensor2d(v2, [s, d]),
          temperature: tau,
        }).dataSync()[0],
    );
    const expected = infoNceReference(v1, v2, s, s, d, tau);
    expect(Number.isFinite(value)).toBe(true);
    // Logits of 200 carry float32 rounding of ~1e-5 absolute.
    expect(Math.abs(value - expected) / expected).toBeLessThan(1e-4);
  });

  it("pairContrastLoss: value and gradient match the float64 reference, with a repeated user", async () => {
    await selectBackend(backend);
    const [b, d, tau] = [5, 4, 0.2];
    const final = randomValues(2 * b * d, 10);
    final.set(final.subarray(0, d), 2 * d); // user row 2 repeats user row 0, as a batch may
    const before = tf.memory().numTensors;
    const [value, gradient] = tf.tidy(() => {
      const f = (x: tf.Tensor) => pairContrastLoss(tf, x as tf.Tensor2D, tau);
      return [
        f(tf.tensor2d(final, [2 * b, d])).dataSync()[0],
        tf
          .grad(f)(tf.tensor2d(final, [2 * b, d]))
          .dataSync(),
      ];
    });
    expect(tf.memory().numTensors).toBe(before);
    const none = new Float64Array(2 * b * d);
    const expected = sgclReference(final, none, b, d, tau, 0);
    expect(Math.abs(value - expected) / expected).toBeLessThan(VALUE_TOLERANCE);
    expect(
      relativeError(
        gradient,
        numericGradient((x) => sgclReference(x, none, b, d, tau, 0), final),
      ),
    ).toBeLessThan(GRADIENT_TOLERANCE);
  });

  it("rejects mismatched shapes and a non-positive temperature", async () => {
    await selectBackend(backend);
    tf.tidy(() => {
      const a = tf.zeros([3, 2]) as tf.Tensor2D;
      expect(() => infoNceLoss(tf, { view1: a, view2: tf.zeros([4, 2]) as tf.Tensor2D, temperature: 0.2 })).toThrow(
        /3 anchors but 4 candidates/,
      );
      expect(() => infoNceLoss(tf, { view1: a, view2: a, positives: new Int32Array(2), temperature: 0.2 })).toThrow(
        /2 positives/,
      );
      expect(() => infoNceLoss(tf, { view1: a, view2: a, temperature: 0 })).toThrow(/temperature/);
      expect(() => pairContrastLoss(tf, a, 0.2)).toThrow(/2B stacked rows/);
    });
  });
});
