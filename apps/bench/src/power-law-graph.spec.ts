import { describe, expect, it } from "vitest";
import { ConfigError, createRng, csrColumnDegrees, csrRowDegrees, validateCsr } from "@llminit/core";
import { generatePowerLawGraph } from "./power-law-graph.js";

describe("generatePowerLawGraph", () => {
  const options = { users: 200, items: 120, interactions: 1500 };

  it("generates exactly the asked number of distinct pairs, every user and item at least once", () => {
    const graph = generatePowerLawGraph({ ...options, rng: createRng(2020) });
    validateCsr(graph.train, "train");
    expect(graph.interactions).toBe(1500);
    expect(graph.train.indptr[200]).toBe(1500);
    const userDegrees = csrRowDegrees(graph.train);
    const itemDegrees = csrColumnDegrees(graph.train);
    expect(Math.min(...userDegrees)).toBeGreaterThanOrEqual(1);
    expect(Math.min(...itemDegrees)).toBeGreaterThanOrEqual(1);
    for (let u = 0; u < 200; u++) {
      const row = graph.train.indices.subarray(graph.train.indptr[u], graph.train.indptr[u + 1]);
      expect(new Set(row).size).toBe(row.length); // deduplicated
    }
    // Skewed: the busiest items hold far more than the mean degree (12.5).
    const sorted = [...itemDegrees].sort((a, b) => b - a);
    expect(sorted[0]).toBeGreaterThan(4 * (1500 / 120));
    expect(graph.duplicateDraws).toBeGreaterThan(0);
  });

  it("is deterministic for a seed and differs between seeds", () => {
    const a = generatePowerLawGraph({ ...options, rng: createRng(7) });
    const b = generatePowerLawGraph({ ...options, rng: createRng(7) });
    const c = generatePowerLawGraph({ ...options, rng: createRng(8) });
    expect(Array.from(a.train.indices)).toEqual(Array.from(b.train.indices));
    expect(Array.from(a.train.indptr)).toEqual(Array.from(b.train.indptr));
    expect(Array.from(a.train.indices)).not.toEqual(Array.from(c.train.indices));
  });

  it("rejects sizes that cannot be met", () => {
    expect(() => generatePowerLawGraph({ users: 10, items: 10, interactions: 5, rng: createRng(1) })).toThrow(
      ConfigError,
    );
    expect(() => generatePowerLawGraph({ users: 3, items: 3, interactions: 10, rng: createRng(1) })).toThrow(
      ConfigError,
    );
    // A complete graph is reachable.
    expect(generatePowerLawGraph({ users: 3, items: 3, interactions: 9, rng: createRng(1) }).interactions).toBe(9);
  });
});

describe("generatePowerLawGraph at scale", () => {
  // Beyond a JS Set's 2^24 entries would need 17 M interactions; this checks the key set against a
  // Set on a graph whose keys exceed 2^32 (users × items) and repeat often.
  it("deduplicates keys above 2^32 exactly as a Set does", () => {
    const graph = generatePowerLawGraph({ users: 70_000, items: 70_000, interactions: 60_000 * 3, rng: createRng(3) });
    const keys = new Set<number>();
    for (let u = 0; u < graph.train.rows; u++)
      for (let k = graph.train.indptr[u]; k < graph.train.indptr[u + 1]; k++)
        keys.add(u * 70_000 + graph.train.indices[k]);
    expect(keys.size).toBe(180_000);
    expect(graph.interactions).toBe(180_000);
  });
});
