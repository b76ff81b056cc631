import { describe, expect, it } from "vitest";
import { buildReportModel } from "./report-model.js";
import { renderMarkdown } from "./report-markdown.js";
import type { CellRecord } from "./types.js";

function cell(
  init: string,
  seed: number,
  setting: "full" | "sparse",
  cold: number,
  coldUsers: number,
  users: number,
): CellRecord {
  const metrics = { "recall@10": cold, "ndcg@10": cold / 2, "recall@20": cold * 1.5, "ndcg@20": cold };
  return {
    id: `paper-d-${setting}-lightgcn-${init}-s${seed}`,
    experiment: "paper",
    dataset: "d",
    model: "lightgcn",
    init,
    seed,
    setting,
    sparseKeep: setting === "sparse" ? 3 : undefined,
    dim: 8,
    encoder: "use-lite",
    status: "ok",
    startedAt: "2026-11-26T00:00:00Z",
    seconds: 1,
    datasetStats: { name: "d", users, items: 5, interactions: 50, train: 40, valid: 5, test: 5 },
    test: { "recall@10": 0.5, "recall@20": 0.6, "ndcg@10": 0.3, "ndcg@20": 0.4 },
    testByDegree: [
      { bucket: "<=3", users: 0, metrics: { "recall@10": null, "ndcg@10": null, "recall@20": null, "ndcg@20": null } },
      { bucket: "4-7", users: coldUsers, metrics },
      {
        bucket: ">15",
        users: users - coldUsers,
        metrics: { "recall@10": 0.9, "ndcg@10": 0.9, "recall@20": 0.9, "ndcg@20": 0.9 },
      },
    ],
    machine: { cpuModel: "cpu", cpus: 2, node: "v20", platform: "linux" },
    config: {},
    runDir: "",
  };
}

describe("report: the cold-start table", () => {
  it("shows the coldest bucket with users, mean ± std over seeds and the change over none", () => {
    const records = [
      cell("none", 1, "full", 0.1, 4, 10),
      cell("none", 2, "full", 0.3, 4, 10),
      cell("var", 1, "full", 0.3, 4, 10),
      cell("var", 2, "full", 0.5, 4, 10),
    ];
    const md = renderMarkdown(buildReportModel(records));
    expect(md).toContain("## paper — d, full — coldest users (training degree 4-7; 4 users)");
    const cold = md.slice(md.indexOf("coldest users"));
    expect(cold).toContain("| lightgcn | none | 2/2 | 0.2000 ± 0.1414 |");
    expect(cold).toContain("| lightgcn | var | 2/2 | **0.4000 ± 0.1414** (+100.0 %) |");
  });

  it("is left out when that bucket holds every user (the sparse setting) or no bucket has users", () => {
    const everyone = [cell("none", 1, "sparse", 0.1, 10, 10), cell("var", 1, "sparse", 0.2, 10, 10)];
    expect(renderMarkdown(buildReportModel(everyone))).not.toContain("coldest users");
    const empty = cell("none", 1, "full", 0.1, 4, 10);
    empty.testByDegree = [];
    expect(renderMarkdown(buildReportModel([empty]))).not.toContain("coldest users");
  });
});
