import { createRng, csrFromPairs, csrRowDegrees, RecordingLogger, validateCsr } from "@llminit/core";
import { describe, expect, it } from "vitest";
import { sparsifyTrain } from "./sparsify-train.js";

// 3 users with 10, 2 and 0 training items.
const rows = [...Array(10).fill(0), 1, 1];
const cols = [...Array.from({ length: 10 }, (_, i) => i), 3, 7];
const train = csrFromPairs(3, 10, rows, cols);

describe("sparsifyTrain", () => {
  it("keeps at most K interactions per user, a subset of the original, reproducibly", () => {
    const logger = new RecordingLogger();
    const sparse = sparsifyTrain(train, { keep: 3, rng: createRng(2020), logger });
    validateCsr(sparse);
    expect(Array.from(csrRowDegrees(sparse))).toEqual([3, 2, 0]);
    expect(Array.from(sparse.indices.subarray(3, 5))).toEqual([3, 7]);
    const again = sparsifyTrain(train, { keep: 3, rng: createRng(2020) });
    expect(Array.from(again.indices)).toEqual(Array.from(sparse.indices));
    expect(logger.records[0].fields).toMatchObject({ kept: 5, dropped: 7 });
  });

  it("samples every item of a row over many seeds (uniform, not a prefix)", () => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 50; seed++)
      for (const i of sparsifyTrain(train, { keep: 1, rng: createRng(seed) }).indices.subarray(0, 1)) seen.add(i);
    expect(seen.size).toBe(10);
  });

  it("keeps a share, at least one", () => {
    const sparse = sparsifyTrain(train, { ratio: 0.25, rng: createRng(1) });
    expect(Array.from(csrRowDegrees(sparse))).toEqual([3, 1, 0]);
  });

  it("rejects bad settings naming the option", () => {
    expect(() => sparsifyTrain(train, { keep: 0, rng: createRng(1) })).toThrow(/sparseKeep.*positive integer/);
    expect(() => sparsifyTrain(train, { ratio: 1.5, rng: createRng(1) })).toThrow(/sparseRatio.*\(0, 1\]/);
    expect(() => sparsifyTrain(train, { rng: createRng(1) })).toThrow(/exactly one/);
  });
});
