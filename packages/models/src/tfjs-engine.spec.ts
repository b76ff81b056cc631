import { afterEach, describe, expect, it, vi } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { createRng } from "@llminit/core";
import { selectBackend } from "./backend.js";
import { MODELS } from "./models/index.js";
import { modelDefaults, resolveTrainConfig } from "./model-registry.js";
import { fixedBatch } from "./test-utils/block-harness.js";
import { randomGraph, randomValues } from "./test-utils/reference.js";
import { createTfjsEngine } from "./tfjs-engine.js";
import type { SparseOps } from "./tfjs-graph.js";

const train = randomGraph(30, 20, 90, 11);
const dim = 6;

function engineFor(model: string, backend: string, sparseOps: SparseOps) {
  const resolved = resolveTrainConfig({ ...modelDefaults[model], dim, batchSize: 8 });
  return createTfjsEngine({
    ...resolved,
    tf,
    backend,
    sparseOps,
    train,
    egoInit: randomValues(50 * dim, 3),
    dim,
    batchSize: 8,
    learningRate: 0.01,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
  });
}

const pairs: [number, number][] = [
  [0, 1],
  [4, 7],
  [0, 3],
  [29, 19],
];
const withNegatives = fixedBatch(30, pairs, [2, 2, 5, 0]);
const withoutNegatives = fixedBatch(30, pairs);

describe("tfjs engine", { timeout: 30_000 }, () => {
  afterEach(() => vi.restoreAllMocks());

  // tfjs-node(-gpu) runs the "gather" ops, wasm and cpu the "segments" ones; both are checked on
  // the CPU backends here. A readback (dataSync, data, array) would stall a GPU at every step.
  it.each(
    MODELS.flatMap((m) => [
      [m.name, "cpu", "gather"],
      [m.name, "wasm", "segments"],
    ]) as [string, "cpu" | "wasm", SparseOps][],
  )(
    "%s on %s with %s ops: a step reads back only its loss, and dispose frees every tensor",
    async (model, backend, ops) => {
      await selectBackend(backend);
      const before = tf.memory().numTensors;
      const engine = engineFor(model, backend, ops);
      const reads = [
        vi.spyOn(tf.Tensor.prototype, "dataSync"),
        vi.spyOn(tf.Tensor.prototype, "data"),
        vi.spyOn(tf.Tensor.prototype, "arraySync"),
        vi.spyOn(tf.Tensor.prototype, "array"),
      ];
      for (let epoch = 1; epoch <= 2; epoch++) {
        engine.beginEpoch(createRng(epoch));
        for (let step = 0; step < 2; step++) {
          reads.forEach((spy) => spy.mockClear());
          const loss = engine.step(MODELS.find((m) => m.name === model)!.negatives ? withNegatives : withoutNegatives);
          expect(Number.isFinite(loss)).toBe(true);
          expect(reads.map((spy) => spy.mock.calls.length)).toEqual([1, 0, 0, 0]);
        }
      }
      vi.restoreAllMocks();
      expect(engine.finalFromEgo(engine.readEgo())).toHaveLength(50 * dim);
      engine.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
