import { join } from "node:path";
import type { Logger } from "@llminit/core";
import { writeFileAtomic } from "@llminit/core/node";
import { renderHtml } from "./report-html.js";
import { renderMarkdown } from "./report-markdown.js";
import { buildReportModel } from "./report-model.js";
import { latestById, readResults } from "./results-file.js";
import { loadColdUserMetrics, loadUserMetrics } from "./significance.js";

/**
 * Regenerates `dir/report.md` and `dir/report.html` from `dir/results.jsonl` and, for the paired
 * tests, the per-user metrics in the cells' run folders. With no results it writes nothing
 * (`cells: 0`), so that good reports are never replaced by empty ones.
 */
export async function writeReports(
  dir: string,
  options: { logger?: Logger } = {},
): Promise<{ markdown: string; html: string; cells: number }> {
  const records = latestById(await readResults(join(dir, "results.jsonl"), { logger: options.logger }));
  const model = buildReportModel(
    records,
    await loadUserMetrics(records, dir, options.logger),
    await loadColdUserMetrics(records, dir, options.logger),
  );
  const markdown = join(dir, "report.md");
  const html = join(dir, "report.html");
  if (records.length === 0) return { markdown, html, cells: 0 };
  await writeFileAtomic(markdown, renderMarkdown(model));
  await writeFileAtomic(html, renderHtml(model));
  return { markdown, html, cells: records.length };
}
