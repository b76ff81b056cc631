import { describe, expect, it } from "vitest";
import { createRng, csrHas } from "@llminit/core";
import { buildNormalizedAdjacency } from "./adjacency.js";
import type { NormalizedAdjacency } from "./adjacency.js";
import { edgeDropout, nodeDropout, sampleAugmentedView } from "./augmentation.js";
import { randomGraph } from "./test-utils/reference.js";

/** Checks Â = D^-1/2 A D^-1/2 of the stored edges: bipartite, mirrored, weights from the view's own degrees. */
function expectSymmetricNormalized(a: NormalizedAdjacency): void {
  const degree = (r: number) => a.indptr[r + 1] - a.indptr[r];
  const entry = (r: number, c: number) => {
    for (let k = a.indptr[r]; k < a.indptr[r + 1]; k++) if (a.indices[k] === c) return a.values[k];
    return undefined;
  };
  let worst = 0;
  for (let r = 0; r < a.nodes; r++) {
    for (let k = a.indptr[r]; k < a.indptr[r + 1]; k++) {
      const c = a.indices[k];
      expect(r < a.users).toBe(c >= a.users); // user ↔ item only
      expect(entry(c, r)).toBe(a.values[k]);
      worst = Math.max(worst, Math.abs(a.values[k] * Math.sqrt(degree(r) * degree(c)) - 1));
    }
  }
  expect(worst).toBeLessThan(1e-6);
}

/** The (user, item) edges of an adjacency, as "u:i" strings. */
function edges(a: NormalizedAdjacency): Set<string> {
  const out = new Set<string>();
  for (let u = 0; u < a.users; u++)
    for (let k = a.indptr[u]; k < a.indptr[u + 1]; k++) out.add(`${u}:${a.indices[k] - a.users}`);
  return out;
}

describe("SGL augmentations", () => {
  const train = randomGraph(300, 200, 4000, 3);
  const nnz = train.indptr[train.rows];

  it("edge dropout keeps ⌊nnz·(1 − ρ)⌋ train edges and re-normalises symmetrically", () => {
    for (const ratio of [0.1, 0.5]) {
      const { adjacency, kept } = edgeDropout(train, ratio, createRng(1).child("ed"));
      expect(kept).toBe(Math.floor(nnz * (1 - ratio)));
      const view = edges(adjacency);
      expect(view.size).toBe(kept);
      for (const e of view) {
        const [u, i] = e.split(":").map(Number);
        expect(csrHas(train, u, i)).toBe(true);
      }
      expectSymmetricNormalized(adjacency);
    }
  });

  it("edge dropout with ρ = 0 is the train graph's own Â", () => {
    const { adjacency } = edgeDropout(train, 0, createRng(1));
    const full = buildNormalizedAdjacency(train);
    expect(adjacency.indptr).toEqual(full.indptr);
    expect(adjacency.indices).toEqual(full.indices);
    expect(adjacency.values).toEqual(full.values);
  });

  it("node dropout removes ⌊n·ρ⌋ users and items with all their edges, keeps every other edge, ≈ (1 − ρ)² of them", () => {
    const ratio = 0.2;
    const { adjacency, kept } = nodeDropout(train, ratio, createRng(2).child("nd"));
    const isolated = (from: number, to: number) => {
      let n = 0;
      for (let r = from; r < to; r++) n += adjacency.indptr[r + 1] === adjacency.indptr[r] ? 1 : 0;
      return n;
    };
    // randomGraph gives every node an edge, and a kept node may lose all its edges, so "at least".
    expect(isolated(0, train.rows)).toBeGreaterThanOrEqual(Math.floor(train.rows * ratio));
    expect(isolated(train.rows, adjacency.nodes)).toBeGreaterThanOrEqual(Math.floor(train.cols * ratio));
    // An edge is dropped only when an endpoint is dropped: every train edge between two nodes that
    // still have edges in the view is in the view.
    const view = edges(adjacency);
    expect(view.size).toBe(kept);
    const alive = (r: number) => adjacency.indptr[r + 1] > adjacency.indptr[r];
    for (let u = 0; u < train.rows; u++) {
      for (let k = train.indptr[u]; k < train.indptr[u + 1]; k++) {
        const i = train.indices[k];
        if (alive(u) && alive(train.rows + i)) expect(view.has(`${u}:${i}`)).toBe(true);
      }
    }
    // Each edge survives when both ends do: (1 − ρ)² = 0.64 in expectation (sd ≈ 0.02 here).
    expect(Math.abs(kept / nnz - (1 - ratio) ** 2)).toBeLessThan(0.06);
    expectSymmetricNormalized(adjacency);
  });

  it("random walk draws one edge-dropout graph per layer, each different", () => {
    const view = sampleAugmentedView(train, "rw", 0.1, 3, createRng(4).child("rw"));
    expect(view.layers).toHaveLength(3);
    expect(view.keptEdges).toEqual([0, 1, 2].map(() => Math.floor(nnz * 0.9)));
    view.layers.forEach(expectSymmetricNormalized);
    expect(edges(view.layers[0])).not.toEqual(edges(view.layers[1]));
    expect(edges(view.layers[1])).not.toEqual(edges(view.layers[2]));
  });

  it.each(["ed", "nd", "rw"] as const)(
    "%s: same rng path, same view; another epoch or view, another graph",
    (augmentation) => {
      const draw = (epoch: number, name: string) =>
        sampleAugmentedView(
          train,
          augmentation,
          0.1,
          2,
          createRng(2020).child(`epoch-${epoch}`).child("views").child(name),
        );
      const a = draw(1, "view-1");
      const b = draw(1, "view-1");
      expect(a.layers.map((l) => Array.from(l.values))).toEqual(b.layers.map((l) => Array.from(l.values)));
      expect(a.layers.map((l) => Array.from(l.indices))).toEqual(b.layers.map((l) => Array.from(l.indices)));
      expect(edges(draw(2, "view-1").layers[0])).not.toEqual(edges(a.layers[0]));
      expect(edges(draw(1, "view-2").layers[0])).not.toEqual(edges(a.layers[0]));
    },
  );

  it("rejects a drop ratio outside [0, 1)", () => {
    expect(() => sampleAugmentedView(train, "ed", 1, 2, createRng(1))).toThrow(/dropRatio/);
    expect(() => sampleAugmentedView(train, "nd", -0.1, 2, createRng(1))).toThrow(/dropRatio/);
  });
});
