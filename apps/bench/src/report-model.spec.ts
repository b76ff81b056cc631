import type { UserMetricsTable } from "@llminit/pipeline";
import { describe, expect, it } from "vitest";
import { pairedComparison } from "./paired-comparison.js";
import { buildReportModel } from "./report-model.js";
import { renderHtml } from "./report-html.js";
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

/** Per-user test metrics of ten users: u0–u3 of training degree 5 (bucket 4-7), the others 20. */
function table(recall: number[]): UserMetricsTable {
  const columns = ["recall@10", "ndcg@10"];
  const values = new Float64Array(recall.length * 2);
  recall.forEach((v, i) => ((values[2 * i] = v), (values[2 * i + 1] = v / 2)));
  return {
    columns,
    users: recall.map((_, i) => `u${i}`),
    trainDegrees: Int32Array.from(recall, (_, i) => (i < 4 ? 5 : 20)),
    values,
  };
}

describe("report: paired tests against init none", () => {
  const records = [
    cell("none", 1, "full", 0.1, 4, 10),
    cell("none", 2, "full", 0.3, 4, 10),
    cell("var", 1, "full", 0.3, 4, 10),
    cell("var", 2, "full", 0.5, 4, 10),
  ];
  const none1 = [0, 1, 0, 0, 1, 0, 1, 0, 0, 1];
  const none2 = [1, 0, 0, 0, 0, 1, 1, 0, 0, 0];
  const var1 = [1, 1, 1, 0, 1, 1, 1, 0, 1, 1];
  const var2 = [1, 1, 1, 1, 1, 1, 1, 1, 0, 1];
  // var's users listed in another order: pairs are matched by user id.
  const shuffled = (t: UserMetricsTable): UserMetricsTable => {
    const order = [9, 3, 0, 7, 1, 8, 2, 6, 4, 5];
    return {
      columns: t.columns,
      users: order.map((i) => t.users[i]),
      trainDegrees: Int32Array.from(order, (i) => t.trainDegrees[i]),
      values: Float64Array.from(order.flatMap((i) => [t.values[2 * i], t.values[2 * i + 1]])),
    };
  };
  const userMetrics = new Map([
    [records[0].id, table(none1)],
    [records[1].id, table(none2)],
    [records[2].id, shuffled(table(var1))],
    [records[3].id, shuffled(table(var2))],
  ]);

  it("pools the users of every seed, matched by id, and corrects over the table's cells", () => {
    const model = buildReportModel(records, userMetrics);
    const overall = model.tables[0];
    const [none, varRow] = overall.rows;
    expect(none.tests.every((t) => t === undefined)).toBe(true);
    const expected = pairedComparison([...none1, ...none2], [...var1, ...var2]);
    const recall = varRow.tests[overall.metrics.indexOf("recall@10")]!;
    expect(recall).toMatchObject({
      n: 20,
      seeds: [1, 2],
      p: expected.p,
      gain: expected.gain,
      gainLow: expected.gainLow,
    });
    // recall@20 and ndcg@20 have no per-user column: untested, and not counted in the family.
    expect(varRow.tests[overall.metrics.indexOf("recall@20")]).toBeUndefined();
    const ndcg = varRow.tests[overall.metrics.indexOf("ndcg@10")]!;
    expect(ndcg.p).toBeCloseTo(expected.p, 12); // ndcg = recall / 2 here: same t
    expect(recall.pAdjusted).toBeCloseTo(Math.min(1, 2 * expected.p), 15);
    expect(recall.significant).toBe(recall.pAdjusted < 0.05);
    const md = renderMarkdown(model);
    expect(md).toContain("† marks a significant gain and ‡ a significant loss over init none of the same row");
    expect(md).toMatch(
      /\| lightgcn \| var \| 2\/2 \| \*\*0\.5000 ± 0\.0000\*\* \(\+0\.0 % \[[^\]]+\] %, p [=<] [0-9.]+\)( †)? \|/,
    );
  });

  it("tells a significant gain (†, green) from a significant loss (‡, red)", () => {
    const model = buildReportModel(records, userMetrics);
    const overall = model.tables[0];
    const varRow = overall.rows[1];
    const recall = overall.metrics.indexOf("recall@10");
    const ndcg = overall.metrics.indexOf("ndcg@10");
    const base = varRow.tests[recall]!;
    varRow.tests[recall] = { ...base, significant: true, meanDifference: 0.05 };
    varRow.tests[ndcg] = { ...base, significant: true, meanDifference: -0.05 };
    const row = renderMarkdown(model)
      .split("\n")
      .find((line) => line.startsWith("| lightgcn | var |"))!;
    const cells = row.split(" | ").slice(3);
    expect(cells[recall]).toMatch(/\) †$/);
    expect(cells[ndcg]).toMatch(/\) ‡$/);
    expect(renderMarkdown(model)).toContain("† marks a significant gain and ‡ a significant loss over init none");
    const html = renderHtml(model);
    expect(html).toMatch(
      /<td class="num( best)? sig gain"[^>]*>[^<]*<span class="mark-sig" title="significant gain[^"]*">†</,
    );
    expect(html).toMatch(
      /<td class="num( best)? sig loss"[^>]*>[^<]*<span class="mark-sig" title="significant loss[^"]*">‡</,
    );
    expect(html).toContain("td.sig.loss { background: #fce8e6; }");
    expect(html).toContain("Significant gains are shaded green, significant losses red.");
  });

  it("tests the coldest-users table on the users of that degree bucket only", () => {
    const cold = buildReportModel(records, userMetrics).tables[1];
    const test = cold.rows[1].tests[cold.metrics.indexOf("recall@10")]!;
    const first4 = (v: number[]) => v.slice(0, 4);
    const expected = pairedComparison([...first4(none1), ...first4(none2)], [...first4(var1), ...first4(var2)]);
    expect(test).toMatchObject({ n: 8, p: expected.p });
  });

  it("leaves cells untested when a seed's baseline or per-user metrics are missing", () => {
    const partial = new Map([[records[2].id, table(var1)]]);
    const model = buildReportModel(records, partial);
    expect(model.tables[0].rows[1].tests.every((t) => t === undefined)).toBe(true);
    expect(renderMarkdown(model)).toContain("| lightgcn | var | 2/2 | **0.5000 ± 0.0000** (+0.0 %) |");
  });
});

describe("report: protocols", () => {
  it("puts each protocol's cells in their own table and names the protocol above and in the title", () => {
    const official = [cell("none", 1, "full", 0.1, 4, 10), cell("var", 1, "full", 0.2, 4, 10)].map((r) => ({
      ...r,
      id: `${r.id}-official`,
      protocol: "official",
      config: { protocol: "official" },
    }));
    const standard = [cell("none", 1, "full", 0.1, 4, 10), cell("var", 1, "full", 0.2, 4, 10)];
    const md = renderMarkdown(buildReportModel([...standard, ...official]));
    expect(md).toContain("## paper — d, full\n");
    expect(md).toContain("## paper — d, full, official protocol\n");
    expect(md).toContain("Protocol: --protocol standard (training and validation items masked at test");
    expect(md).toContain("Protocol: --protocol official (the official LLMInit code's RecBole repeatable: True");
  });
});

describe("report: the rating filter in the protocol line", () => {
  it("says the filter is off for implicit feedback, and names the rating field", () => {
    const withConfig = (config: Record<string, unknown>) =>
      buildReportModel([{ ...cell("none", 1, "full", 0.1, 4, 10), config: { kCore: 5, ...config } }]).tables[0]
        .protocol;
    expect(withConfig({ minRating: 4 })).toContain("filters: rating ≥ 4, 5-core;");
    expect(withConfig({})).toContain("filters: rating ≥ 4, 5-core;"); // the default, not recorded
    expect(withConfig({ minRating: null })).toContain("filters: no rating filter (--min-rating none), 5-core;");
    expect(withConfig({ minRating: null })).not.toContain("null");
    expect(withConfig({ minRating: 3, ratingField: "stars" })).toContain("filters: stars ≥ 3, 5-core;");
  });
});

describe("report: the cells' cut-offs", () => {
  it("shows Recall and NDCG at the two smallest K the cells evaluated, and the degree chart at the smallest", () => {
    const at5 = (init: string, seed: number): CellRecord => {
      const base = cell(init, seed, "full", 0.1, 4, 10);
      const metrics = { "recall@5": 0.2, "ndcg@5": 0.1 };
      return {
        ...base,
        config: { ks: [5] },
        test: metrics,
        testByDegree: base.testByDegree!.map((g) => ({ ...g, metrics })),
      };
    };
    const model = buildReportModel([at5("none", 1), at5("var", 1)]);
    expect(model.tables[0].metrics).toEqual(["recall@5", "ndcg@5"]);
    expect(model.tables[1].metrics).toEqual(["recall@5", "ndcg@5"]);
    const md = renderMarkdown(model);
    expect(md).toContain("| model | init | seeds ok | Recall@5 | NDCG@5 |");
    expect(md).toContain("| lightgcn | none | 1/1 | **0.2000** | **0.1000** |");
    expect(md).not.toMatch(/\| – \|/);
    const degree = model.charts.find((c) => c.kind === "degree")!;
    expect(degree.title).toMatch(/^Test Recall@5 by user training degree/);
    // The default cut-offs keep the paper's @10 and @20.
    expect(buildReportModel([cell("none", 1, "full", 0.1, 4, 10)]).tables[0].metrics).toEqual([
      "recall@10",
      "recall@20",
      "ndcg@10",
      "ndcg@20",
    ]);
  });
});
