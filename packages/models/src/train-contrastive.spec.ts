import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { ConfigError, RecordingLogger, createMatrix, createRng, csrFromPairs } from "@llminit/core";
import { selectBackend } from "./backend.js";
import { clusterAuc, plantedClusters } from "./test-utils/planted-clusters.js";
import { modelDefaults } from "./model-registry.js";
import { trainModel } from "./train-model.js";
import type { Initializer } from "./initializers.js";
import type { TrainConfig } from "./types.js";

const small = { dim: 16, layers: 2, learningRate: 0.02, batchSize: 64, epochs: 15, patience: 10 };
const sgl: TrainConfig = { ...(modelDefaults.sgl as TrainConfig), ...small };
const sgcl: TrainConfig = { ...(modelDefaults.sgcl as TrainConfig), ...small };

describe("trainModel with contrastive backbones", { timeout: 30_000 }, () => {
  const { train, heldOut } = plantedClusters(1);
  beforeAll(async () => {
    await selectBackend("wasm");
  });

  it("has defaults next to each model", () => {
    expect(modelDefaults.sgl).toMatchObject({
      model: "sgl",
      dim: 128,
      layers: 2,
      temperature: 0.2,
      sslWeight: 0.05,
      dropRatio: 0.1,
      augmentation: "ed",
      sslNegatives: "all",
    });
    expect(modelDefaults.sgcl).toMatchObject({ model: "sgcl", dim: 128, layers: 2, temperature: 0.2, regWeight: 0 });
  });

  it.each([
    ["sgl ED, all-node negatives", sgl],
    ["sgl ND", { ...sgl, augmentation: "nd" }],
    ["sgl RW", { ...sgl, augmentation: "rw" }],
    ["sgl ED, in-batch negatives", { ...sgl, sslNegatives: "batch" }],
    ["sgcl", sgcl],
    ["sgcl with L2", { ...sgcl, regWeight: 1e-4 }],
  ] as [string, TrainConfig][])(
    "%s: the loss falls, held-out in-community items outrank the others, no tensor leaks",
    async (_name, config) => {
      const before = tf.memory().numTensors;
      const counts: number[] = [];
      const result = await trainModel({
        train,
        config,
        init: { kind: "xavier" },
        rng: createRng(2020),
        backend: "wasm",
        onEpoch: () => counts.push(tf.memory().numTensors),
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(new Set(counts).size).toBe(1);
      expect(result.epochsRun).toBe(15);
      expect(result.history.every((r) => Number.isFinite(r.loss))).toBe(true);
      expect(result.history[14].loss).toBeLessThan(result.history[0].loss * 0.9);
      const untrained = await trainModel({
        train,
        config: { ...config, epochs: 0 },
        init: { kind: "xavier" },
        rng: createRng(2020),
        backend: "wasm",
      });
      expect(clusterAuc(untrained.final, heldOut)).toBeLessThan(0.75);
      expect(clusterAuc(result.final, heldOut)).toBeGreaterThan(0.9);
    },
  );

  it.each(["sgl", "sgcl"] as const)("%s trains from every initialiser", async (model) => {
    const rng = createRng(3);
    const pretrained: Initializer = {
      kind: "pretrained",
      user: createMatrix(
        60,
        16,
        Float32Array.from({ length: 960 }, () => rng.normal() * 0.1),
      ),
      item: createMatrix(
        40,
        16,
        Float32Array.from({ length: 640 }, () => rng.normal() * 0.1),
      ),
    };
    for (const init of [{ kind: "xavier" }, { kind: "normal", std: 0.1 }, pretrained] as Initializer[]) {
      const config = { ...(model === "sgl" ? sgl : sgcl), epochs: 2 };
      const start = await trainModel({
        train,
        config: { ...config, epochs: 0 },
        init,
        rng: createRng(1),
        backend: "wasm",
      });
      const result = await trainModel({ train, config, init, rng: createRng(1), backend: "wasm" });
      expect(result.history.every((r) => Number.isFinite(r.loss))).toBe(true);
      expect(result.ego.user.data).not.toEqual(start.ego.user.data);
      if (init.kind === "pretrained") expect(start.ego.item.data).toEqual(init.item.data);
    }
  });

  it("SGL is deterministic for a seed (views included), and the seed and the views matter", async () => {
    const config = { ...sgl, epochs: 3 };
    const run = (seed: number, c: TrainConfig = config) =>
      trainModel({ train, config: c, init: { kind: "xavier" }, rng: createRng(seed), backend: "wasm" });
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expect(a.final.user.data).toEqual(b.final.user.data);
    expect(a.history.map((r) => r.loss)).toEqual(b.history.map((r) => r.loss));
    expect(a.final.user.data).not.toEqual(c.final.user.data);
    // Same seed, other augmentation: only the views differ, and so do the results.
    const nd = await run(7, { ...config, augmentation: "nd" });
    expect(nd.final.user.data).not.toEqual(a.final.user.data);
    // SSL weight 0 is LightGCN with the same streams, exactly.
    const plain = await run(7, { ...config, sslWeight: 0 });
    const lightgcn = await run(7, { ...config, model: "lightgcn" });
    expect(plain.final.user.data).toEqual(lightgcn.final.user.data);
  });

  it("SGCL samples no negatives, so it keeps users who interacted with every item", async () => {
    const rows = [0, 0, 0, 1, 2, 2];
    const cols = [0, 1, 2, 1, 0, 2];
    const tiny = csrFromPairs(3, 3, rows, cols);
    const run = async (config: TrainConfig) => {
      const logger = new RecordingLogger();
      await trainModel({
        train: tiny,
        config: { ...config, dim: 4, epochs: 1 },
        init: { kind: "xavier" },
        rng: createRng(1),
        backend: "wasm",
        logger,
      });
      return logger.records.filter((r) => r.level === "warn").length;
    };
    expect(await run(sgcl)).toBe(0);
    expect(await run(sgl)).toBe(1);
  });

  it("rejects bad options of the model, naming the option; options of other models are ignored", async () => {
    const options = { train, init: { kind: "xavier" as const }, rng: createRng(1), backend: "wasm" };
    const bad: [TrainConfig, RegExp][] = [
      [{ ...sgl, temperature: 0 }, /config\.temperature/],
      [{ ...sgl, temperature: Number.NaN }, /config\.temperature/],
      [{ ...sgl, sslWeight: -1 }, /config\.sslWeight/],
      [{ ...sgl, dropRatio: 1 }, /config\.dropRatio.*≤ 0\.99/],
      [{ ...sgcl, layers: 11 }, /config\.layers.*≤ 10/],
      [{ ...sgl, dropRatio: -0.1 }, /config\.dropRatio/],
      [{ ...sgl, augmentation: "ep" }, /config\.augmentation.*"ep" is not one of ed, nd, rw/],
      [{ ...sgl, sslNegatives: "some" }, /config\.sslNegatives/],
      [{ ...sgcl, temperature: -1 }, /config\.temperature/],
      [{ ...sgcl, layers: 1.5 }, /config\.layers.*integer/],
      [{ ...sgcl, temprature: 0.2 }, /config\.temprature.*not an option of any model/],
    ];
    for (const [config, message] of bad) {
      await expect(trainModel({ ...options, config })).rejects.toThrow(ConfigError);
      await expect(trainModel({ ...options, config })).rejects.toThrow(message);
    }
    const result = await trainModel({ ...options, config: { ...sgcl, epochs: 1, dropRatio: 5, augmentation: "x" } });
    expect(result.settings).not.toHaveProperty("dropRatio");
    expect(result.settings).toMatchObject({ temperature: 0.2, layers: 2 });
  });
});
