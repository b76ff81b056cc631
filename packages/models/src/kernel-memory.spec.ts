import { describe, expect, it } from "vitest";
import { ConfigError, createRng } from "@llminit/core";
import { createKernelEngine } from "./kernel-engine.js";
import {
  WASM32_MEMORY_LIMIT_BYTES,
  assertKernelEngineFits,
  kernelEngineMemory,
  largestFittingDim,
} from "./kernel-memory.js";
import { randomGraph } from "./test-utils/reference.js";
import { modelDefaults, trainModel } from "./train-model.js";
import type { ModelName, TrainConfig } from "./types.js";

const PAGE = 65536;

describe("kernelEngineMemory", () => {
  const train = randomGraph(40, 30, 200, 5);
  const users = train.rows;
  const items = train.cols;
  const interactions = train.indptr[users];

  // The estimate is what the engine then allocates, up to the shared-sums plan's bound (its sums
  // depend on the graph): never below, at most that bound above.
  type Extra = { sslNegatives?: "all" | "batch"; augmentation?: "ed" | "rw" };
  it.each<[ModelName, number, number, number, Extra]>([
    ["lightgcn", 8, 3, 1, {}],
    ["lightgcn", 13, 2, 2, {}],
    ["mf", 8, 0, 1, {}],
    ["sgl", 8, 2, 1, { sslNegatives: "all", augmentation: "ed" }],
    ["sgl", 12, 3, 2, { sslNegatives: "batch", augmentation: "rw" }],
    ["sgcl", 8, 1, 1, {}],
  ])(
    "%s d = %i, %i layers, %i threads: an upper bound of the engine's allocation",
    (model, dim, layers, threads, extra) => {
      const batchSize = 16;
      const engine = createKernelEngine({
        model,
        train,
        egoInit: new Float32Array((users + items) * dim),
        dim,
        layers,
        batchSize,
        threads,
        learningRate: 1e-3,
        regWeight: 1e-4,
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        temperature: 0.2,
        sslWeight: 0.05,
        dropRatio: 0.1,
        augmentation: extra.augmentation ?? "ed",
        sslNegatives: extra.sslNegatives ?? "all",
      });
      try {
        const actual = engine.wasmBytes?.() ?? NaN;
        const estimate = kernelEngineMemory({
          model,
          users,
          items,
          interactions,
          dim,
          layers,
          batchSize,
          threads,
          ...extra,
        });
        const width = Math.ceil(dim / 4) * 4;
        // The plan's bound: every cached row a sum (pairs, and per-thread scratch), every entry rewritten.
        const cacheRows = Math.floor((768 * 1024) / (4 * width));
        const sharedSlack = model === "mf" ? 0 : 2 * 8 * cacheRows + threads * 4 * width * cacheRows + 8 * interactions;
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

  it("trainModel stops before the first epoch when the kernels engine cannot hold the run", async () => {
    // SGL with every user or item as a negative keeps batch × max(users, items) logits: 2^25 × 40 × 4 B do not fit.
    const config = {
      ...modelDefaults.sgl,
      model: "sgl",
      dim: 8,
      layers: 1,
      batchSize: 2 ** 25,
      epochs: 1,
      patience: 1,
      learningRate: 1e-3,
    } as TrainConfig;
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
