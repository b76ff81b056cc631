import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { ConfigError, RecordingProgress, ShapeError, createMatrix, createRng } from "@llminit/core";
import { buildNormalizedAdjacency, propagateMean } from "./adjacency.js";
import { clusterAuc, plantedClusters } from "./test-utils/planted-clusters.js";
import { relativeError } from "./test-utils/reference.js";
import { defineModel } from "./model-definition.js";
import { getModel, modelDefaults } from "./model-registry.js";
import { trainModel } from "./train-model.js";
import type { Embeddings, EpochRecord, TrainConfig } from "./types.js";

const base: TrainConfig = {
  ...(modelDefaults.lightgcn as TrainConfig),
  dim: 16,
  layers: 2,
  learningRate: 0.02,
  batchSize: 64,
  epochs: 15,
  patience: 10,
};

describe("trainModel", { timeout: 30_000 }, () => {
  const { train, heldOut } = plantedClusters(1);

  it.each(["lightgcn", "mf"] as const)(
    "%s: the loss falls and held-out in-community items outrank the others",
    async (model) => {
      const progress = new RecordingProgress();
      const records: EpochRecord[] = [];
      const result = await trainModel({
        train,
        config: { ...base, model },
        init: { kind: "xavier" },
        rng: createRng(2020),
        backend: "wasm",
        progress,
        onEpoch: (r) => records.push(JSON.parse(JSON.stringify(r)) as EpochRecord),
      });
      expect(result.backend).toBe("wasm");
      expect(result.epochsRun).toBe(15);
      expect(result.bestEpoch).toBe(15);
      expect(records).toEqual(result.history);
      expect(result.history[14].loss).toBeLessThan(result.history[0].loss * 0.8);
      expect(result.history.every((r) => r.best && r.seconds >= 0 && r.valid === undefined)).toBe(true);
      const untrained = await trainModel({
        train,
        config: { ...base, model, epochs: 0 },
        init: { kind: "xavier" },
        rng: createRng(2020),
        backend: "wasm",
      });
      expect(clusterAuc(untrained.final, heldOut)).toBeLessThan(0.75);
      expect(clusterAuc(result.final, heldOut)).toBeGreaterThan(0.9);
      expect(progress.tasks).toHaveLength(15);
      expect(progress.tasks.every((t) => t.ended && t.ticks === Math.ceil(420 / 64) && t.total === t.ticks)).toBe(true);
      expect(typeof progress.tasks[0].lastInfo?.loss).toBe("number");
      if (model === "mf") expect(result.final).toEqual(result.ego);
    },
  );

  it("trains a model of the caller's own beside the registered ones (`models`), checked like them", async () => {
    const lightgcn = getModel("lightgcn");
    const mine = defineModel({ ...lightgcn, name: "my-lightgcn", title: "LightGCN, again" });
    const run = (config: TrainConfig, models?: Parameters<typeof getModel>[1]) =>
      trainModel({ train, config, models, init: { kind: "xavier" }, rng: createRng(7), engine: "kernels" });
    const registered = await run({ ...base, model: "lightgcn", epochs: 3 });
    const own = await run({ ...base, model: "my-lightgcn", epochs: 3 }, [mine]);
    expect(own.final).toEqual(registered.final);
    expect(own.settings).toEqual(registered.settings);
    // A registered model passed again is no conflict; another model under a taken name is.
    await expect(run({ ...base, model: "lightgcn", epochs: 1 }, [lightgcn])).resolves.toBeDefined();
    await expect(run({ ...base, model: "lightgcn" }, [{ ...lightgcn }])).rejects.toThrow(
      /models.*"lightgcn" is already registered/,
    );
    await expect(run({ ...base, model: "my-lightgcn" })).rejects.toThrow(/unknown model "my-lightgcn"/);
    await expect(run({ ...base, model: "My LightGCN" }, [{ ...mine, name: "My LightGCN" }])).rejects.toThrow(
      /models.*lower case/,
    );
    await expect(run({ ...base, model: "my-lightgcn", layers: -1 }, [mine])).rejects.toThrow(ConfigError);
  });

  it("stops early after `patience` evaluations without improvement and returns the best epoch's parameters", async () => {
    const scores = [0.1, 0.3, 0.2, 0.3, 0.25, 0.9, 0.9];
    const seen = new Map<number, Embeddings>();
    const result = await trainModel({
      train,
      config: { ...base, epochs: 20, patience: 3 },
      init: { kind: "normal", std: 0.1 },
      rng: createRng(5),
      backend: "wasm",
      validate: async (embeddings, epoch) => {
        seen.set(epoch, embeddings);
        return scores[epoch - 1];
      },
    });
    expect(result.epochsRun).toBe(5);
    expect(result.stoppedEarly).toBe(true);
    expect(result.bestEpoch).toBe(2);
    expect(result.bestValid).toBe(0.3);
    expect(result.history.map((r) => r.best)).toEqual([true, true, false, false, false]);
    expect(result.history.map((r) => r.valid)).toEqual([0.1, 0.3, 0.2, 0.3, 0.25]);
    expect(result.final.user.data).toEqual(seen.get(2)!.user.data);
    expect(result.final.item.data).toEqual(seen.get(2)!.item.data);
    expect(result.final.user.data).not.toEqual(seen.get(5)!.user.data);
    // The returned ego embeddings propagate to the returned final ones (float32 tfjs ops vs float64 sums).
    const ego = new Float32Array([...result.ego.user.data, ...result.ego.item.data]);
    const final = propagateMean(buildNormalizedAdjacency(train), ego, 16, 2);
    expect(relativeError(result.final.user.data, final.subarray(0, 60 * 16))).toBeLessThan(1e-6);
  });

  it("earlyStopping recbole: ≥ on 4 decimals moves the best epoch to a tie; stops after patience + 1", async () => {
    // 4 decimals: 0.1, 0.3, 0.3 (tie → new best), 0.2, 0.3 (tie again), then 4 worse.
    const scores = [0.1, 0.3, 0.30004, 0.2, 0.29996, 0.1, 0.1, 0.1, 0.1, 0.9];
    const seen = new Map<number, Embeddings>();
    const result = await trainModel({
      train,
      config: { ...base, epochs: 20, patience: 3, earlyStopping: "recbole" },
      init: { kind: "normal", std: 0.1 },
      rng: createRng(5),
      engine: "kernels",
      validate: async (embeddings, epoch) => {
        seen.set(epoch, embeddings);
        return scores[epoch - 1];
      },
    });
    expect(result.history.map((r) => r.best)).toEqual([true, true, true, false, true, false, false, false, false]);
    expect(result.epochsRun).toBe(9);
    expect(result.bestEpoch).toBe(5);
    expect(result.bestValid).toBe(0.29996);
    expect(result.final.user.data).toEqual(seen.get(5)!.user.data);
  });

  it("negatives exclude-positive (RecBole's repeatable sampler) trains, deterministically, to other numbers", async () => {
    const run = (negatives: TrainConfig["negatives"]) =>
      trainModel({
        train,
        config: { ...base, epochs: 3, negatives },
        init: { kind: "xavier" },
        rng: createRng(3),
        engine: "kernels",
      });
    const repeatable = await run("exclude-positive");
    expect((await run("exclude-positive")).final.item.data).toEqual(repeatable.final.item.data);
    expect((await run(undefined)).final.item.data).toEqual((await run("exclude-train")).final.item.data);
    expect(repeatable.final.item.data).not.toEqual((await run("exclude-train")).final.item.data);
    expect(repeatable.history[2].loss).toBeLessThan(repeatable.history[0].loss);
  });

  it("validates every `evalEvery` epochs and at the last one", async () => {
    const validated: number[] = [];
    const result = await trainModel({
      train,
      config: { ...base, epochs: 7, evalEvery: 3 },
      init: { kind: "xavier" },
      rng: createRng(5),
      backend: "wasm",
      validate: async (_e, epoch) => {
        validated.push(epoch);
        return epoch;
      },
    });
    expect(validated).toEqual([3, 6, 7]);
    expect(result.bestEpoch).toBe(7);
  });

  it("is deterministic for a seed on a backend, and the seed matters", async () => {
    const run = (seed: number) =>
      trainModel({
        train,
        config: { ...base, epochs: 3 },
        init: { kind: "xavier" },
        rng: createRng(seed),
        backend: "wasm",
      });
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expect(a.final.user.data).toEqual(b.final.user.data);
    expect(a.final.item.data).toEqual(b.final.item.data);
    expect(a.history.map((r) => r.loss)).toEqual(b.history.map((r) => r.loss));
    expect(a.final.user.data).not.toEqual(c.final.user.data);
  });

  it("trains on the cpu backend as well, to the same result as wasm up to float rounding", async () => {
    const config = { ...base, dim: 8, epochs: 3 };
    const onCpu = await trainModel({ train, config, init: { kind: "xavier" }, rng: createRng(4), backend: "cpu" });
    const onWasm = await trainModel({ train, config, init: { kind: "xavier" }, rng: createRng(4), backend: "wasm" });
    expect(onCpu.backend).toBe("cpu");
    expect(onCpu.history[2].loss).toBeLessThan(onCpu.history[0].loss);
    onCpu.history.forEach((r, k) => expect(r.loss).toBeCloseTo(onWasm.history[k].loss, 4));
  });

  it("does not leak tensors across epochs or after training", async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await trainModel({
      train,
      config: { ...base, epochs: 4 },
      init: { kind: "xavier" },
      rng: createRng(1),
      backend: "wasm",
      onEpoch: () => counts.push(tf.memory().numTensors),
    });
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("epochs: 0 returns the propagated pretrained embeddings and validates them as epoch 0", async () => {
    const rng = createRng(3);
    const user = createMatrix(
      60,
      16,
      Float32Array.from({ length: 960 }, () => rng.normal()),
    );
    const item = createMatrix(
      40,
      16,
      Float32Array.from({ length: 640 }, () => rng.normal()),
    );
    const epochs: number[] = [];
    const result = await trainModel({
      train,
      config: { ...base, epochs: 0 },
      init: { kind: "pretrained", user, item },
      rng: createRng(1),
      backend: "wasm",
      validate: async (_e, epoch) => {
        epochs.push(epoch);
        return 0.5;
      },
    });
    expect(epochs).toEqual([0]);
    expect(result).toMatchObject({ bestEpoch: 0, epochsRun: 0, history: [], bestValid: 0.5, stoppedEarly: false });
    expect(result.ego.user.data).toEqual(user.data);
    expect(result.ego.user.data).not.toBe(user.data);
    const final = propagateMean(buildNormalizedAdjacency(train), new Float32Array([...user.data, ...item.data]), 16, 2);
    expect(relativeError(result.final.item.data, final.subarray(960))).toBeLessThan(1e-6);
  });

  it("rejects bad configuration, naming the option", async () => {
    const options = { train, init: { kind: "xavier" as const }, rng: createRng(1), backend: "wasm" };
    await expect(trainModel({ ...options, config: { ...base, batchSize: 0 } })).rejects.toThrow(ConfigError);
    await expect(trainModel({ ...options, config: { ...base, batchSize: 0 } })).rejects.toThrow(/config\.batchSize/);
    await expect(trainModel({ ...options, config: { ...base, learningRate: -1 } })).rejects.toThrow(
      /config\.learningRate/,
    );
    await expect(trainModel({ ...options, config: { ...base, model: "gcn" as "mf" } })).rejects.toThrow(
      /config\.model/,
    );
    await expect(trainModel({ ...options, config: base, init: { kind: "normal", std: 0 } })).rejects.toThrow(
      /init\.std/,
    );
    const wrong = { kind: "pretrained" as const, user: createMatrix(60, 8), item: createMatrix(40, 16) };
    await expect(trainModel({ ...options, config: base, init: wrong })).rejects.toThrow(ShapeError);
    await expect(trainModel({ ...options, config: base, init: wrong })).rejects.toThrow(
      /init\.user.*60 × 8, expected 60 × 16/,
    );
  });

  it("stops on abort and frees its tensors", async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = trainModel({
      train,
      config: base,
      init: { kind: "xavier" },
      rng: createRng(1),
      backend: "wasm",
      signal: controller.signal,
      onEpoch: (r) => {
        if (r.epoch === 2) controller.abort(new Error("stop here"));
      },
    });
    await expect(run).rejects.toThrow("stop here");
    expect(tf.memory().numTensors).toBe(before);
  });
});
