import { basename } from "node:path";
import { COLD_START_METHODS } from "@llminit/pipeline";
import { meanStd } from "./mean-std.js";
import { protocolLine, type MetricTable, type TableRow } from "./report-model.js";
import type { CellRecord } from "./types.js";

/**
 * Columns of the cold-start table (titles in METRIC_TITLES): the cold and hybrid settings at K = 20,
 * and how often cold items reach a hybrid list.
 */
export const COLD_ITEMS_METRICS = [
  "cold:recall@20",
  "cold:ndcg@20",
  "hybrid:recall@20",
  "hybrid:ndcg@20",
  "hybrid:coldShare@20",
] as const;

const WARM_METRICS = ["recall@10", "recall@20", "ndcg@10", "ndcg@20"];

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

function slug(text: string): string {
  return text
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase();
}

/** A method's value of "setting:metric" in a record (NaN when absent or not applicable). */
function coldValue(record: CellRecord, method: string, key: string): number {
  const [setting, metric] = key.split(":");
  const result = record.coldStart?.methods.find((m) => m.method === method);
  if (result === undefined || !result.applicable) return NaN;
  const values = setting === "cold" ? result.cold : metric.startsWith("coldShare") ? result.coldShare : result.hybrid;
  const v = values?.[metric];
  return typeof v === "number" ? v : NaN;
}

function finishTable(
  id: string,
  title: string,
  protocol: string,
  labelHeaders: string[],
  metrics: readonly string[],
  rows: TableRow[],
  failed: CellRecord[],
): MetricTable {
  const initIndex = labelHeaders.indexOf("init");
  for (const row of rows) {
    const base = rows.find((r) => r.labels.every((l, i) => (i === initIndex ? l === "none" : l === row.labels[i])));
    row.baseline = metrics.map((_, m) => (base === undefined || base === row ? NaN : base.stats[m].mean));
    row.tests = metrics.map(() => undefined);
  }
  const best = metrics.map((_, m) => {
    const means = rows.map((r) => r.stats[m].mean);
    const max = Math.max(...means.filter((v) => Number.isFinite(v)));
    return means.flatMap((v, i) => (v === max ? [i] : []));
  });
  return { id, title, protocol, labelHeaders, metrics, rows, best, failed };
}

/**
 * The cold-items benchmark's tables, per dataset: the cold and hybrid settings with one row per
 * model × init × method (mean ± std over seeds; the change is over init none of the same model and
 * method), then the warm test metrics per model × init.
 */
export function buildColdItemsTables(records: readonly CellRecord[]): MetricTable[] {
  const tables: MetricTable[] = [];
  const cold = records.filter((r) => r.experiment === "cold-items");
  for (const part of groupBy(cold, (r) => r.dataset).values()) {
    const dataset = basename(part[0].dataset);
    const ok = part.filter((r) => r.status === "ok");
    const summaries = ok.flatMap((r) => (r.coldStart === undefined ? [] : [r.coldStart]));
    const distinct = (values: Array<string | number>) => [...new Set(values)].join(" / ");
    const notApplicable = distinct(
      summaries.flatMap((s) => s.methods.filter((m) => !m.applicable).map((m) => `${m.method}: ${m.reason}`)),
    );
    const protocol = [
      protocolLine(part),
      `cold items: ${distinct(summaries.map((s) => s.ratio))} of the items held out with all their interactions ` +
        `(${distinct(summaries.map((s) => `${s.items.coldValid} valid + ${s.items.coldTest} test`))} items; ` +
        `${distinct(summaries.map((s) => s.items.warm))} warm)`,
      "early stopping on warm valid NDCG@10; λ of map on cold-valid NDCG@10",
      "hybrid truth: the warm test item and every cold test interaction of the user",
      ...(notApplicable === "" ? [] : [notApplicable]),
    ].join("; ");
    const failed = part.filter((r) => r.status === "failed");

    const rows: TableRow[] = [];
    for (const [key, list] of groupBy(part, (r) => JSON.stringify([r.model, r.init]))) {
      const [model, init] = JSON.parse(key) as [string, string];
      const done = list.filter((r) => r.status === "ok");
      for (const method of COLD_START_METHODS) {
        const applicable = done.filter((r) => r.coldStart?.methods.find((m) => m.method === method)?.applicable);
        if (done.length > 0 && applicable.length === 0) continue;
        rows.push({
          labels: [model, init, method],
          ok: applicable.length,
          total: list.length,
          stats: COLD_ITEMS_METRICS.map((metric) => meanStd(applicable.map((r) => coldValue(r, method, metric)))),
          baseline: [],
          tests: [],
        });
      }
    }
    const title = `cold-items — ${dataset}: new items in the cold and hybrid settings`;
    tables.push(
      finishTable(
        `table-${slug(title)}`,
        title,
        protocol,
        ["model", "init", "method"],
        COLD_ITEMS_METRICS,
        rows,
        failed,
      ),
    );

    const warmRows: TableRow[] = [...groupBy(part, (r) => JSON.stringify([r.model, r.init]))].map(([key, list]) => {
      const done = list.filter((r) => r.status === "ok");
      return {
        labels: JSON.parse(key) as string[],
        ok: done.length,
        total: list.length,
        stats: WARM_METRICS.map((metric) => meanStd(done.map((r) => r.test?.[metric] ?? NaN))),
        baseline: [],
        tests: [],
      };
    });
    const warmTitle = `cold-items — ${dataset}: warm items (the trained backbones, cold items removed)`;
    tables.push(
      finishTable(
        `table-${slug(warmTitle)}`,
        warmTitle,
        protocolLine(part),
        ["model", "init"],
        WARM_METRICS,
        warmRows,
        [],
      ),
    );
  }
  return tables;
}
