import { describe, expect, it } from "vitest";
import { ConfigError, createRng } from "@llminit/core";
import { describeModel } from "../test-utils/model-suite.js";
import { plantedClusters } from "../test-utils/planted-clusters.js";
import { trainModel } from "../train-model.js";

// On the planted blobs the paper's λ 0.5 at τ 0.2 spreads each blob (AUC ~0.25 after 15 epochs).
describeModel("simgcl", [{}, { layers: 3, noise: 0.2, sslWeight: 0.3, temperature: 0.5 }, { sslWeight: 0 }], {
  sslWeight: 0.1,
  temperature: 0.5,
});

describe("simgcl", () => {
  const { train } = plantedClusters(1);
  const run = (config: Record<string, number>) =>
    trainModel({
      train,
      config: { model: "simgcl", dim: 8, epochs: 2, ...config },
      init: { kind: "xavier" },
      rng: createRng(4),
    });

  it("has the official code's defaults and the LLMInit protocol's d and batch", async () => {
    const result = await run({ epochs: 0 });
    expect(result.settings).toMatchObject({ layers: 2, noise: 0.1, sslWeight: 0.5, temperature: 0.2, batchSize: 256 });
  });

  it("draws its noise from the seed: the same seed repeats, the noise changes the result", async () => {
    const [a, b] = [await run({}), await run({})];
    expect(a.final.item.data).toEqual(b.final.item.data);
    expect((await run({ noise: 0.3 })).final.item.data).not.toEqual(a.final.item.data);
  });

  it("rejects a mean without layers and a negative noise, naming the option", async () => {
    await expect(run({ layers: 0 })).rejects.toThrow(ConfigError);
    await expect(run({ layers: 0 })).rejects.toThrow(/config\.layers.*must be ≥ 1/);
    await expect(run({ noise: -0.1 })).rejects.toThrow(/config\.noise/);
  });
});
