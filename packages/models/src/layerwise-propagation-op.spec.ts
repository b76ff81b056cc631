import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { createRng } from "@llminit/core";
import { buildNormalizedAdjacency, propagateMean } from "./adjacency.js";
import type { NormalizedAdjacency } from "./adjacency.js";
import { edgeDropout } from "./augmentation.js";
import { selectBackend } from "./backend.js";
import { createLayerwisePropagation } from "./layerwise-propagation-op.js";
import { randomGraph, randomValues, relativeError } from "./test-utils/reference.js";

function dense(a: NormalizedAdjacency): Float64Array[] {
  const m = Array.from({ length: a.nodes }, () => new Float64Array(a.nodes));
  for (let r = 0; r < a.nodes; r++) for (let k = a.indptr[r]; k < a.indptr[r + 1]; k++) m[r][a.indices[k]] = a.values[k];
  return m;
}

function apply(m: Float64Array[], x: ArrayLike<number>, dim: number): Float64Array {
  const n = m.length;
  const out = new Float64Array(n * dim);
  for (let r = 0; r < n; r++) for (let j = 0; j < n; j++) if (m[r][j] !== 0) for (let c = 0; c < dim; c++) out[r * dim + c] += m[r][j] * x[j * dim + c];
  return out;
}

/** mean(x, A₁x, A₂A₁x, …) in float64. */
function reference(ms: Float64Array[][], x: ArrayLike<number>, dim: number): Float64Array {
  let current: Float64Array = Float64Array.from(x);
  const sum = Float64Array.from(x);
  for (const m of ms) {
    current = apply(m, current, dim);
    for (let k = 0; k < sum.length; k++) sum[k] += current[k];
  }
  return sum.map((v) => v / (ms.length + 1));
}

/** Its transpose: mean(g, A₁g, A₁A₂g, …) in float64. */
function referenceTransposed(ms: Float64Array[][], g: ArrayLike<number>, dim: number): Float64Array {
  const sum = Float64Array.from(g);
  for (let k = 1; k <= ms.length; k++) {
    let term: Float64Array = Float64Array.from(g);
    for (let l = k - 1; l >= 0; l--) term = apply(ms[l], term, dim);
    for (let q = 0; q < sum.length; q++) sum[q] += term[q];
  }
  return sum.map((v) => v / (ms.length + 1));
}

describe.each(["wasm", "cpu"] as const)("createLayerwisePropagation on %s", (backend) => {
  const train = randomGraph(17, 12, 45, 5);
  const graphs = [1, 2, 3].map((k) => edgeDropout(train, 0.3, createRng(k)).adjacency);
  const ms = graphs.map(dense);
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
      const gRows = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(propagate(t as tf.Tensor2D, rows), tf.tensor2d(wRows, [rows.length, dim]))))(input);
      return [propagate(input).dataSync(), g.dataSync(), propagate(input, rows).dataSync(), gRows.dataSync()];
    });
    expect(tf.memory().numTensors).toBe(before);
    const full = reference(ms, x, dim);
    expect(relativeError(value, full)).toBeLessThan(1e-5);
    expect(relativeError(gradient, referenceTransposed(ms, w, dim))).toBeLessThan(1e-5);
    rows.forEach((r, k) => expect(relativeError(rowValue.subarray(k * dim, (k + 1) * dim), full.subarray(r * dim, (r + 1) * dim))).toBeLessThan(1e-5));
    const scattered = new Float64Array(n * dim);
    rows.forEach((r, k) => {
      for (let c = 0; c < dim; c++) scattered[r * dim + c] += wRows[k * dim + c];
    });
    expect(relativeError(rowGradient, referenceTransposed(ms, scattered, dim))).toBeLessThan(1e-5);
  });

  it("with the same graph at every layer it is LightGCN's propagation", async () => {
    await selectBackend(backend);
    const adjacency = buildNormalizedAdjacency(train);
    const x = randomValues(n * dim, 4);
    const value = tf.tidy(() => createLayerwisePropagation(tf, [adjacency, adjacency])(tf.tensor2d(x, [n, dim])).dataSync());
    expect(relativeError(value, propagateMean(adjacency, x, dim, 2))).toBeLessThan(1e-6);
  });
});
