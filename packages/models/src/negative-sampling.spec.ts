import { describe, expect, it } from "vitest";
import { createRng, csrFromPairs, csrHas } from "@llminit/core";
import { sampleNegatives } from "./negative-sampling.js";

describe("sampleNegatives", () => {
  it("never returns a train item of the user and covers the other items uniformly", () => {
    const train = csrFromPairs(2, 5, [0, 0, 0, 1], [0, 2, 4, 1]);
    const users = new Int32Array(6000).fill(0);
    const out = sampleNegatives(train, users, createRng(1), new Int32Array(6000));
    const counts = [0, 0, 0, 0, 0];
    for (const j of out) counts[j]++;
    expect(counts[0] + counts[2] + counts[4]).toBe(0);
    expect(counts[1]).toBeGreaterThan(2700);
    expect(counts[3]).toBeGreaterThan(2700);
    const other = sampleNegatives(train, Int32Array.from([1, 1, 1, 1]), createRng(2), new Int32Array(4));
    expect(Array.from(other).every((j) => !csrHas(train, 1, j))).toBe(true);
  });
});
