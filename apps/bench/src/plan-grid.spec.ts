import { describe, expect, it } from "vitest";
import { planFullCells, planGrid, type GridAxes } from "./plan-grid.js";
import type { CellRecord } from "./types.js";

const axes: GridAxes = {
  experiment: "paper",
  datasets: ["amazon-office-products", "/data/ml-100k"],
  models: ["lightgcn", "sgl"],
  inits: ["none", "var"],
  seeds: [2020, 2021, 2022],
  settings: ["full", "sparse"],
  sparseKeep: 3,
  dims: [128],
  encoders: ["use-lite"],
};

describe("planGrid", () => {
  it("plans datasets × settings × models × inits × seeds with readable, distinct ids", () => {
    const cells = planGrid(axes);
    expect(cells).toHaveLength(2 * 2 * 2 * 2 * 3);
    expect(cells[0]).toMatchObject({
      id: "paper-amazon-office-products-full-lightgcn-none-s2020",
      values: {
        dataset: "amazon-office-products",
        model: "lightgcn",
        init: "none",
        seed: 2020,
        dim: 128,
        encoder: "use-lite",
      },
    });
    const sparse = cells.find((c) => c.setting === "sparse" && c.dataset === "/data/ml-100k");
    expect(sparse).toMatchObject({
      id: "paper-ml-100k-sparse3-lightgcn-none-s2020",
      sparseKeep: 3,
      values: { sparseKeep: 3 },
    });
    expect(new Set(cells.map((c) => c.id)).size).toBe(cells.length);
    expect(cells.every((c) => !c.effectiveRank)).toBe(true);
  });

  it("names the protocol in the ids of official cells only, so both protocols can share a results file", () => {
    const standard = planGrid({ ...axes, protocol: "standard" });
    expect(standard.map((c) => c.id)).toEqual(planGrid(axes).map((c) => c.id));
    expect(standard[0].protocol).toBeUndefined();
    const official = planGrid({ ...axes, protocol: "official" });
    expect(official[0]).toMatchObject({
      id: "paper-amazon-office-products-full-lightgcn-none-official-s2020",
      protocol: "official",
    });
    expect(official[0].values).not.toHaveProperty("protocol");
  });

  it("names d in collapse and the encoder in encoders, and refuses two cells with one id", () => {
    const collapse = planGrid({
      ...axes,
      experiment: "collapse",
      datasets: ["toy"],
      settings: ["full"],
      models: ["lightgcn"],
      seeds: [1],
      dims: [32, 64],
      inits: ["none", "var", "full"],
    });
    expect(collapse.map((c) => c.id)).toEqual([
      "collapse-toy-full-lightgcn-none-d32-s1",
      "collapse-toy-full-lightgcn-var-d32-s1",
      "collapse-toy-full-lightgcn-none-d64-s1",
      "collapse-toy-full-lightgcn-var-d64-s1",
    ]);
    expect(collapse.every((c) => c.effectiveRank)).toBe(true);
    const encoders = planGrid({
      ...axes,
      experiment: "encoders",
      datasets: ["toy"],
      settings: ["full"],
      models: ["lightgcn"],
      seeds: [1],
      inits: ["var"],
      encoders: ["use-lite", "file:/x/vectors.npy"],
    });
    expect(encoders.map((c) => c.id)).toEqual([
      "encoders-toy-full-lightgcn-var-use-lite-s1",
      "encoders-toy-full-lightgcn-var-vectors.npy-s1",
    ]);
    expect(() => planGrid({ ...axes, experiment: "encoders", encoders: ["file:/a/v.npy", "file:/b/v.npy"] })).toThrow(
      /option "encoders": two cells get the same id/,
    );
  });

  it("plans collapse's full cells at d = D from a finished LLM-init cell, and says where D is unknown", () => {
    const collapseAxes: GridAxes = {
      ...axes,
      experiment: "collapse",
      datasets: ["toy", "other"],
      settings: ["full"],
      models: ["lightgcn"],
      seeds: [1, 2],
      dims: [8],
      inits: ["none", "var", "full"],
      encoders: ["use-lite"],
    };
    const finished = {
      status: "ok",
      dataset: "toy",
      encoder: "use-lite",
      init: "var",
      encoderDimension: 512,
    } as CellRecord;
    const { cells, unknown } = planFullCells(collapseAxes, [finished]);
    expect(cells.map((c) => [c.id, c.values.init, c.values.dim])).toEqual([
      ["collapse-toy-full-lightgcn-full-d512-s1", "uni", 512],
      ["collapse-toy-full-lightgcn-full-d512-s2", "uni", 512],
    ]);
    expect(unknown).toEqual(["other"]);
    expect(planFullCells({ ...collapseAxes, inits: ["none", "var"] }, [finished]).cells).toEqual([]);
  });
});
