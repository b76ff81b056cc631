import { describe, expect, it } from "vitest";
import { resolveRunConfig } from "./run-config.js";

describe("resolveRunConfig", () => {
  it("defaults to the paper's protocol", () => {
    const config = resolveRunConfig([{ source: "command line", values: { dataset: "amazon-office-products" } }]);
    // minRating is left to the data layer: 4, or off (with a notice) on data without ratings.
    expect(config.minRating).toBeUndefined();
    expect(config).toMatchObject({
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
      protocol: "standard",
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
    expect(() => resolve({ model: "sgl", dropRatio: 1 })).toThrow(/option "dropRatio": must be ≤ 0\.99, got 1 for sgl/);
    expect(() => resolve({ model: "sgl", augmentation: "xx" })).toThrow(/option "augmentation": "xx" is not one of/);
    expect(() => resolve({ model: "gcn" })).toThrow(/option "model": "gcn" is not one of lightgcn, mf, sgl, sgcl/);
    expect(() => resolve({ batchSize: 0 })).toThrow(/option "batchSize": must be ≥ 1/);
    expect(() => resolve({ model: "xsimgcl", contrastLayer: 3 })).toThrow(
      /option "contrastLayer": must be ≤ layers \(2\), got 3 for xsimgcl \(from run\.yaml\)/,
    );
    expect(resolve({ model: "xsimgcl", layers: 3, contrastLayer: 3 })).toMatchObject({ noise: 0.2, temperature: 0.15 });
  });

  it("names a model option as the flag on the command line and by its line in a file, kebab-case or not", () => {
    expect(() =>
      resolveRunConfig([
        { source: "command line", kind: "flags", values: { dataset: "x", model: "sgl", dropRatio: "0.995" } },
      ]),
    ).toThrow(/option "--drop-ratio": must be ≤ 0\.99, got 0\.995 for sgl \(from command line\)/);
    expect(() =>
      resolveRunConfig([
        { source: "r.yaml", kind: "file", values: { dataset: "x", "ssl-weight": 0.1 }, lines: { "ssl-weight": 3 } },
      ]),
    ).toThrow(/option "ssl-weight": is an option of sgl, simgcl, xsimgcl, not of lightgcn \(from r\.yaml:3\)/);
    expect(
      resolveRunConfig([{ source: "r.yaml", values: { dataset: "x", model: "simgcl", "ssl-weight": 0.1 } }]),
    ).toMatchObject({ sslWeight: 0.1, noise: 0.1 });
  });

  it("turns the rating filter off with none / null, and takes a rating field", () => {
    for (const off of ["none", "null", "None", null]) {
      const config = resolveRunConfig([{ source: "config.yaml", values: { dataset: "x", minRating: off } }]);
      expect(config.minRating).toBeNull();
    }
    const plays = resolveRunConfig([
      { source: "command line", values: { dataset: "x", ratingField: "play_count", minRating: "5" } },
    ]);
    expect([plays.ratingField, plays.minRating]).toEqual(["play_count", 5]);
    expect(resolveRunConfig([{ source: "command line", values: { dataset: "x" } }]).ratingField).toBeUndefined();
    expect(() => resolveRunConfig([{ source: "command line", values: { dataset: "x", minRating: "off" } }])).toThrow(
      /option "minRating": expected a number, got "off"/,
    );
    expect(() => resolveRunConfig([{ source: "config.json", values: { dataset: "x", dim: null } }])).toThrow(
      /option "dim": expected a number, got null/,
    );
  });

  it("takes kebab-case keys like the flags, and names a key given both ways", () => {
    const config = resolveRunConfig([
      { source: "run.yaml", values: { dataset: "x", "data-dir": "/d", "learning-rate": 0.01, popularRatio: 0.3 } },
    ]);
    expect(config).toMatchObject({ dataDir: "/d", learningRate: 0.01, popularRatio: 0.3 });
    expect(() =>
      resolveRunConfig([{ source: "run.yaml", values: { dataset: "x", dataDir: "/a", "data-dir": "/b" } }]),
    ).toThrow(/option "data-dir": given twice in run\.yaml, as "dataDir" and "data-dir"/);
    expect(() =>
      resolveRunConfig([{ source: "run.yaml", values: { dataset: "x", "data-dri": "/d" }, lines: { "data-dri": 4 } }]),
    ).toThrow(/option "data-dri": unknown option in run\.yaml:4 \(did you mean data-dir\?\)/);
  });

  it("names flags on the command line and file lines in config files", () => {
    expect(() =>
      resolveRunConfig([{ source: "command line", kind: "flags", values: { dataset: "x", batchSize: "0" } }]),
    ).toThrow(/option "--batch-size": must be ≥ 1, got 0 \(from command line\)/);
    expect(() =>
      resolveRunConfig([{ source: "r.yaml", kind: "file", values: { dataset: "x", dim: -1 }, lines: { dim: 7 } }]),
    ).toThrow(/option "dim": must be ≥ 1, got -1 \(from r\.yaml:7\)/);
  });

  it("keeps options in sane ranges", () => {
    const run = (values: Record<string, unknown>) => () =>
      resolveRunConfig([{ source: "command line", values: { dataset: "x", ...values } }]);
    expect(run({ layers: 11 })).toThrow(/option "layers": must be ≤ 10, got 11/);
    expect(run({ seed: "1e20" })).toThrow(/option "seed": expected an integer of at most 2\^53 − 1 in size/);
    expect(run({ seed: -5 })).not.toThrow();
    expect(run({ threads: 100000 })).toThrow(/option "threads": 100000 threads is more than 4 × the \d+ cores/);
    expect(run({ out: "" })).toThrow(/option "out": expected a non-empty value/);
    expect(run({ ks: "10,10" })).toThrow(/option "ks": lists a value twice/);
    expect(run({ ks: "10,,20" })).toThrow(/option "ks": expected a list of integers/);
    expect(run({ normalize: "maybe" })).toThrow(/option "normalize": expected true or false, got "maybe"/);
    expect(resolveRunConfig([{ source: "f", values: { dataset: "x", normalize: "no" } }]).normalize).toBe(false);
  });
});
