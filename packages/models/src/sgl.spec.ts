import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { createRng } from "@llminit/core";
import type { NormalizedAdjacency } from "./adjacency.js";
import { sampleAugmentedView } from "./augmentation.js";
import type { Augmentation } from "./augmentation.js";
import { selectBackend } from "./backend.js";
import { createSglViews, sglSslLoss } from "./sgl.js";
import { randomGraph, randomValues } from "./test-utils/reference.js";

/** mean(x, A₁x, …) in float64 with one sparse graph per layer. */
function propagate(graphs: readonly NormalizedAdjacency[], x: ArrayLike<number>, dim: number): Float64Array {
  let current = Float64Array.from(x);
  const sum = Float64Array.from(x);
  for (const a of graphs) {
    const next = new Float64Array(current.length);
    for (let r = 0; r < a.nodes; r++) {
      for (let k = a.indptr[r]; k < a.indptr[r + 1]; k++)
        for (let c = 0; c < dim; c++) next[r * dim + c] += a.values[k] * current[a.indices[k] * dim + c];
    }
    for (let k = 0; k < sum.length; k++) sum[k] += next[k];
    current = next;
  }
  return sum.map((v) => v / (graphs.length + 1));
}

function unit(x: Float64Array, r: number, dim: number): Float64Array {
  const row = x.slice(r * dim, (r + 1) * dim);
  const norm = Math.max(Math.hypot(...row), 1e-12);
  return row.map((v) => v / norm);
}

/** InfoNCE in float64: anchors (node ids) against candidates (node ids); the positive is the anchor itself. */
function infoNce(
  e1: Float64Array,
  e2: Float64Array,
  anchors: number[],
  candidates: number[],
  dim: number,
  tau: number,
): number {
  let total = 0;
  for (const s of anchors) {
    const z1 = unit(e1, s, dim);
    const logits = candidates.map((t) => unit(e2, t, dim).reduce((acc, v, c) => acc + v * z1[c], 0) / tau);
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((acc, l) => acc + Math.exp(l - max), 0));
    total += lse - logits[candidates.indexOf(s)];
  }
  return total / anchors.length;
}

describe("sglSslLoss", () => {
  const train = randomGraph(9, 7, 25, 11);
  const users = 9;
  const nodes = 16;
  const dim = 5;
  const ego = randomValues(nodes * dim, 12);
  const anchorUsers = Int32Array.from([3, 0, 7]);
  const anchorItems = Int32Array.from([2, 6]);

  it.each([
    ["ed", "all"],
    ["nd", "batch"],
    ["rw", "all"],
    ["rw", "batch"],
  ] as [Augmentation, "all" | "batch"][])(
    "%s views, %s negatives: InfoNCE_U + InfoNCE_I matches float64 (rel. error < 1e-5)",
    async (augmentation, negatives) => {
      await selectBackend("wasm");
      const rng = createRng(5).child("epoch-1").child("views");
      const views = createSglViews(tf, train, augmentation, 0.3, 2, rng);
      const value = tf.tidy(
        () =>
          sglSslLoss(tf, {
            ego: tf.tensor2d(ego, [nodes, dim]),
            views,
            users,
            anchorUsers,
            anchorItems,
            negatives,
            temperature: 0.2,
          }).dataSync()[0],
      );
      // The same views, drawn again from the same rng path.
      const graphs = ["view-1", "view-2"].map(
        (name) => sampleAugmentedView(train, augmentation, 0.3, 2, rng.child(name)).layers,
      );
      const layered = (g: readonly NormalizedAdjacency[]) => (augmentation === "rw" ? g : [g[0], g[0]]);
      const e1 = propagate(layered(graphs[0]), ego, dim);
      const e2 = propagate(layered(graphs[1]), ego, dim);
      const userAnchors = Array.from(anchorUsers);
      const itemAnchors = Array.from(anchorItems, (i) => users + i);
      const allUsers = Array.from({ length: users }, (_, u) => u);
      const allItems = Array.from({ length: nodes - users }, (_, i) => users + i);
      const expected =
        infoNce(e1, e2, userAnchors, negatives === "all" ? allUsers : userAnchors, dim, 0.2) +
        infoNce(e1, e2, itemAnchors, negatives === "all" ? allItems : itemAnchors, dim, 0.2);
      expect(Math.abs(value - expected) / expected).toBeLessThan(1e-5);
    },
  );
});
