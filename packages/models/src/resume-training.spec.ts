import { describe, expect, it } from "vitest";
import { createRng } from "@llminit/core";
import { float32PowerByProducts } from "./engine-state.js";
import { clusterAuc, plantedClusters } from "./test-utils/planted-clusters.js";
import { modelDefaults } from "./model-registry.js";
import { trainModel } from "./train-model.js";
import type { EngineName } from "./training-engine.js";
import type { Embeddings, TrainConfig, TrainingCheckpoint, TrainOptions } from "./types.js";

const { train, heldOut } = plantedClusters(1);

/** A validation score from the embeddings themselves, so that early stopping depends on training. */
const validate = async (embeddings: Embeddings) => Math.round(clusterAuc(embeddings, heldOut) * 50) / 50;

const OFFICIAL: Partial<TrainConfig> = { negatives: "exclude-positive", earlyStopping: "recbole" };

function copy(checkpoint: TrainingCheckpoint): TrainingCheckpoint {
  return structuredClone(checkpoint);
}

describe("trainModel: checkpoints and resume", { timeout: 120_000 }, () => {
  const cases: Array<[string, EngineName, Partial<TrainConfig>, Partial<TrainOptions>]> = [
    ["lightgcn", "kernels", { dim: 6 }, {}],
    ["sgl", "kernels", { dim: 8, augmentation: "ed" }, { threads: 2 }],
    ["sgcl", "kernels", { dim: 8 }, {}],
    ["lightgcn", "tfjs", { dim: 6 }, { backend: "wasm" }],
    ["sgl", "tfjs", { dim: 8, augmentation: "nd", sslNegatives: "batch" }, { backend: "wasm" }],
    // The official protocol: negatives that exclude only the positive, RecBole's early stopping.
    ["lightgcn", "kernels", { dim: 6, ...OFFICIAL }, { threads: 2 }],
    ["mf", "kernels", { dim: 6, layers: 0, ...OFFICIAL }, {}],
    ["lightgcn", "tfjs", { dim: 6, ...OFFICIAL }, { backend: "wasm" }],
    // SimGCL draws its noise seeds step by step from the epoch's stream, XSimGCL as well (all 7 epochs run).
    ["simgcl", "kernels", { dim: 8, patience: 7 }, { threads: 2 }],
    ["xsimgcl", "kernels", { dim: 8, layers: 3, contrastLayer: 2, patience: 7 }, {}],
    ["simgcl", "tfjs", { dim: 6, patience: 7 }, { backend: "wasm" }],
    ["xsimgcl", "tfjs", { dim: 6, patience: 7, ...OFFICIAL }, { backend: "wasm" }],
  ];

  it.each(cases)("%s on %s: resuming after any epoch ends bitwise as the uninterrupted run", async (...args) => {
    const [model, engine, extra, engineOptions] = args;
    const config = {
      ...modelDefaults[model],
      layers: 2,
      learningRate: 0.02,
      batchSize: 64,
      epochs: 7,
      patience: 2,
      ...extra,
    } as TrainConfig;
    const options: TrainOptions = {
      train,
      config,
      init: { kind: "xavier" },
      rng: createRng(2020),
      engine,
      validate,
      ...engineOptions,
    };
    const checkpoints: TrainingCheckpoint[] = [];
    const whole = await trainModel({ ...options, onCheckpoint: (c) => void checkpoints.push(copy(c)) });
    expect(whole.engine).toBe(engine);
    expect(checkpoints.map((c) => c.epoch)).toEqual(whole.history.map((r) => r.epoch));
    expect(checkpoints.at(-1)!.state.step).toBe(whole.epochsRun * Math.ceil(train.indptr[train.rows] / 64));

    for (const checkpoint of checkpoints) {
      // The kernels engine gives the same bits for any thread count: resume on the other one.
      const threads = engine === "kernels" ? (engineOptions.threads === 2 ? 1 : 2) : undefined;
      const later: number[] = [];
      const resumed = await trainModel({
        ...options,
        threads,
        rng: createRng(2020),
        resumeFrom: copy(checkpoint),
        onCheckpoint: (c) => void later.push(c.epoch),
      });
      const label = `resumed after epoch ${checkpoint.epoch}`;
      expect(resumed.final.user.data, label).toEqual(whole.final.user.data);
      expect(resumed.final.item.data, label).toEqual(whole.final.item.data);
      expect(resumed.ego.item.data, label).toEqual(whole.ego.item.data);
      expect(
        resumed.history.map((r) => [r.epoch, r.loss, r.valid, r.best]),
        label,
      ).toEqual(whole.history.map((r) => [r.epoch, r.loss, r.valid, r.best]));
      const outcome = (r: typeof whole) => [r.bestEpoch, r.epochsRun, r.stoppedEarly, r.bestValid, r.engine];
      expect(outcome(resumed), label).toEqual(outcome(whole));
      expect(later, label).toEqual(whole.history.slice(checkpoint.epoch).map((r) => r.epoch));
    }
  });

  it("the early-stopping state travels: a checkpoint after the stop trains nothing more", async () => {
    const config = { ...modelDefaults.lightgcn, dim: 8, layers: 1, batchSize: 64, epochs: 30 };
    const scores = [0.1, 0.5, 0.4, 0.3, 0.2, 0.9];
    const options: TrainOptions = {
      train,
      config: { ...config, patience: 3 },
      init: { kind: "xavier" },
      rng: createRng(3),
      engine: "kernels",
      validate: async (_e, epoch) => scores[epoch - 1],
    };
    const checkpoints: TrainingCheckpoint[] = [];
    const whole = await trainModel({ ...options, onCheckpoint: (c) => void checkpoints.push(copy(c)) });
    expect(whole).toMatchObject({ epochsRun: 5, bestEpoch: 2, stoppedEarly: true, bestValid: 0.5 });
    expect(checkpoints.map((c) => [c.bestEpoch, c.sinceBest])).toEqual([
      [1, 0],
      [2, 0],
      [2, 1],
      [2, 2],
      [2, 3],
    ]);
    const epochs: number[] = [];
    const resumed = await trainModel({
      ...options,
      resumeFrom: checkpoints[4],
      onEpoch: (r) => epochs.push(r.epoch),
    });
    expect(epochs).toEqual([]);
    expect(resumed).toMatchObject({ epochsRun: 5, bestEpoch: 2, stoppedEarly: true, bestValid: 0.5 });
    expect(resumed.final.item.data).toEqual(whole.final.item.data);
  });

  it("RecBole's rule travels too: a tie is a new best, the stop comes one evaluation later", async () => {
    const config = { ...modelDefaults.lightgcn, dim: 8, layers: 1, batchSize: 64, epochs: 30 };
    // 0.50004 rounds to 0.5 (4 decimals): a tie, so the best epoch moves to 3.
    const scores = [0.1, 0.5, 0.50004, 0.4, 0.3, 0.2, 0.9];
    const options: TrainOptions = {
      train,
      config: { ...config, patience: 2, earlyStopping: "recbole", negatives: "exclude-positive" },
      init: { kind: "xavier" },
      rng: createRng(3),
      engine: "kernels",
      validate: async (_e, epoch) => scores[epoch - 1],
    };
    const checkpoints: TrainingCheckpoint[] = [];
    const whole = await trainModel({ ...options, onCheckpoint: (c) => void checkpoints.push(copy(c)) });
    expect(whole).toMatchObject({ epochsRun: 6, bestEpoch: 3, stoppedEarly: true, bestValid: 0.50004 });
    expect(checkpoints.map((c) => [c.bestEpoch, c.sinceBest, c.earlyStopping])).toEqual([
      [1, 0, "recbole"],
      [2, 0, "recbole"],
      [3, 0, "recbole"],
      [3, 1, "recbole"],
      [3, 2, "recbole"],
      [3, 3, "recbole"],
    ]);
    // After epoch 5, sinceBest = patience: the strict rule would stop here, RecBole's trains epoch 6.
    for (const [from, expected] of [
      [4, [6]],
      [5, []],
    ] as const) {
      const epochs: number[] = [];
      const resumed = await trainModel({
        ...options,
        resumeFrom: copy(checkpoints[from]),
        onEpoch: (r) => void epochs.push(r.epoch),
      });
      expect(epochs, `resumed after epoch ${from + 1}`).toEqual(expected);
      expect(resumed).toMatchObject({ epochsRun: 6, bestEpoch: 3, stoppedEarly: true, bestValid: 0.50004 });
      expect(resumed.final.item.data).toEqual(whole.final.item.data);
    }
    await expect(
      trainModel({ ...options, config: { ...options.config, earlyStopping: "strict" }, resumeFrom: checkpoints[4] }),
    ).rejects.toThrow(/resumeFrom.*"recbole" rule, this run uses "strict"/);
  });

  it("rejects a checkpoint that does not fit the run, naming resumeFrom", async () => {
    const config = { ...modelDefaults.mf, dim: 4, layers: 0, batchSize: 64, epochs: 2 };
    const options: TrainOptions = { train, config, init: { kind: "xavier" }, rng: createRng(1), engine: "kernels" };
    const checkpoints: TrainingCheckpoint[] = [];
    await trainModel({ ...options, onCheckpoint: (c) => void checkpoints.push(copy(c)) });
    const [first] = checkpoints;
    await expect(trainModel({ ...options, engine: "tfjs", backend: "wasm", resumeFrom: first })).rejects.toThrow(
      /resumeFrom.*kernels engine, this run uses tfjs/,
    );
    await expect(trainModel({ ...options, config: { ...config, dim: 8 }, resumeFrom: first })).rejects.toThrow(
      /resumeFrom.*bestEgo has 400 values, expected 100 × 8/,
    );
    await expect(trainModel({ ...options, config: { ...config, epochs: 0 }, resumeFrom: first })).rejects.toThrow(
      /resumeFrom.*epoch must lie in \[1, 0\]/,
    );
    const short = { ...first, state: { ...first.state, moment2: new Float32Array(3) } };
    await expect(trainModel({ ...options, resumeFrom: short })).rejects.toThrow(/state\.moment2 has 3 values/);
  });
});

describe("float32PowerByProducts", () => {
  it("is β^(t+1) as float32 products, which pow does not always give", () => {
    expect(float32PowerByProducts(0.5, 3)).toBe(0.0625);
    expect(float32PowerByProducts(0.9, 0)).toBe(Math.fround(0.9));
    let differs = 0;
    for (let t = 0; t < 2000; t += 37) {
      const product = float32PowerByProducts(0.999, t);
      expect(Math.abs(product - 0.999 ** (t + 1)) / product).toBeLessThan(1e-4);
      if (product !== Math.fround(Math.fround(0.999) ** (t + 1))) differs++;
    }
    expect(differs).toBeGreaterThan(0);
  });
});
