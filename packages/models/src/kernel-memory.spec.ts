import { describe, expect, it } from "vitest";
import { ConfigError, createRng } from "@llminit/core";
import type { Csr } from "@llminit/core";
import { createKernelEngine } from "./kernel-engine.js";
import {
  WASM32_MEMORY_LIMIT_BYTES,
  assertKernelEngineFits,
  kernelEngineMemory,
  largestFittingDim,
} from "./kernel-memory.js";
import { modelDefaults, modelNames, resolveTrainConfig } from "./model-registry.js";
import { fixedBatch } from "./test-utils/block-harness.js";
import { randomGraph } from "./test-utils/reference.js";
import { trainModel } from "./train-model.js";
import type { TrainingEngine } from "./training-engine.js";
import type { TrainConfig } from "./types.js";

const PAGE = 65536;

/** Runs `epochs` epochs of steps on `engine` as the trainer does: shuffled pairs in batches, the last one short. */
function trainSteps(engine: TrainingEngine, train: Csr, batchSize: number, negatives: boolean, epochs: number): void {
  const pairs: [number, number][] = [];
  for (let u = 0; u < train.rows; u++)
    for (let k = train.indptr[u]; k < train.indptr[u + 1]; k++) pairs.push([u, train.indices[k]]);
  const rng = createRng(3);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const epochRng = rng.child(`epoch-${epoch}`);
    engine.beginEpoch(epochRng);
    const order = Int32Array.from(pairs, (_, k) => k);
    epochRng.child("shuffle").shuffle(order);
    for (let from = 0; from < pairs.length; from += batchSize) {
      const batch = Array.from(order.subarray(from, from + batchSize), (k) => pairs[k]);
      const drawn = negatives ? batch.map(() => rng.int(train.cols)) : undefined;
      expect(Number.isFinite(engine.step(fixedBatch(train.rows, batch, drawn)))).toBe(true);
    }
  }
}

describe("kernelEngineMemory", () => {
  const train = randomGraph(40, 30, 200, 5);
  const users = train.rows;
  const items = train.cols;
  const interactions = train.indptr[users];

  // The estimate is what the engine allocates over training, up to the shared-sums plan's bound
  // (its sums depend on the graph): never below, at most that bound above.
  type Case = [string, number, number, Record<string, number | string>];
  const cases: Case[] = [
    ["lightgcn", 8, 1, { layers: 3 }],
    ["lightgcn", 13, 2, { layers: 2 }],
    ["mf", 8, 1, {}],
    ["sgl", 8, 1, { layers: 2, sslNegatives: "all", augmentation: "ed" }],
    ["sgl", 12, 2, { layers: 3, sslNegatives: "batch", augmentation: "rw" }],
    ["sgl", 8, 1, { layers: 1, augmentation: "nd", batchSize: 512 }],
    ["sgcl", 8, 1, { layers: 1 }],
    ["simgcl", 8, 2, { layers: 2 }],
    ["simgcl", 5, 1, { layers: 3, batchSize: 7 }],
    ["xsimgcl", 8, 1, { layers: 3, contrastLayer: 2 }],
    ["xsimgcl", 12, 2, { layers: 1, sslWeight: 0 }],
  ];
  it("covers every registered model", () => {
    expect(new Set(cases.map(([model]) => model))).toEqual(new Set(modelNames()));
  });
  it.each(cases)(
    "%s d = %i on %i threads %j: an upper bound of what the engine allocates over two epochs",
    (name, dim, threads, options) => {
      const { model, settings } = resolveTrainConfig({ model: name, dim, batchSize: 16, ...options });
      const engine = createKernelEngine({
        model,
        settings,
        train,
        egoInit: new Float32Array((users + items) * dim),
        dim,
        batchSize: settings.batchSize,
        threads,
        learningRate: 1e-3,
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
      });
      try {
        trainSteps(engine, train, settings.batchSize, model.negatives, 2);
        engine.finalFromEgo(engine.readEgo());
        const actual = engine.wasmBytes?.() ?? NaN;
        const estimate = kernelEngineMemory({
          model: name,
          users,
          items,
          interactions,
          dim,
          batchSize: settings.batchSize,
          threads,
          ...options,
        });
        const width = Math.ceil(dim / 4) * 4;
        // The plan's bound: every cached row a sum (pairs, and per-thread scratch), every entry rewritten.
        const cacheRows = Math.floor((768 * 1024) / (4 * width));
        const sharedSlack = name === "mf" ? 0 : 2 * 8 * cacheRows + threads * 4 * width * cacheRows + 8 * interactions;
        expect(estimate.total - PAGE).toBeGreaterThanOrEqual(actual);
        expect(estimate.total - PAGE).toBeLessThanOrEqual(actual + sharedSlack + 1024);
        expect(estimate.parameters + estimate.optimizer + estimate.graph + estimate.buffers + PAGE).toBe(
          estimate.total,
        );
      } finally {
        engine.dispose();
      }
    },
  );

  // MovieLens-20M's shape (the `bench scale` L graph).
  const large = {
    model: "lightgcn" as const,
    users: 138_493,
    items: 26_744,
    interactions: 20_000_263,
    layers: 3,
    batchSize: 2048,
    threads: 2,
  };

  it("MovieLens-20M size fits at d = 64 and not at d = 512; the largest d that fits is found", () => {
    expect(kernelEngineMemory({ ...large, dim: 64 }).total).toBeLessThan(WASM32_MEMORY_LIMIT_BYTES);
    expect(kernelEngineMemory({ ...large, dim: 512 }).total).toBeGreaterThan(WASM32_MEMORY_LIMIT_BYTES);
    const fitting = largestFittingDim({ ...large, dim: 512 });
    expect(fitting).toBeGreaterThan(64);
    expect(kernelEngineMemory({ ...large, dim: fitting }).total).toBeLessThanOrEqual(WASM32_MEMORY_LIMIT_BYTES);
    expect(kernelEngineMemory({ ...large, dim: fitting + 1 }).total).toBeGreaterThan(WASM32_MEMORY_LIMIT_BYTES);
  });

  it("a run over the limit fails with the limit and the ways out, naming --dim", () => {
    const error = (() => {
      try {
        assertKernelEngineFits({ ...large, dim: 512 });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe("dim");
    const message = (error as Error).message;
    expect(message).toMatch(/wasm32 memory is limited to 4 GiB/);
    expect(message).toMatch(/needs \d+\.\d\d GiB/);
    expect(message).toMatch(/--engine tfjs/);
    expect(message).toMatch(new RegExp(`--dim ${largestFittingDim({ ...large, dim: 512 })} or less`));
  });

  it("names another value of a model's choice option when that one fits", () => {
    // SGL's all-node negatives keep 2048 × 2 M logits (16 GiB); in-batch negatives fit at any d here.
    const shape = { model: "sgl", users: 2_000_000, items: 1_000_000, interactions: 10_000_000, threads: 1 };
    const error = (() => {
      try {
        assertKernelEngineFits({ ...shape, dim: 4, batchSize: 2048 });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message).toMatch(/no d fits at these settings.*, or --ssl-negatives batch$/);
    expect(() => assertKernelEngineFits({ ...shape, dim: 4, batchSize: 2048, sslNegatives: "batch" })).not.toThrow();
  });

  it("trainModel stops before the first epoch when the kernels engine cannot hold the run", async () => {
    // SGL's contrastive workspace holds at least batch × batch logits: 2^25 × 2^25 × 4 B do not fit.
    const config: TrainConfig = {
      ...modelDefaults.sgl,
      dim: 8,
      layers: 1,
      batchSize: 2 ** 25,
      epochs: 1,
      patience: 1,
      learningRate: 1e-3,
    };
    let epochs = 0;
    const error = await trainModel({
      train,
      config,
      init: { kind: "xavier" },
      rng: createRng(1),
      engine: "kernels",
      onEpoch: () => epochs++,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/4 GiB.*--engine tfjs/s);
    expect(epochs).toBe(0);
  });
});
