import { describe, expect, it } from "vitest";
import { ConfigError, createRng } from "@llminit/core";
import { describeModel } from "../test-utils/model-suite.js";
import { plantedClusters } from "../test-utils/planted-clusters.js";
import { trainModel } from "../train-model.js";

// On the planted blobs the paper's λ 0.2 at τ 0.15 spreads each blob, as SimGCL's does.
describeModel(
  "xsimgcl",
  [{}, { layers: 3, contrastLayer: 3, noise: 0.1, sslWeight: 0.5, temperature: 0.3 }, { layers: 3, contrastLayer: 2 }],
  { sslWeight: 0.1, temperature: 0.5 },
);

describe("xsimgcl", () => {
  const { train } = plantedClusters(1);
  const run = (config: Record<string, number>) =>
    trainModel({
      train,
      config: { model: "xsimgcl", dim: 8, epochs: 2, ...config },
      init: { kind: "xavier" },
      rng: createRng(4),
    });

  it("has the official code's defaults and the LLMInit protocol's d and batch", async () => {
    const result = await run({ epochs: 0 });
    expect(result.settings).toMatchObject({
      layers: 2,
      contrastLayer: 1,
      noise: 0.2,
      sslWeight: 0.2,
      temperature: 0.15,
      dim: 8,
      batchSize: 256,
    });
  });

  it("contrasts the layer it is told to: l* changes the result, the same seed repeats it", async () => {
    const [a, b] = [await run({ layers: 3 }), await run({ layers: 3 })];
    expect(a.final.item.data).toEqual(b.final.item.data);
    expect((await run({ layers: 3, contrastLayer: 2 })).final.item.data).not.toEqual(a.final.item.data);
  });

  it("rejects a contrast layer beyond the last, naming the option", async () => {
    await expect(run({ contrastLayer: 3 })).rejects.toThrow(ConfigError);
    await expect(run({ contrastLayer: 3 })).rejects.toThrow(/config\.contrastLayer.*must be ≤ layers \(2\), got 3/);
    await expect(run({ contrastLayer: 0 })).rejects.toThrow(/config\.contrastLayer.*≥ 1/);
  });
});
