import { describe, expect, it } from "vitest";
import { createRng } from "@llminit/core";
import { createKernels } from "./kernels.js";
import { relativeError } from "./test-utils/relative-error.js";
import { createSharedPropagation, sharedSumsPossible } from "./shared-propagation.js";
import type { BipartiteGraph } from "./shared-propagation.js";

/** A user–item graph where users draw most items from a few groups (pairs shared), plus empty users and items. */
function groupedGraph(users: number, items: number, seed: number): BipartiteGraph {
  const rng = createRng(seed);
  const groups = Array.from({ length: 5 }, () => Array.from({ length: 10 }, () => rng.int(items - 2)));
  const lists = Array.from({ length: users }, (_, u) => {
    if (u % 17 === 5) return [];
    const row = new Set<number>();
    for (const i of groups[rng.int(groups.length)]) if (rng.next() < 0.85) row.add(i);
    row.add(rng.int(items - 2));
    return [...row].sort((a, b) => a - b);
  });
  const indptr = new Int32Array(users + 1);
  lists.forEach((list, u) => (indptr[u + 1] = indptr[u] + list.length));
  return { users, items, indptr, indices: Int32Array.from(lists.flat()) }; // the last 2 items have no users
}

/** Â · x in float64, Â = D^-1/2 A D^-1/2 over users then items. */
function reference(graph: BipartiteGraph, x: Float32Array, width: number): Float64Array {
  const { users, items, indptr, indices } = graph;
  const degree = new Float64Array(users + items);
  for (let u = 0; u < users; u++)
    for (let k = indptr[u]; k < indptr[u + 1]; k++) {
      degree[u]++;
      degree[users + indices[k]]++;
    }
  const out = new Float64Array((users + items) * width);
  for (let u = 0; u < users; u++)
    for (let k = indptr[u]; k < indptr[u + 1]; k++) {
      const i = users + indices[k];
      const w = 1 / Math.sqrt(degree[u] * degree[i]);
      for (let c = 0; c < width; c++) {
        out[u * width + c] += w * x[i * width + c];
        out[i * width + c] += w * x[u * width + c];
      }
    }
  return out;
}

describe("createSharedPropagation", () => {
  it("equals Â · x in float64 (rel. error < 1e-6), bitwise the same for 1, 2 and 3 threads, any width", () => {
    const graph = groupedGraph(120, 70, 11);
    for (const width of [4, 8, 16, 20, 24, 44, 64, 68]) {
      const nodes = graph.users + graph.items;
      const rng = createRng(width);
      const x = Float32Array.from({ length: nodes * width }, () => rng.normal());
      const want = reference(graph, x, width);
      const results: Float32Array[] = [];
      for (const threads of [1, 2, 3]) {
        const kernels = createKernels({ threads });
        try {
          const shared = createSharedPropagation(kernels, graph, width);
          expect(shared.sums).toBeGreaterThan(0);
          expect(shared.additions).toBeLessThan(0.8 * shared.entries);
          const bx = kernels.f32(nodes * width);
          const out = kernels.f32(nodes * width);
          bx.array.set(x);
          out.array.fill(Number.NaN); // every row is written, empty ones with zeros
          shared.apply(bx.ptr, out.ptr);
          expect(relativeError(out.array, want)).toBeLessThan(1e-6);
          results.push(Float32Array.from(out.array));
        } finally {
          kernels.dispose();
        }
      }
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
    }
  });

  it("makes no sums when the cache budget is too small, and is still exact", () => {
    const graph = groupedGraph(60, 40, 5);
    const width = 16;
    expect(sharedSumsPossible(60, 40, width, { cacheBytes: 40 * 64 })).toBe(false);
    expect(sharedSumsPossible(60, 40, width, { cacheBytes: 61 * 64 })).toBe(true);
    // The item half's 60 user leaves do not fit.
    expect(sharedSumsPossible(60, 40, width, { cacheBytes: 50 * 64 })).toBe(false);
    const kernels = createKernels({ threads: 2 });
    try {
      const shared = createSharedPropagation(kernels, graph, width, { cacheBytes: 40 * 64 });
      expect(shared.sums).toBe(0);
      expect(shared.additions).toBe(shared.entries);
      const nodes = 100;
      const rng = createRng(1);
      const x = Float32Array.from({ length: nodes * width }, () => rng.normal());
      const bx = kernels.f32(nodes * width);
      const out = kernels.f32(nodes * width);
      bx.array.set(x);
      shared.apply(bx.ptr, out.ptr);
      expect(relativeError(out.array, reference(graph, x, width))).toBeLessThan(1e-6);
    } finally {
      kernels.dispose();
    }
  });

  it("rejects a width that is not a multiple of 4 and items out of range", () => {
    const kernels = createKernels();
    const graph = groupedGraph(10, 8, 2);
    expect(() => createSharedPropagation(kernels, graph, 6)).toThrow(/multiple of 4/);
    const bad = { ...graph, indices: Int32Array.from(graph.indices, (i, k) => (k === 3 ? 8 : i)) };
    expect(() => createSharedPropagation(kernels, bad, 8)).toThrow(/entry 3 is item 8/);
  });
});
