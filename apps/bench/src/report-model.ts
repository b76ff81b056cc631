import { basename } from "node:path";
import { DEFAULT_DEGREE_BUCKETS, metricTitle } from "@llminit/metrics";
import { meanStd, type MeanStd } from "./mean-std.js";
import { buildColdItemsTables } from "./report-cold-items.js";
import {
  correctTable,
  testAgainstBaseline,
  type CellTest,
  type ColdUserMetrics,
  type UserMetricsByCell,
} from "./significance.js";
import type { CellRecord, Experiment } from "./types.js";

/** Metrics of the tables, in column order, for the default cut-offs (see {@link tableMetrics}). */
export const TABLE_METRICS = ["recall@10", "recall@20", "ndcg@10", "ndcg@20"] as const;

/** The cut-offs K the ok cells of `records` evaluated (their `ks`), ascending; the default 10, 20, 50 if none say. */
export function reportKs(records: readonly CellRecord[]): number[] {
  const ks = new Set<number>();
  for (const record of records) {
    const list = record.status === "ok" ? record.config.ks : undefined;
    if (Array.isArray(list)) for (const k of list) if (typeof k === "number") ks.add(k);
  }
  return ks.size === 0 ? [10, 20, 50] : [...ks].sort((a, b) => a - b);
}

/**
 * The columns of a metric table: Recall and NDCG at the two smallest cut-offs of the cells
 * (@10 and @20 by default, as in the paper; --ks 5 gives @5 alone).
 */
export function tableMetrics(records: readonly CellRecord[]): string[] {
  const ks = reportKs(records).slice(0, 2);
  return [...ks.map((k) => `recall@${k}`), ...ks.map((k) => `ndcg@${k}`)];
}

/**
 * A column heading from the metric registry: "ndcg@10" → "NDCG@10"; the cold-items benchmark's
 * "cold:recall@20" → "Cold Recall@20" and "hybrid:coldShare@20" → "Cold share of hybrid top-20".
 */
export function columnTitle(key: string): string {
  const colon = key.indexOf(":");
  const metric = key.slice(colon + 1);
  if (metric.startsWith("coldShare@")) return `Cold share of hybrid top-${metric.slice("coldShare@".length)}`;
  if (colon === -1) return metricTitle(metric);
  return `${key[0].toUpperCase()}${key.slice(1, colon)} ${metricTitle(metric)}`;
}

const INIT_ORDER = ["none", "rand", "uni", "var", "full"];

export interface TableRow {
  labels: string[];
  /** Cells with this row's key recorded ok / in all. */
  ok: number;
  total: number;
  stats: MeanStd[];
  /** Mean of the same row with init none, per metric (NaN when there is none). */
  baseline: number[];
  /** Paired test against the same row with init none, per metric (undefined: no test possible). */
  tests: Array<CellTest | undefined>;
}

export interface MetricTable {
  id: string;
  title: string;
  protocol: string;
  labelHeaders: string[];
  metrics: readonly string[];
  rows: TableRow[];
  /** Indexes of the rows holding the best mean, per metric. */
  best: number[][];
  failed: CellRecord[];
}

export interface RankTable {
  id: string;
  title: string;
  protocol: string;
  dims: number[];
  rows: Array<{ init: string; byDim: Map<number, MeanStd> }>;
}

export interface ChartSeries {
  label: string;
  points: Array<{ x: number; y: number }>;
}

export type ChartSpec =
  | {
      kind: "collapse" | "training";
      id: string;
      title: string;
      xLabel: string;
      yLabel: string;
      xLog2: boolean;
      series: ChartSeries[];
    }
  | {
      kind: "degree";
      id: string;
      title: string;
      yLabel: string;
      categories: string[];
      series: Array<{ label: string; values: number[] }>;
    };

export interface ReportModel {
  cells: { total: number; ok: number; failed: number };
  tables: MetricTable[];
  rankTables: RankTable[];
  charts: ChartSpec[];
}

function initRank(init: string): number {
  const i = INIT_ORDER.indexOf(init);
  return i === -1 ? INIT_ORDER.length : i;
}

function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function slug(text: string): string {
  return text
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase();
}

function metric(map: Record<string, number | null> | undefined, key: string): number {
  const v = map?.[key];
  return typeof v === "number" ? v : NaN;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [item]);
    else list.push(item);
  }
  return groups;
}

function settingLabel(record: CellRecord): string {
  return record.setting === "sparse" ? `sparse (≤ ${record.sparseKeep} training interactions per user)` : "full";
}

function datasetLabel(record: CellRecord): string {
  return basename(record.dataset);
}

/** Row labels of a table for this kind of grid (everything but the partition and the seed). */
function rowLabels(record: CellRecord): string[] {
  switch (record.experiment) {
    case "paper":
      return [record.model, record.init];
    case "collapse":
      return [record.model, record.init, String(record.dim)];
    case "encoders":
      return [record.model, record.encoder, record.init];
    case "cold-items":
      return [record.model, record.init];
  }
}

const LABEL_HEADERS: Record<Experiment, string[]> = {
  paper: ["model", "init"],
  collapse: ["model", "init", "d"],
  encoders: ["model", "encoder", "init"],
  "cold-items": ["model", "init"],
};

/** The evaluation protocol a cell ran under (cells recorded before the option existed: standard). */
export function protocolOf(record: CellRecord): string {
  const value = record.config.protocol;
  return typeof value === "string" ? value : "standard";
}

/** ", official protocol" in titles; nothing for the default protocol. */
function protocolSuffix(record: CellRecord): string {
  return protocolOf(record) === "standard" ? "" : `, ${protocolOf(record)} protocol`;
}

function partitionKey(record: CellRecord): string {
  return JSON.stringify([
    record.experiment,
    record.dataset,
    record.setting,
    record.sparseKeep ?? null,
    protocolOf(record),
  ]);
}

function compareLabels(experiment: Experiment, a: string[], b: string[]): number {
  const initIndex = LABEL_HEADERS[experiment].indexOf("init");
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (i === initIndex) return initRank(a[i]) - initRank(b[i]) || a[i].localeCompare(b[i]);
    if (LABEL_HEADERS[experiment][i] === "d") return Number(a[i]) - Number(b[i]);
    return 0; // keep first-seen order of models and encoders
  }
  return 0;
}

/**
 * The protocol behind a set of records, from what they recorded: filters, split, K, seeds,
 * d, epochs, encoder, backend and machine. Values that differ between cells are listed with " / ".
 */
export function protocolLine(records: readonly CellRecord[]): string {
  const ok = records.filter((r) => r.status === "ok");
  const use = ok.length > 0 ? ok : records;
  const config = (key: string): string =>
    distinct(
      use
        .map((r) => r.config[key])
        .filter((v) => v !== undefined)
        .map((v) => (Array.isArray(v) ? v.join(", ") : String(v))),
    ).join(" / ") || "?";
  const seeds = distinct(records.map((r) => r.seed)).sort((a, b) => a - b);
  const dims = distinct(records.map((r) => r.dim)).sort((a, b) => a - b);
  const llm = use.filter((r) => r.init !== "none");
  const encoders = distinct(
    llm.map((r) => (r.encoderDimension === undefined ? r.encoder : `${r.encoder} (${r.encoderDimension}-d)`)),
  );
  const backends = distinct(ok.map((r) => r.backend ?? "?"));
  const machines = distinct(use.map((r) => `${r.machine.cpuModel.trim()} × ${r.machine.cpus} cores`));
  const sparse = distinct(records.filter((r) => r.setting === "sparse").map((r) => r.sparseKeep));
  const protocols = distinct(use.map(protocolOf)).map((p) =>
    p === "official"
      ? "official (the official LLMInit code's RecBole repeatable: True: nothing masked at evaluation, negatives exclude only the positive, ≥ on the 4-decimal valid score, stop after patience + 1)"
      : p === "standard"
        ? "standard (training and validation items masked at test, negatives outside the user's training items, strictly greater valid score)"
        : p,
  );
  return [
    `--protocol ${protocols.join(" / ")}`,
    `filters: ${ratingFilter(use)}, ${config("kCore")}-core`,
    `split: ${config("split")}${sparse.length > 0 ? `, training thinned to ≤ ${sparse.join(" / ")} interactions per user` : ""}`,
    `full ranking, K ∈ {${config("ks")}}`,
    `seeds: ${seeds.join(", ")}`,
    `d = ${dims.join(", ")}, ${config("layers")} layers, ≤ ${config("epochs")} epochs (patience ${config("patience")}), batch ${config("batchSize")}, lr ${config("learningRate")}`,
    `encoder: ${encoders.length === 0 ? "— (no LLM init)" : encoders.join(" / ")}`,
    `backend: ${backends.length === 0 ? "?" : backends.join(" / ")}`,
    `machine: ${machines.join(" / ")}`,
  ].join("; ");
}

/**
 * The value filter of a set of records: "rating ≥ 4" (or the `--rating-field` they set), and
 * "no rating filter (--min-rating none)" for implicit feedback; " / " between differing ones.
 */
function ratingFilter(records: readonly CellRecord[]): string {
  const filters = distinct(
    records.map((r) => {
      const min = r.config.minRating;
      if (min === null) return "no rating filter (--min-rating none)";
      const field = typeof r.config.ratingField === "string" ? r.config.ratingField : "rating";
      // Not recorded: the default, 4 (off on data without a rating column).
      return `${field} ≥ ${min === undefined ? "4" : String(min)}`;
    }),
  );
  return filters.join(" / ");
}

/** What one table reads from a record: its test metrics, or those of one degree bucket. */
interface TableView {
  metrics: readonly string[];
  values: (record: CellRecord) => Record<string, number | null> | undefined;
  /** Appended to the table title. */
  titleSuffix: string;
  /** Which users' per-user metrics the paired tests use, by training degree (default: all). */
  includeDegree?: (degree: number) => boolean;
}

/** The overall test metrics of a partition's cells. */
function overallView(part: readonly CellRecord[]): TableView {
  return { metrics: tableMetrics(part), values: (r) => r.test, titleSuffix: "" };
}

/**
 * The cold-start view of a paper partition: the coldest degree bucket that has users, or null
 * when there is none or it holds every user (the sparse setting: the overall table says it all).
 */
function coldestView(part: readonly CellRecord[]): TableView | null {
  if (part[0].experiment !== "paper") return null;
  const ok = part.filter((r) => r.status === "ok" && r.testByDegree !== undefined);
  const bucket = ok[0]?.testByDegree?.find((g) => g.users > 0);
  if (bucket === undefined) return null;
  const groups = ok.map((r) => r.testByDegree?.find((g) => g.bucket === bucket.bucket));
  if (ok.every((r, i) => groups[i]?.users === r.datasetStats?.users)) return null;
  const users = distinct(groups.map((g) => g?.users ?? 0));
  const range = DEFAULT_DEGREE_BUCKETS.find((b) => b.label === bucket.bucket);
  const ks = reportKs(part).slice(0, 2);
  return {
    includeDegree: range === undefined ? () => false : (degree) => degree >= range.min && degree <= range.max,
    metrics: ks.flatMap((k) => [`recall@${k}`, `ndcg@${k}`]),
    values: (r) => r.testByDegree?.find((g) => g.bucket === bucket.bucket)?.metrics,
    titleSuffix: ` — coldest users (training degree ${bucket.bucket}; ${users.join(" / ")} users)`,
  };
}

function buildMetricTables(records: readonly CellRecord[], userMetrics: UserMetricsByCell): MetricTable[] {
  const tables: MetricTable[] = [];
  for (const part of groupBy(records, partitionKey).values()) {
    tables.push(buildMetricTable(part, overallView(part), userMetrics));
    const cold = coldestView(part);
    if (cold !== null) tables.push(buildMetricTable(part, cold, userMetrics));
  }
  return tables;
}

function buildMetricTable(part: readonly CellRecord[], view: TableView, userMetrics: UserMetricsByCell): MetricTable {
  const suffix = view.titleSuffix;
  const first = part[0];
  const experiment = first.experiment;
  const rows = groupBy(part, (r) => JSON.stringify(rowLabels(r)));
  const tableRows: TableRow[] = [];
  for (const [key, list] of rows) {
    const ok = list.filter((r) => r.status === "ok");
    tableRows.push({
      labels: JSON.parse(key) as string[],
      ok: ok.length,
      total: list.length,
      stats: view.metrics.map((m) => meanStd(ok.map((r) => metric(view.values(r), m)))),
      baseline: [],
      tests: [],
    });
  }
  tableRows.sort((a, b) => compareLabels(experiment, a.labels, b.labels));
  const initIndex = LABEL_HEADERS[experiment].indexOf("init");
  for (const row of tableRows) {
    const baseLabels = row.labels.map((l, i) => (i === initIndex ? "none" : l));
    const base = tableRows.find((r) => JSON.stringify(r.labels) === JSON.stringify(baseLabels));
    row.baseline = view.metrics.map((_, m) => (base === undefined || base === row ? NaN : base.stats[m].mean));
  }
  const okRecords = (labels: string[]) => (rows.get(JSON.stringify(labels)) ?? []).filter((r) => r.status === "ok");
  const tests = correctTable(
    tableRows.map((row) => {
      const baseLabels = row.labels.map((l, i) => (i === initIndex ? "none" : l));
      if (JSON.stringify(baseLabels) === JSON.stringify(row.labels)) return view.metrics.map(() => undefined);
      const base = okRecords(baseLabels);
      return view.metrics.map((m) =>
        testAgainstBaseline(base, okRecords(row.labels), m, userMetrics, view.includeDegree),
      );
    }),
  );
  tableRows.forEach((row, i) => (row.tests = tests[i]));
  const best = view.metrics.map((_, m) => {
    const means = tableRows.map((r) => r.stats[m].mean);
    const max = Math.max(...means.filter((v) => Number.isFinite(v)));
    return means.flatMap((v, i) => (v === max ? [i] : []));
  });
  const title = `${experiment} — ${datasetLabel(first)}, ${settingLabel(first)}${protocolSuffix(first)}${suffix}`;
  return {
    id: `table-${slug(title)}`,
    title,
    protocol: protocolLine(part),
    labelHeaders: LABEL_HEADERS[experiment],
    metrics: view.metrics,
    rows: tableRows,
    best,
    failed: suffix === "" ? part.filter((r) => r.status === "failed") : [],
  };
}

function buildRankTables(records: readonly CellRecord[]): RankTable[] {
  const tables: RankTable[] = [];
  const collapse = records.filter((r) => r.experiment === "collapse" && r.status === "ok");
  for (const part of groupBy(collapse, (r) => JSON.stringify([partitionKey(r), r.model])).values()) {
    const first = part[0];
    const dims = distinct(part.map((r) => r.dim)).sort((a, b) => a - b);
    const rows = [...groupBy(part, (r) => r.init)]
      .sort(([a], [b]) => initRank(a) - initRank(b) || a.localeCompare(b))
      .map(([init, list]) => ({
        init,
        byDim: new Map(
          dims.flatMap((d) => {
            const at = list.filter((r) => r.dim === d);
            return at.length === 0 ? [] : [[d, meanStd(at.map((r) => r.effectiveRank ?? NaN))] as [number, MeanStd]];
          }),
        ),
      }));
    const title = `effective rank of item embeddings — ${datasetLabel(first)}, ${settingLabel(first)}, ${first.model}`;
    tables.push({ id: `rank-${slug(title)}`, title, protocol: protocolLine(part), dims, rows });
  }
  return tables;
}

function seriesLabel(record: CellRecord): string {
  return record.experiment === "encoders" ? `${basename(record.encoder)} ${record.init}` : record.init;
}

function sortSeries<T extends { label: string }>(series: T[]): T[] {
  return series.sort((a, b) => initRank(a.label.split(" ").at(-1) ?? "") - initRank(b.label.split(" ").at(-1) ?? ""));
}

function buildCharts(records: readonly CellRecord[]): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const ok = records.filter((r) => r.status === "ok");
  const ids = new Set<string>();
  const uniqueId = (base: string): string => {
    let id = base;
    for (let i = 2; ids.has(id); i++) id = `${base}-${i}`;
    ids.add(id);
    return id;
  };
  for (const part of groupBy(
    ok.filter((r) => r.experiment === "collapse"),
    (r) => JSON.stringify([partitionKey(r), r.model]),
  ).values()) {
    const first = part[0];
    const series = [...groupBy(part, (r) => r.init)].map(([init, list]) => ({
      label: init,
      points: distinct(list.map((r) => r.dim))
        .sort((a, b) => a - b)
        .map((d) => ({ x: d, y: meanStd(list.filter((r) => r.dim === d).map((r) => r.effectiveRank ?? NaN)).mean }))
        .filter((p) => Number.isFinite(p.y)),
    }));
    const title = `Collapse: effective rank vs d — ${datasetLabel(first)}, ${first.setting}, ${first.model}`;
    charts.push({
      kind: "collapse",
      id: uniqueId(`collapse-${slug(`${datasetLabel(first)} ${first.setting} ${first.model}`)}`),
      title,
      xLabel: "d",
      yLabel: "effective rank",
      xLog2: true,
      series: sortSeries(series),
    });
  }
  const curveParts = groupBy(
    ok.filter((r) => r.experiment !== "collapse"),
    (r) => JSON.stringify([partitionKey(r), r.model, r.dim]),
  );
  for (const part of curveParts.values()) {
    const first = part[0];
    const name = `${first.experiment} ${datasetLabel(first)} ${first.setting}${protocolSuffix(first)} ${first.model}`;
    const bySeries = groupBy(part, seriesLabel);
    const categories = distinct(part.flatMap((r) => (r.testByDegree ?? []).map((g) => g.bucket)));
    // At the cells' smallest cut-off (@10 by default).
    const recall = `recall@${reportKs(part)[0]}`;
    const degreeSeries = [...bySeries].map(([label, list]) => ({
      label,
      values: categories.map(
        (bucket) =>
          meanStd(list.map((r) => metric(r.testByDegree?.find((g) => g.bucket === bucket)?.metrics, recall))).mean,
      ),
    }));
    charts.push({
      kind: "degree",
      id: uniqueId(`degree-${slug(name)}`),
      title: `Test ${metricTitle(recall)} by user training degree — ${datasetLabel(first)}, ${first.setting}${protocolSuffix(first)}, ${first.model} (${first.experiment})`,
      yLabel: metricTitle(recall),
      categories,
      series: sortSeries(degreeSeries),
    });
    const curveSeries = [...bySeries].map(([label, list]) => {
      const epochs = distinct(
        list.flatMap((r) => (r.curve ?? []).filter((p) => typeof p.valid === "number").map((p) => p.epoch)),
      ).sort((a, b) => a - b);
      return {
        label,
        points: epochs
          .map((epoch) => ({
            x: epoch,
            y: meanStd(list.map((r) => r.curve?.find((p) => p.epoch === epoch)?.valid ?? NaN)).mean,
          }))
          .filter((p) => Number.isFinite(p.y)),
      };
    });
    charts.push({
      kind: "training",
      id: uniqueId(`training-${slug(name)}`),
      title: `Training: valid NDCG@10 per epoch — ${datasetLabel(first)}, ${first.setting}${protocolSuffix(first)}, ${first.model} (${first.experiment})`,
      xLabel: "epoch",
      yLabel: "valid NDCG@10",
      xLog2: false,
      series: sortSeries(curveSeries),
    });
  }
  return charts;
}

/**
 * Everything both reports show, computed from the latest record of each cell and, for the paired
 * tests, the per-user test metrics of the cells that stored them (`loadUserMetrics`; the cold and
 * hybrid ones of cold-items cells: `loadColdUserMetrics`).
 */
export function buildReportModel(
  records: readonly CellRecord[],
  userMetrics: UserMetricsByCell = new Map(),
  coldUserMetrics: ColdUserMetrics = new Map(),
): ReportModel {
  const ok = records.filter((r) => r.status === "ok").length;
  return {
    cells: { total: records.length, ok, failed: records.length - ok },
    tables: [
      ...buildMetricTables(
        records.filter((r) => r.experiment !== "cold-items"),
        userMetrics,
      ),
      ...buildColdItemsTables(records, userMetrics, coldUserMetrics),
    ],
    rankTables: buildRankTables(records),
    charts: buildCharts(records),
  };
}
