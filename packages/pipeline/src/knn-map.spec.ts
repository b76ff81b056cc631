import { createRng, type Matrix } from "@llminit/core";
import { describe, expect, it } from "vitest";
import { knnLeaveOneOutErrors, knnMapEmbeddings } from "./knn-map.js";

function matrix(rows: number[][]): Matrix {
  return { rows: rows.length, cols: rows[0].length, data: Float32Array.from(rows.flat()) };
}

describe("map-knn", () => {
  // Three warm items along three axes with known embeddings.
  const vectors = matrix([
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ]);
  const embeddings = matrix([
    [10, 0],
    [0, 10],
    [-5, -5],
  ]);

  it("gives a new item the embedding of its nearest warm item with k = 1", () => {
    const out = knnMapEmbeddings(vectors, embeddings, matrix([[0.1, 2, 0.3]]), 1);
    expect(Array.from(out.data)).toEqual([0, 10]);
  });

  it("weights neighbours by cosine and ignores those with a negative cosine", () => {
    // cos with items 0 and 1: 0.6 and 0.8 (weights 3 : 4 after the norm); item 2 has cosine −0 → weight 0.
    const out = knnMapEmbeddings(vectors, embeddings, matrix([[3, 4, 0]]), 3);
    expect(out.data[0]).toBeCloseTo((0.6 * 10) / 1.4, 5);
    expect(out.data[1]).toBeCloseTo((0.8 * 10) / 1.4, 5);
    const opposite = knnMapEmbeddings(vectors, embeddings, matrix([[-1, -1, -1]]), 3);
    expect(Array.from(opposite.data, (v) => Number(v.toFixed(5)))).toEqual(
      [5 / 3, 5 / 3].map((v) => Number(v.toFixed(5))),
    );
  });

  it("leave-one-out error is lowest for the k that matches a planted cluster size", () => {
    // Four tight clusters of 5 items each in LLM space; each cluster's items share one embedding.
    const rng = createRng(2);
    const rows: number[][] = [];
    const targets: number[][] = [];
    for (let c = 0; c < 4; c++)
      for (let i = 0; i < 5; i++) {
        // A shared offset makes every cosine positive (≈ 0.67 across clusters, ≈ 1 within).
        rows.push([0, 1, 2, 3].map((j) => 0.5 + (j === c ? 1 : 0) + 0.05 * rng.normal()));
        targets.push([c, -c]);
      }
    const errors = knnLeaveOneOutErrors(matrix(rows), matrix(targets), [1, 4, 10, 19], createRng(3));
    expect(errors[0]).toBeCloseTo(0, 8);
    expect(errors[1]).toBeCloseTo(0, 8);
    expect(errors[2]).toBeGreaterThan(0.1);
    expect(errors[3]).toBeGreaterThan(errors[2]);
  });
});

describe("map-knn neighbour selection", () => {
  it("picks the same neighbours as a full sort, ties to the lower index", () => {
    const rng = createRng(9);
    const warm = matrix(
      Array.from({ length: 60 }, (_, i) => [Math.round(rng.normal() * 3) / 3, i % 3 === 0 ? 1 : 0.5]),
    );
    const emb = matrix(Array.from({ length: 60 }, (_, i) => [i]));
    const query = matrix([[1, 0.2]]);
    for (const k of [1, 7, 60]) {
      const unit = (v: number[]) => v.map((x) => x / Math.hypot(...v));
      const q = unit([1, 0.2]);
      const sims = Array.from({ length: 60 }, (_, i) => {
        const w = unit([warm.data[2 * i], warm.data[2 * i + 1]]);
        return Math.fround(q[0]) * w[0] + Math.fround(q[1]) * w[1];
      });
      const order = Array.from({ length: 60 }, (_, i) => i).sort((a, b) => sims[b] - sims[a] || a - b);
      const chosen = order.slice(0, k);
      const weights = chosen.map((i) => Math.max(sims[i], 0));
      const total = weights.reduce((a, b) => a + b, 0);
      const expected = chosen.reduce((s, i, n) => s + (weights[n] / total) * i, 0);
      expect(knnMapEmbeddings(warm, emb, query, k).data[0]).toBeCloseTo(expected, 3);
    }
  });
});
