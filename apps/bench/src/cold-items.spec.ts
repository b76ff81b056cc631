import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeToyDataset, type ToyDataset } from "@llminit/pipeline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "./main.js";
import { planGrid } from "./plan-grid.js";
import { buildReportModel } from "./report-model.js";
import { loadColdUserMetrics, loadUserMetrics } from "./significance.js";
import type { CellRecord } from "./types.js";

const root = mkdtempSync(join(tmpdir(), "llminit-bench-cold-"));
let toy: ToyDataset;
beforeAll(async () => {
  toy = await writeToyDataset(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function bench(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const status = await main(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: {},
    cwd: root,
  });
  return { status, stdout, stderr };
}

const common = (out: string) => [
  ...["--datasets", toy.dir, "--cache-dir", join(root, "cache"), "--encoder", toy.encoder, "--dim", "8"],
  ...["--batch-size", "64", "--epochs", "1", "--seeds", "2020,2021", "--models", "lightgcn", "--out", out],
  // The toy's 4 cold test items: K = 2 keeps a cold metric that ranks (K ≥ 4 ranks them all, refused alone).
  ...["--ks", "2,10,20"],
];

/** The report model with the paired tests, as `writeReports` builds it. */
async function writeReportsModel(records: CellRecord[]) {
  return buildReportModel(
    records,
    await loadUserMetrics(records, undefined),
    await loadColdUserMetrics(records, undefined),
  );
}

describe("bench cold-items", () => {
  it("plans one cell per dataset × model × init × seed, each holding out the items", () => {
    const cells = planGrid({
      experiment: "cold-items",
      datasets: ["a"],
      models: ["lightgcn", "sgl"],
      inits: ["none", "var"],
      seeds: [1, 2, 3],
      settings: ["full"],
      sparseKeep: 3,
      dims: [128],
      encoders: ["use-lite"],
      coldItems: 0.2,
    });
    expect(cells).toHaveLength(12);
    expect(cells[0]).toMatchObject({ id: "cold-items-a-full-lightgcn-none-s1", values: { coldItems: 0.2 } });
  });

  it("runs every method in each cell and reports the cold and hybrid settings per model × init × method", async () => {
    const out = join(root, "cold");
    const { status, stdout, stderr } = await bench("cold-items", ...common(out), "--inits", "none,var");
    expect(status, stderr).toBe(0);
    expect(stdout).toMatch(/cold-items: 4 cells, ran 4/);
    const records = readFileSync(join(out, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as CellRecord);
    expect(records.map((r) => r.config.coldItems)).toEqual([0.2, 0.2, 0.2, 0.2]);
    for (const r of records) expect(r.coldStart?.methods).toHaveLength(5);

    const model = buildReportModel(records);
    const [coldTable, warmTable] = model.tables;
    expect(coldTable.labelHeaders).toEqual(["model", "init", "method"]);
    // direct has no row for init none: it is not applicable there (said in the protocol line).
    expect(coldTable.rows.map((r) => r.labels.join(" "))).toEqual([
      "lightgcn none map",
      "lightgcn none map-knn",
      "lightgcn none content-knn",
      "lightgcn none random",
      "lightgcn var direct",
      "lightgcn var map",
      "lightgcn var map-knn",
      "lightgcn var content-knn",
      "lightgcn var random",
    ]);
    expect(coldTable.protocol).toMatch(/direct: not applicable: init none/);
    expect(coldTable.protocol).toMatch(/cold items: 0\.2 of the items held out .*4 valid \+ 4 test/);
    const mapVar = coldTable.rows.find((r) => r.labels.join(" ") === "lightgcn var map")!;
    const mapNone = coldTable.rows.find((r) => r.labels.join(" ") === "lightgcn none map")!;
    expect(mapVar.ok).toBe(2);
    const hand = records
      .filter((r) => r.init === "var")
      .map((r) => r.coldStart!.methods.find((m) => m.method === "map")!.hybrid!["ndcg@2"]);
    expect(mapVar.stats[3].mean).toBeCloseTo((hand[0] + hand[1]) / 2, 12);
    expect(mapVar.baseline[3]).toBe(mapNone.stats[3].mean);
    // The cold share is a share, not a score: no change over init none and no test.
    expect(mapVar.baseline[4]).toBeNaN();
    expect(mapVar.tests[4]).toBeUndefined();
    // Without the run folders' per-user metrics there are no tests; with them, every score is tested.
    expect(mapVar.tests.every((t) => t === undefined)).toBe(true);
    const tested = await writeReportsModel(records);
    const [testedCold, testedWarm] = tested.tables;
    const mapVarTested = testedCold.rows.find((r) => r.labels.join(" ") === "lightgcn var map")!;
    for (let m = 0; m < 4; m++) expect(mapVarTested.tests[m]?.seeds).toEqual([2020, 2021]);
    expect(mapVarTested.tests[4]).toBeUndefined();
    expect(testedWarm.rows[1].tests[0]?.seeds).toEqual([2020, 2021]);
    expect(warmTable.rows.map((r) => r.labels.join(" "))).toEqual(["lightgcn none", "lightgcn var"]);

    const markdown = readFileSync(join(out, "report.md"), "utf8");
    // At K = 2: 10 and 20 rank every one of the 4 cold test items.
    expect(markdown).toMatch(
      /\| model \| init \| method \| seeds ok \| Cold Recall@2 \| Cold NDCG@2 \| Hybrid Recall@2 \| Hybrid NDCG@2 \| Cold share of hybrid top-2 \|/,
    );
    expect(markdown).toMatch(/\| lightgcn \| var \| direct \| 2\/2 \|/);
    const mapLine = markdown.split("\n").find((line) => line.startsWith("| lightgcn | var | map |"))!;
    expect(mapLine.split("|").at(-2)).toMatch(/^ \d\.\d{4} ± \d\.\d{4} $/);
  }, 120_000);
});
