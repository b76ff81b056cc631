import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataFormatError } from "@llminit/core";
import { afterAll, describe, expect, it } from "vitest";
import { readUserMetrics, writeUserMetrics } from "./user-metrics-file.js";

const root = mkdtempSync(join(tmpdir(), "llminit-user-metrics-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("per-user metrics files", () => {
  const table = {
    users: Int32Array.of(0, 2, 3),
    columns: ["recall@10", "novelty@10"],
    values: Float64Array.of(1, 5.5, 0, NaN, 0.5, 7.25),
  };
  const ids = ["a", "b", "c", "d"];
  const degrees = Int32Array.of(4, 9, 2, 30);

  it("round-trips: rows are the evaluated users, with their original ids and training degrees", async () => {
    await writeUserMetrics(root, "test", table, ids, degrees);
    const back = await readUserMetrics(root, "test");
    expect(back.columns).toEqual(table.columns);
    expect(back.users).toEqual(["a", "c", "d"]);
    expect(Array.from(back.trainDegrees)).toEqual([4, 2, 30]);
    expect(Array.from(back.values)).toEqual(Array.from(table.values));
  });

  it("names the file when the parts disagree", async () => {
    const dir = join(root, "damaged");
    await writeUserMetrics(dir, "valid", table, ids, degrees);
    writeFileSync(join(dir, "user-metrics", "valid.users.txt"), "a\nc\n");
    const error = await readUserMetrics(dir, "valid").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as DataFormatError).file).toBe(join(dir, "user-metrics", "valid.npy"));
    expect((error as Error).message).toMatch(/3 × 2 does not match 2 users × 2 columns/);
    await expect(readUserMetrics(join(root, "nowhere"), "valid")).rejects.toThrow(
      /per-user valid metrics of .*nowhere: .*valid\.npy does not exist\. Run folders written before/,
    );
  });
});
