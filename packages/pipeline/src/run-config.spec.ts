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
});
