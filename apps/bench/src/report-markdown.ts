import { formatImprovement, formatMeanStd } from "./mean-std.js";
import { columnTitle, type MetricTable, type RankTable, type ReportModel } from "./report-model.js";
import { formatGainInterval, formatP, SIGNIFICANCE_LEGEND, significanceMark } from "./significance.js";

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/**
 * One metric cell: `mean ± std`, bold when best in its column, then the change over init none
 * with, where per-user metrics allow a paired test, the 95 % interval of the gain, the p-value and
 * † for a significant gain, ‡ for a significant loss (after correction).
 */
export function formatMetricCell(table: MetricTable, row: number, m: number): string {
  const r = table.rows[row];
  const text = formatMeanStd(r.stats[m]);
  const bold = table.best[m].includes(row) ? `**${text}**` : text;
  const change = formatImprovement(r.stats[m].mean, r.baseline[m]);
  if (change === "") return bold;
  const test = r.tests[m];
  if (test === undefined) return `${bold} (${change})`;
  const mark = significanceMark(test);
  return `${bold} (${change} ${formatGainInterval(test)}, ${formatP(test.p)})${mark === "" ? "" : ` ${mark}`}`;
}

function metricTable(table: MetricTable): string {
  const headers = [...table.labelHeaders, "seeds ok", ...table.metrics.map(columnTitle)];
  const lines = [
    `## ${table.title}`,
    "",
    `Protocol: ${table.protocol}.`,
    "",
    `| ${headers.join(" | ")} |`,
    `|${headers.map((_, i) => (i < table.labelHeaders.length ? "---" : "---:")).join("|")}|`,
    ...table.rows.map(
      (row, i) =>
        `| ${[...row.labels.map(escapeCell), `${row.ok}/${row.total}`, ...table.metrics.map((_, m) => formatMetricCell(table, i, m))].join(" | ")} |`,
    ),
  ];
  if (table.failed.length > 0) {
    lines.push("", `Failed cells (${table.failed.length}):`, "");
    for (const f of table.failed) lines.push(`- \`${f.id}\`: ${escapeCell(f.error ?? "unknown error")}`);
  }
  return lines.join("\n");
}

function rankTable(table: RankTable): string {
  const headers = ["init", ...table.dims.map((d) => `d = ${d}`)];
  return [
    `## ${table.title}`,
    "",
    `Protocol: ${table.protocol}.`,
    "",
    `| ${headers.join(" | ")} |`,
    `|---|${table.dims.map(() => "---:").join("|")}|`,
    ...table.rows.map(
      (row) =>
        `| ${[row.init, ...table.dims.map((d) => (row.byDim.has(d) ? formatMeanStd(row.byDim.get(d)!, 2) : "–"))].join(" | ")} |`,
    ),
  ].join("\n");
}

/**
 * The Markdown report: one table per (benchmark, dataset, setting) with mean ± sample std over
 * seeds of Recall/NDCG@10/20, the change over init none, best per column in bold and the
 * protocol line above; effective-rank tables for collapse.
 */
export function renderMarkdown(model: ReportModel): string {
  const parts = [
    "# LLMInit benchmark report",
    `Cells: ${model.cells.total} (${model.cells.ok} ok, ${model.cells.failed} failed). ` +
      "Each metric is the mean ± sample standard deviation (n − 1) over the seeds that finished, on the test split; " +
      "(+x %) is the change of the mean over init `none` (xavier) of the same row; the best mean of each column is in bold. " +
      "Charts are in report.html.\n\n" +
      SIGNIFICANCE_LEGEND,
    ...model.rankTables.map(rankTable),
    ...model.tables.map(metricTable),
  ];
  return `${parts.join("\n\n")}\n`;
}
