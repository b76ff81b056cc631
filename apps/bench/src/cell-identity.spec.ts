import type { Job } from "bullmq";
import { describe, expect, it } from "vitest";
import { cellIdentity } from "./cell-identity.js";
import { failedJobRecord, type CellJobData } from "./grid-queue.js";
import type { CellIdentity, CellRecord } from "./types.js";

const cell: CellIdentity = {
  id: "paper-office-sparse3-lightgcn-var-official-s2020",
  experiment: "paper",
  dataset: "office",
  model: "lightgcn",
  init: "var",
  seed: 2020,
  setting: "sparse",
  sparseKeep: 3,
  dim: 128,
  encoder: "use-lite",
  protocol: "official",
};

describe("cellIdentity", () => {
  it("keeps every identity field, optional ones included, and drops the rest", () => {
    const planned = { ...cell, values: { epochs: 3 }, effectiveRank: false };
    expect(cellIdentity(planned)).toEqual(cell);
  });

  it("leaves optional fields out rather than undefined (results.jsonl lines stay as before)", () => {
    const plain = cellIdentity({ ...cell, sparseKeep: undefined, protocol: undefined, setting: "full" });
    expect(Object.keys(plain)).not.toContain("sparseKeep");
    expect(Object.keys(plain)).not.toContain("protocol");
  });
});

describe("failedJobRecord", () => {
  it("keeps the protocol of a queued cell that failed for good (its report table depends on it)", () => {
    const job = {
      data: { cell: { ...cell, values: {}, effectiveRank: false }, layers: [] },
      failedReason: "out of memory",
      attemptsMade: 3,
      timestamp: 0,
    } as unknown as Job<CellJobData, CellRecord>;
    const record = failedJobRecord(job);
    expect(record).toMatchObject({ ...cell, status: "failed", error: "out of memory (after 3 attempts)" });
  });
});
