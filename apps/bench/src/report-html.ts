import { formatImprovement, formatMeanStd } from "./mean-std.js";
import { columnTitle, type ChartSpec, type MetricTable, type RankTable, type ReportModel } from "./report-model.js";
import { formatGainInterval, formatP, SIGNIFICANCE_LEGEND, significance, significanceMark } from "./significance.js";
import { barChart, escapeXml as esc, lineChart } from "./svg-charts.js";

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.best { font-weight: bold; }
.change { color: #555; font-size: 0.8rem; }
td.num .change { display: block; white-space: normal; min-width: 9rem; }
td.sig.gain { background: #e6f4ea; }
td.sig.loss { background: #fce8e6; }
td.gain .mark-sig { color: #0a7d32; font-weight: bold; }
td.loss .mark-sig { color: #b3261e; font-weight: bold; }
.legend { color: #444; font-size: 0.85rem; max-width: 60rem; }
.protocol { color: #444; font-size: 0.85rem; }
figure { margin: 1rem 0 2rem; }
figcaption { font-weight: 600; margin-bottom: 0.25rem; }
.failed { color: #a00; font-size: 0.85rem; }
`;

function metricTable(table: MetricTable): string {
  const head = [...table.labelHeaders, "seeds ok", ...table.metrics.map(columnTitle)]
    .map((h) => `<th>${esc(h)}</th>`)
    .join("");
  const body = table.rows
    .map((row, i) => {
      const labels = row.labels.map((l) => `<td>${esc(l)}</td>`).join("");
      const metrics = table.metrics
        .map((_, m) => {
          const change = formatImprovement(row.stats[m].mean, row.baseline[m]);
          const test = change === "" ? undefined : row.tests[m];
          const kind = significance(test);
          const cls = `num${table.best[m].includes(i) ? " best" : ""}${kind === undefined ? "" : ` sig ${kind}`}`;
          // Non-breaking spaces inside "p = 0.01" and "+3.2 %": a narrow column wraps between the parts only.
          const detail =
            test === undefined ? "" : ` ${formatGainInterval(test)}, ${formatP(test.p).replace(/ /g, "\u00a0")}`;
          const mark =
            test !== undefined && kind !== undefined
              ? ` <span class="mark-sig" title="significant ${kind}, Holm-corrected p = ${test.pAdjusted.toPrecision(2)}">${significanceMark(test)}</span>`
              : "";
          const tested = test === undefined ? "" : ` data-p="${test.p}" data-significant="${test.significant}"`;
          const changeText = change.replace(/ /g, "\u00a0") + detail;
          return `<td class="${cls}"${tested}>${esc(formatMeanStd(row.stats[m]))}${mark}${change === "" ? "" : ` <span class="change">(${esc(changeText)})</span>`}</td>`;
        })
        .join("");
      return `<tr>${labels}<td class="num">${row.ok}/${row.total}</td>${metrics}</tr>`;
    })
    .join("\n");
  const failed =
    table.failed.length === 0
      ? ""
      : `<details class="failed"><summary>${table.failed.length} failed cell(s)</summary><ul>${table.failed.map((f) => `<li><code>${esc(f.id)}</code>: ${esc(f.error ?? "unknown error")}</li>`).join("")}</ul></details>`;
  return `<section id="${esc(table.id)}"><h2>${esc(table.title)}</h2><p class="protocol">Protocol: ${esc(table.protocol)}.</p>
<table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table>${failed}</section>`;
}

function rankTable(table: RankTable): string {
  const head = ["init", ...table.dims.map((d) => `d = ${d}`)].map((h) => `<th>${esc(h)}</th>`).join("");
  const body = table.rows
    .map(
      (row) =>
        `<tr><td>${esc(row.init)}</td>${table.dims.map((d) => `<td class="num">${row.byDim.has(d) ? esc(formatMeanStd(row.byDim.get(d)!, 2)) : "–"}</td>`).join("")}</tr>`,
    )
    .join("\n");
  return `<section id="${esc(table.id)}"><h2>${esc(table.title)}</h2><p class="protocol">Protocol: ${esc(table.protocol)}.</p>
<table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table></section>`;
}

function chart(spec: ChartSpec): string {
  const svg = spec.kind === "degree" ? barChart(spec) : lineChart(spec);
  return `<figure><figcaption>${esc(spec.title)}</figcaption>${svg}</figure>`;
}

/**
 * The self-contained HTML report: the Markdown report's tables plus inline SVG charts (collapse
 * curves, Recall@10 per degree bucket, valid NDCG@10 per epoch). No scripts, fonts or external CSS.
 */
export function renderHtml(model: ReportModel): string {
  const charts = (kind: ChartSpec["kind"], heading: string): string => {
    const list = model.charts.filter((c) => c.kind === kind);
    return list.length === 0 ? "" : `<h2>${esc(heading)}</h2>\n${list.map(chart).join("\n")}`;
  };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LLMInit benchmark report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>LLMInit benchmark report</h1>
<p>Cells: ${model.cells.total} (${model.cells.ok} ok, ${model.cells.failed} failed). Metrics are the mean ± sample standard deviation over the seeds that finished, on the test split; the change in brackets is over init <code>none</code> (xavier) of the same row; the best mean of each column is in bold.</p>
<p class="legend">${esc(SIGNIFICANCE_LEGEND)} Significant gains are shaded green, significant losses red.</p>
${model.rankTables.map(rankTable).join("\n")}
${charts("collapse", "Dimensional collapse")}
${model.tables.map(metricTable).join("\n")}
${charts("degree", "Recall@10 by user degree")}
${charts("training", "Training curves")}
</body>
</html>
`;
}
