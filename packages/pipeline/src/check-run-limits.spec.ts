import { RecordingLogger } from "@llminit/core";
import { describe, expect, it } from "vitest";
import { checkRunLimits, estimateRunMemory, formatBytes, WASM_MEMORY_LIMIT } from "./check-run-limits.js";
import { resolveRunConfig } from "./run-config.js";

const config = (values: Record<string, unknown>) =>
  resolveRunConfig([{ source: "test", values: { dataset: "x", ...values } }]);
const shape = { users: 938, items: 1008, trainPairs: 52_537 };
const GiB = 1024 ** 3;

describe("checkRunLimits", () => {
  it("accepts the paper's settings on ml-100k", () => {
    expect(() => checkRunLimits(config({}), shape, { memory: 16 * GiB })).not.toThrow();
  });

  it("refuses cut-offs above the items, but only warns about the defaults on a tiny catalogue", () => {
    expect(() => checkRunLimits(config({ ks: "10,100000" }), shape)).toThrow(
      /option "ks": --ks 100000: a cut-off K must be ≤ the 1008 items/,
    );
    const logger = new RecordingLogger();
    checkRunLimits(config({}), { users: 60, items: 40, trainPairs: 360 }, { logger });
    expect(logger.records[0]).toMatchObject({
      level: "warn",
      message: expect.stringMatching(/cut-offs 50 .*40 items/),
    });
  });

  it("refuses cut-offs that are all ≥ the cold test items, and warns about some", () => {
    // ml-100k, --cold-items 0.02: 20 cold items, 10 of them cold test items.
    const cold = { ...shape, items: 988, coldTestItems: 10 };
    const logger = new RecordingLogger();
    expect(() => checkRunLimits(config({ coldItems: 0.02, ks: "5" }), cold, { memory: 16 * GiB })).not.toThrow();
    checkRunLimits(config({ coldItems: 0.02, ks: "5,10,20" }), cold, { memory: 16 * GiB, logger });
    expect(logger.records.map((r) => r.message)).toEqual([
      "only 10 cold test items: cold metrics @10,@20 rank every one of them (recall 1 for any method, random " +
        "included); read the cold table at a smaller K",
    ]);
    expect(() => checkRunLimits(config({ coldItems: 0.02 }), cold, { memory: 16 * GiB })).toThrow(
      /^option "--cold-items": 0\.02 of the items gives 10 cold test items, and the cold setting ranks them alone: at --ks 10,20,50 \(≥ 10\) every cold test item is in every top-K, so cold recall@K is 1 for any method, random included; hold out more items \(--cold-items 0\.03 or more\) or give --ks below 10$/,
    );
    expect(() => checkRunLimits(config({ coldItems: 0.5, ks: "20" }), { ...cold, coldTestItems: 3 })).toThrow(
      /the data has too few items for it: give --ks below 3/,
    );
  });

  it("refuses a popular share of fewer than two items for var, where every variance is 0", () => {
    expect(() => checkRunLimits(config({ popularRatio: 0.001 }), shape)).toThrow(
      /option "popularRatio": --popular-ratio 0\.001 measures the variance over 1 of the 1008 items.*at least 0\.0020/,
    );
    expect(() => checkRunLimits(config({ popularRatio: 0.001, init: "uni" }), shape)).not.toThrow();
  });

  it("names the option that makes a run too large for the memory or for WebAssembly", () => {
    expect(() => checkRunLimits(config({ dim: 1e9, init: "none" }), shape, { memory: 16 * GiB })).toThrow(
      /option "dim": --dim 1000000000 makes a run of 938 users × 1008 items need about [\d.]+ TiB .*this machine has 16\.0 GiB/,
    );
    expect(() => checkRunLimits(config({ batchSize: 1e12 }), shape, { memory: 16 * GiB })).toThrow(
      /option "batchSize": --batch-size 1000000000000 makes .* TiB \(the most for batches of 1000000000000 pairs/,
    );
    // Fits in 1 TiB of memory but not in one WebAssembly memory of the kernels engine.
    expect(() => checkRunLimits(config({ dim: 100_000, init: "none" }), shape, { memory: 1024 * GiB })).toThrow(
      /option "dim": .*training on the kernels engine lives in one WebAssembly memory of at most 4\.00 GiB/,
    );
    expect(() =>
      checkRunLimits(config({ dim: 100_000, init: "none", engine: "tfjs" }), shape, { memory: 1024 * GiB }),
    ).not.toThrow();
  });

  it("grows the estimate with d, layers and the batch, quadratically for SGCL's batch", () => {
    const total = (values: Record<string, unknown>) =>
      estimateRunMemory(config(values), shape).reduce((sum, part) => sum + part.bytes, 0);
    expect(total({ dim: 256 })).toBeGreaterThan(1.8 * total({ dim: 128 }));
    expect(total({ layers: 4 })).toBeGreaterThan(total({ layers: 2 }));
    // The training part is the kernels engine's plan of the model: SimGCL's noisy views are whole tables.
    expect(total({ model: "simgcl" })).toBeGreaterThan(total({ model: "lightgcn" }) + 4 * 1946 * 128 * 4);
    const sgcl = (batch: number) => total({ model: "sgcl", batchSize: batch });
    expect(sgcl(40_000) - sgcl(20_000)).toBeGreaterThan(2.5 * (sgcl(20_000) - sgcl(10_000)));
    expect(formatBytes(WASM_MEMORY_LIMIT)).toBe("4.00 GiB");
    expect(formatBytes(512)).toBe("512 B");
  });
});
