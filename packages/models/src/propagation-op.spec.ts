import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { buildNormalizedAdjacency } from "./adjacency.js";
import { selectBackend } from "./backend.js";
import { createPropagation } from "./propagation-op.js";
import {
  denseNormalizedAdjacency,
  randomGraph,
  randomValues,
  referencePropagation,
  relativeError,
} from "./test-utils/reference.js";

describe.each(["wasm", "cpu"] as const)("createPropagation on %s", (backend) => {
  const train = randomGraph(19, 14, 50, 7);
  const adjacency = buildNormalizedAdjacency(train);
  const dense = denseNormalizedAdjacency(train);
  const dim = 10;
  const n = adjacency.nodes;

  it("forward and gradient match the float64 reference (rel. error < 1e-5)", async () => {
    await selectBackend(backend);
    const propagate = createPropagation(tf, adjacency, 3);
    const x = randomValues(n * dim, 8);
    const w = randomValues(n * dim, 9);
    const before = tf.memory().numTensors;
    const [value, gradient] = tf.tidy(() => {
      const input = tf.tensor2d(x, [n, dim]);
      const weight = tf.tensor2d(w, [n, dim]);
      const out = propagate(input).dataSync();
      // d/dx Σ (P x) ⊙ w = Pᵀ w = P w.
      const g = tf
        .grad((t: tf.Tensor) => tf.sum(tf.mul(propagate(t as tf.Tensor2D), weight)))(input)
        .dataSync();
      return [out, g];
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(relativeError(value, referencePropagation(dense, x, dim, 3))).toBeLessThan(1e-5);
    expect(relativeError(gradient, referencePropagation(dense, w, dim, 3))).toBeLessThan(1e-5);
  });

  it("with rows: returns those final rows and the matching gradient", async () => {
    await selectBackend(backend);
    const propagate = createPropagation(tf, adjacency, 2);
    const x = randomValues(n * dim, 10);
    const rows = [3, 20, 30, 20];
    const w = randomValues(rows.length * dim, 11);
    const [value, gradient] = tf.tidy(() => {
      const input = tf.tensor2d(x, [n, dim]);
      const weight = tf.tensor2d(w, [rows.length, dim]);
      const out = propagate(input, rows);
      expect(out.shape).toEqual([rows.length, dim]);
      const g = tf
        .grad((t: tf.Tensor) => tf.sum(tf.mul(propagate(t as tf.Tensor2D, rows), weight)))(input)
        .dataSync();
      return [out.dataSync(), g];
    });
    const full = referencePropagation(dense, x, dim, 2);
    rows.forEach((r, k) =>
      expect(relativeError(value.subarray(k * dim, (k + 1) * dim), full.subarray(r * dim, (r + 1) * dim))).toBeLessThan(
        1e-5,
      ),
    );
    // d/dx Σ gather(P x, rows) ⊙ w = P · scatter_add(w, rows).
    const scattered = new Float64Array(n * dim);
    rows.forEach((r, k) => {
      for (let c = 0; c < dim; c++) scattered[r * dim + c] += w[k * dim + c];
    });
    expect(relativeError(gradient, referencePropagation(dense, scattered, dim, 2))).toBeLessThan(1e-5);
  });
});
