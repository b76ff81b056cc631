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
