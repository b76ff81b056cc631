import { basename } from "node:path";
import { COLD_START_METHODS } from "@llminit/pipeline";
import { meanStd } from "./mean-std.js";
import { protocolLine, protocolOf, reportKs, tableMetrics, type MetricTable, type TableRow } from "./report-model.js";
import { correctTable, testAgainstBaseline, type ColdUserMetrics, type UserMetricsByCell } from "./significance.js";
import type { CellRecord } from "./types.js";

/**
 * Columns of the cold-start table (titles by `columnTitle`): the cold and hybrid settings at one
 * cut-off K, and how often cold items reach a hybrid top-K. K is 20 when the cells evaluated it,
 * else their largest K; either only if it is below the number of cold test items (a K that ranks
 * every cold test item gives recall 1 to any method), else the largest K that is, else the smallest.
 */
export function coldItemsMetrics(records: readonly CellRecord[]): string[] {
  const ks = reportKs(records);
  const coldTest = Math.min(
    ...records.flatMap((r) => (r.status === "ok" && r.coldStart !== undefined ? [r.coldStart.items.coldTest] : [])),
  );
  const meaningful = ks.filter((k) => k < coldTest);
  const k = meaningful.includes(20) ? 20 : (meaningful.at(-1) ?? ks[0]);
  return [`cold:recall@${k}`, `cold:ndcg@${k}`, `hybrid:recall@${k}`, `hybrid:ndcg@${k}`, `hybrid:coldShare@${k}`];
}

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
  const values = setting === "cold" ? result.cold : result.hybrid;
  const v = values?.[metric];
  return typeof v === "number" ? v : NaN;
}

/** Columns that are shares, not scores: no change over init none, no test. */
const isShare = (metric: string) => metric.startsWith("hybrid:coldShare@");

/** A row with the ok records behind it (those where its method applies). */
interface RowSource {
  row: TableRow;
  records: CellRecord[];
}

/**
 * Baselines, paired tests (Holm–Bonferroni over the table) and the best means. `test(row, base, m)`
 * tests column m of a row against its init-none row; share columns get neither change nor test.
 */
function finishTable(
  id: string,
  title: string,
  protocol: string,
  labelHeaders: string[],
  metrics: readonly string[],
  sources: RowSource[],
  failed: CellRecord[],
  test: (row: RowSource, base: RowSource, metric: number) => ReturnType<typeof testAgainstBaseline>,
): MetricTable {
  const initIndex = labelHeaders.indexOf("init");
  const baseOf = (source: RowSource) => {
    const base = sources.find((s) =>
      s.row.labels.every((l, i) => (i === initIndex ? l === "none" : l === source.row.labels[i])),
    );
    return base === source ? undefined : base;
  };
  const rows = sources.map((s) => s.row);
  const tests = correctTable(
    sources.map((source) => {
      const base = baseOf(source);
      return metrics.map((metric, m) => (base === undefined || isShare(metric) ? undefined : test(source, base, m)));
    }),
  );
  sources.forEach((source, i) => {
    const base = baseOf(source);
    source.row.baseline = metrics.map((metric, m) =>
      base === undefined || isShare(metric) ? NaN : base.row.stats[m].mean,
    );
    source.row.tests = tests[i];
  });
  const best = metrics.map((_, m) => {
    const means = rows.map((r) => r.stats[m].mean);
    const max = Math.max(...means.filter((v) => Number.isFinite(v)));
    return means.flatMap((v, i) => (v === max ? [i] : []));
  });
  return { id, title, protocol, labelHeaders, metrics, rows, best, failed };
}

/**
 * The cold-items benchmark's tables, per dataset, setting and protocol: the cold and hybrid
 * settings with one row per model × init × method (mean ± std over seeds; the change over init
 * none of the same model and method, with a paired test on the per-user cold or hybrid metrics;
 * the cold share alone), then the warm test metrics per model × init (tested like the paper's).
 */
export function buildColdItemsTables(
  records: readonly CellRecord[],
  userMetrics: UserMetricsByCell = new Map(),
  coldUserMetrics: ColdUserMetrics = new Map(),
): MetricTable[] {
  const tables: MetricTable[] = [];
  const cold = records.filter((r) => r.experiment === "cold-items");
  const partition = (r: CellRecord) => JSON.stringify([r.dataset, r.setting, r.sparseKeep ?? null, protocolOf(r)]);
  for (const part of groupBy(cold, partition).values()) {
    const first = part[0];
    const where = [
      basename(first.dataset),
      ...(first.setting === "sparse" ? [`sparse (≤ ${first.sparseKeep} training interactions per user)`] : []),
      ...(protocolOf(first) === "standard" ? [] : [`${protocolOf(first)} protocol`]),
    ].join(", ");
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
      "early stopping on warm valid NDCG@10; λ of map and k of map-knn on cold-valid NDCG@10",
      "hybrid truth: the warm test item and every cold test interaction of the user, masked as the protocol masks " +
        "the warm test; nothing to mask in the cold setting",
      ...(notApplicable === "" ? [] : [notApplicable]),
    ].join("; ");
    const failed = part.filter((r) => r.status === "failed");
    const coldMetrics = coldItemsMetrics(part);
    const warmMetrics = tableMetrics(part);

    const sources: RowSource[] = [];
    for (const [key, list] of groupBy(part, (r) => JSON.stringify([r.model, r.init]))) {
      const [model, init] = JSON.parse(key) as [string, string];
      const done = list.filter((r) => r.status === "ok");
      for (const method of COLD_START_METHODS) {
        const applicable = done.filter((r) => r.coldStart?.methods.find((m) => m.method === method)?.applicable);
        if (done.length > 0 && applicable.length === 0) continue;
        sources.push({
          row: {
            labels: [model, init, method],
            ok: applicable.length,
            total: list.length,
            stats: coldMetrics.map((metric) => meanStd(applicable.map((r) => coldValue(r, method, metric)))),
            baseline: [],
            tests: [],
          },
          records: applicable,
        });
      }
    }
    const title = `cold-items — ${where}: new items in the cold and hybrid settings`;
    tables.push(
      finishTable(
        `table-${slug(title)}`,
        title,
        protocol,
        ["model", "init", "method"],
        coldMetrics,
        sources,
        failed,
        (source, base, m) => {
          const [setting, metric] = coldMetrics[m].split(":");
          const tables = coldUserMetrics.get(`${setting}-${source.row.labels[2]}`) ?? new Map();
          return testAgainstBaseline(base.records, source.records, metric, tables);
        },
      ),
    );

    const warmSources: RowSource[] = [...groupBy(part, (r) => JSON.stringify([r.model, r.init]))].map(([key, list]) => {
      const done = list.filter((r) => r.status === "ok");
      return {
        row: {
          labels: JSON.parse(key) as string[],
          ok: done.length,
          total: list.length,
          stats: warmMetrics.map((metric) => meanStd(done.map((r) => r.test?.[metric] ?? NaN))),
          baseline: [],
          tests: [],
        },
        records: done,
      };
    });
    const warmTitle = `cold-items — ${where}: warm items (the trained backbones, cold items removed)`;
    tables.push(
      finishTable(
        `table-${slug(warmTitle)}`,
        warmTitle,
        protocolLine(part),
        ["model", "init"],
        warmMetrics,
        warmSources,
        [],
        (source, base, m) => testAgainstBaseline(base.records, source.records, warmMetrics[m], userMetrics),
      ),
    );
  }
  return tables;
}
