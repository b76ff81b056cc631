import { describe, expect, it } from "vitest";
import { resolveRunConfig } from "./run-config.js";

describe("resolveRunConfig", () => {
  it("defaults to the paper's protocol", () => {
    const config = resolveRunConfig([{ source: "command line", values: { dataset: "amazon-office-products" } }]);
    expect(config).toMatchObject({
      minRating: 4,
      kCore: 5,
      split: "random-loo",
      encoder: "use-lite",
      init: "var",
      model: "lightgcn",
      dim: 128,
      layers: 2,
      learningRate: 1e-3,
      patience: 10,
      seed: 2020,
      ks: [10, 20, 50],
    });
  });

  it("lets later layers win and parses command-line strings", () => {
    const config = resolveRunConfig([
      { source: "config.yaml", values: { dataset: "ml-100k", epochs: 5, init: "uni" } },
      { source: "command line", values: { epochs: "7", ks: "5,10", normalize: "false" } },
    ]);
    expect(config.epochs).toBe(7);
    expect(config.init).toBe("uni");
    expect(config.ks).toEqual([5, 10]);
    expect(config.normalize).toBe(false);
  });

  it("names the key and the layer in errors", () => {
    expect(() => resolveRunConfig([{ source: "run.yaml", values: { dataset: "x", epoch: 3 } }])).toThrow(
      /option "epoch": unknown option in run\.yaml/,
    );
    expect(() => resolveRunConfig([{ source: "run.yaml", values: { dataset: "x", dim: 0 } }])).toThrow(
      /option "dim": must be ≥ 1, got 0 \(from run\.yaml\)/,
    );
    expect(() => resolveRunConfig([{ source: "command line", values: { dataset: "x", init: "pca" } }])).toThrow(
      /option "init": "pca" is not one of none, rand, uni, var/,
    );
    expect(() =>
      resolveRunConfig([{ source: "command line", values: { dataset: "x", learningRate: "fast" } }]),
    ).toThrow(/option "learningRate": expected a number/);
    expect(() => resolveRunConfig([{ source: "command line", values: { dataset: "x", layers: 1.5 } }])).toThrow(
      /expected an integer/,
    );
    expect(() => resolveRunConfig([{ source: "command line", values: {} }])).toThrow(/option "dataset": is required/);
  });

  it("takes the model's settings and options from its file; given values win", () => {
    const resolve = (values: Record<string, unknown>) =>
      resolveRunConfig([{ source: "command line", values: { dataset: "x", ...values } }]);
    expect(resolve({})).toMatchObject({ model: "lightgcn", dim: 128, batchSize: 256, layers: 2, regWeight: 1e-4 });
    expect(resolve({ model: "sgl" })).toMatchObject({
      regWeight: 1e-5,
      temperature: 0.2,
      sslWeight: 0.05,
      dropRatio: 0.1,
      augmentation: "ed",
      sslNegatives: "all",
    });
    expect(resolve({ model: "sgcl", regWeight: "0.001" })).toMatchObject({ regWeight: 0.001, temperature: 0.2 });
    expect(resolve({ model: "mf" })).not.toHaveProperty("layers");
    expect(resolve({ model: "sgl", dim: "64", augmentation: "rw" })).toMatchObject({ dim: 64, augmentation: "rw" });
  });

  it("rejects options the chosen model does not take, and values outside its own limits", () => {
    const resolve = (values: Record<string, unknown>) =>
      resolveRunConfig([{ source: "run.yaml", values: { dataset: "x", ...values } }]);
    expect(() => resolve({ temperature: 0.2 })).toThrow(
      /option "temperature": is an option of sgl, sgcl.*not of lightgcn \(from run\.yaml\)/,
    );
    expect(() => resolve({ model: "mf", layers: 3 })).toThrow(/option "layers": .*not of mf/);
    expect(() => resolve({ model: "sgl", dropRatio: 1 })).toThrow(/option "dropRatio": must be < 1, got 1 for sgl/);
    expect(() => resolve({ model: "sgl", augmentation: "xx" })).toThrow(/option "augmentation": "xx" is not one of/);
    expect(() => resolve({ model: "gcn" })).toThrow(/option "model": "gcn" is not one of lightgcn, mf, sgl, sgcl/);
    expect(() => resolve({ batchSize: 0 })).toThrow(/option "batchSize": must be ≥ 1/);
    expect(() => resolve({ model: "xsimgcl", contrastLayer: 3 })).toThrow(
      /option "contrastLayer": must be ≤ layers \(2\), got 3 for xsimgcl \(from run\.yaml\)/,
    );
    expect(resolve({ model: "xsimgcl", layers: 3, contrastLayer: 3 })).toMatchObject({ noise: 0.2, temperature: 0.15 });
  });
});
