import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RecordingLogger } from "@llminit/core";
import { afterAll, describe, expect, it } from "vitest";
import { appendResult, latestById, readResults } from "./results-file.js";
import { readCurve } from "./run-grid.js";
import type { CellRecord } from "./types.js";

const root = mkdtempSync(join(tmpdir(), "llminit-bench-results-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function record(id: string, status: "ok" | "failed"): CellRecord {
  return {
    id,
    experiment: "paper",
    dataset: "toy",
    model: "lightgcn",
    init: "var",
    seed: 2020,
    setting: "full",
    dim: 8,
    encoder: "use-lite",
    status,
    startedAt: "2026-01-01T00:00:00.000Z",
    seconds: 1,
    machine: { cpus: 2, cpuModel: "cpu", node: "v20", platform: "linux" },
    config: {},
    runDir: "/x",
    ...(status === "ok" ? { test: { "recall@10": 0.5 } } : { error: "boom" }),
  };
}

describe("results.jsonl", () => {
  it("appends one line per cell and reads them back; a later record of an id supersedes", async () => {
    const path = join(root, "a.jsonl");
    await appendResult(path, record("a", "failed"));
    await appendResult(path, record("b", "ok"));
    await appendResult(path, record("a", "ok"));
    expect(readFileSync(path, "utf8").split("\n")).toHaveLength(4);
    const all = await readResults(path);
    expect(all.map((r) => [r.id, r.status])).toEqual([
      ["a", "failed"],
      ["b", "ok"],
      ["a", "ok"],
    ]);
    expect(latestById(all).map((r) => [r.id, r.status])).toEqual([
      ["b", "ok"],
      ["a", "ok"],
    ]);
    expect(await readResults(join(root, "missing.jsonl"))).toEqual([]);
  });

  it("names file, line and field of a bad line", async () => {
    const path = join(root, "bad.jsonl");
    writeFileSync(path, `${JSON.stringify(record("a", "ok"))}\n{"id":"b"\n${JSON.stringify(record("c", "ok"))}\n`);
    await expect(readResults(path)).rejects.toThrow(/bad\.jsonl:2: not JSON/);
    writeFileSync(path, `${JSON.stringify({ ...record("a", "ok"), status: "done" })}\n`);
    await expect(readResults(path)).rejects.toThrow(/bad\.jsonl:1 field "status": expected "ok" or "failed"/);
    const { test: _test, ...noTest } = record("a", "ok");
    writeFileSync(path, `${JSON.stringify(noTest)}\n`);
    await expect(readResults(path)).rejects.toThrow(/field "test": an ok cell needs its test metrics/);
  });

  it("reports and cuts off a partial last line left by an interrupted write", async () => {
    const path = join(root, "partial.jsonl");
    const good = `${JSON.stringify(record("a", "ok"))}\n`;
    writeFileSync(path, `${good}{"id":"b","sta`);
    const logger = new RecordingLogger();
    expect(await readResults(path, { logger })).toHaveLength(1);
    expect(logger.records.map((r) => r.message)).toEqual([expect.stringMatching(/partial line .* dropped 1 line/)]);
    expect(readFileSync(path, "utf8")).toBe(`${good}{"id":"b","sta`);
    await readResults(path, { logger, repair: true });
    expect(readFileSync(path, "utf8")).toBe(good);
  });

  it("reads a run folder's training curve and names a bad line", async () => {
    const path = join(root, "log.jsonl");
    writeFileSync(
      path,
      `${JSON.stringify({ epoch: 1, loss: 0.7, seconds: 0.1, valid: 0.2, best: true })}\n${JSON.stringify({ epoch: 2, loss: 0.6, seconds: 0.1, best: false })}\n`,
    );
    expect(await readCurve(path)).toEqual([
      { epoch: 1, loss: 0.7, seconds: 0.1, valid: 0.2, best: true },
      { epoch: 2, loss: 0.6, seconds: 0.1, best: false },
    ]);
    expect(await readCurve(join(root, "none.jsonl"))).toEqual([]);
    writeFileSync(path, "{}\n");
    await expect(readCurve(path)).rejects.toThrow(/log\.jsonl:1 field "epoch"/);
  });
});
