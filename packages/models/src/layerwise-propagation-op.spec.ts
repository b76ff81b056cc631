import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { createRng } from "@llminit/core";
import { buildNormalizedAdjacency, propagateMean } from "./adjacency.js";
import { edgeDropout } from "./augmentation.js";
import { selectBackend } from "./backend.js";
import { createLayerwisePropagation } from "./layerwise-propagation-op.js";
import { denseAdjacency, layeredReference, layeredReferenceTransposed } from "./test-utils/layered-reference.js";
import { randomGraph, randomValues, relativeError } from "./test-utils/reference.js";

describe.each(["wasm", "cpu"] as const)("createLayerwisePropagation on %s", (backend) => {
  const train = randomGraph(17, 12, 45, 5);
  const graphs = [1, 2, 3].map((k) => edgeDropout(train, 0.3, createRng(k)).adjacency);
  const ms = graphs.map(denseAdjacency);
  const dim = 6;
  const n = graphs[0].nodes;

  it("forward and gradient match the float64 reference, all rows and selected rows (rel. error < 1e-5)", async () => {
    await selectBackend(backend);
    const propagate = createLayerwisePropagation(tf, graphs);
    const x = randomValues(n * dim, 1);
    const w = randomValues(n * dim, 2);
    const rows = [4, 20, 4, 28];
    const wRows = randomValues(rows.length * dim, 3);
    const before = tf.memory().numTensors;
    const [value, gradient, rowValue, rowGradient] = tf.tidy(() => {
      const input = tf.tensor2d(x, [n, dim]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(propagate(t as tf.Tensor2D), tf.tensor2d(w, [n, dim]))))(input);
      const gRows = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.mul(propagate(t as tf.Tensor2D, rows), tf.tensor2d(wRows, [rows.length, dim]))),
      )(input);
      return [propagate(input).dataSync(), g.dataSync(), propagate(input, rows).dataSync(), gRows.dataSync()];
    });
    expect(tf.memory().numTensors).toBe(before);
    const full = layeredReference(ms, x, dim);
    expect(relativeError(value, full)).toBeLessThan(1e-5);
    expect(relativeError(gradient, layeredReferenceTransposed(ms, w, dim))).toBeLessThan(1e-5);
    rows.forEach((r, k) =>
      expect(
        relativeError(rowValue.subarray(k * dim, (k + 1) * dim), full.subarray(r * dim, (r + 1) * dim)),
      ).toBeLessThan(1e-5),
    );
    const scattered = new Float64Array(n * dim);
    rows.forEach((r, k) => {
      for (let c = 0; c < dim; c++) scattered[r * dim + c] += wRows[k * dim + c];
    });
    expect(relativeError(rowGradient, layeredReferenceTransposed(ms, scattered, dim))).toBeLessThan(1e-5);
  });

  it("with the same graph at every layer it is LightGCN's propagation", async () => {
    await selectBackend(backend);
    const adjacency = buildNormalizedAdjacency(train);
    const x = randomValues(n * dim, 4);
    const value = tf.tidy(() =>
      createLayerwisePropagation(tf, [adjacency, adjacency])(tf.tensor2d(x, [n, dim])).dataSync(),
    );
    expect(relativeError(value, propagateMean(adjacency, x, dim, 2))).toBeLessThan(1e-6);
  });
});
