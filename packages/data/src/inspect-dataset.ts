import { ConfigError, DataFormatError, LlminitError, NotAvailableError, silentLogger } from "@llminit/core";
import type { Vocab } from "@llminit/core";
import type { DataIssue, FileSummary } from "./data-issues.js";
import { reportIssue } from "./data-issues.js";
import { computeStats, EmptyDatasetError, filterInteractions } from "./filters.js";
import type { StageStats } from "./filters.js";
import type { InteractionLog, ItemFeatures } from "./interaction-log.js";
import { MAX_EMPTY_TEXT_SHARE, parseTemplate, renderItemText } from "./item-text.js";
import type { TextTemplate } from "./item-text.js";
import { loadDataset, locateDataset } from "./load-dataset.js";
import { DATASETS } from "./registry.js";
import type { DatasetLocation, LoadOptions } from "./load-dataset.js";
import type { SplitMethod } from "./split.js";
import { valueFilterFor } from "./value-filter.js";

/** Options of {@link inspectDataset}: where to find the dataset and the filters a run would apply. */
export interface InspectOptions extends LoadOptions {
  /** As in `prepareDataset`: default 4, `null` = off; a dataset without the rating column has it off. */
  minRating?: number | null;
  /** Iterative k-core threshold(s) (default 5); 0 turns it off. */
  kCore?: number | { user: number; item: number };
  /** Default "first". */
  duplicates?: "first" | "last" | "keep";
  /** Default "random-loo"; splits by time drop interactions without a timestamp first. */
  split?: SplitMethod;
  ratioOrder?: "random" | "time";
  /** Item-text template (default: the dataset's own). */
  textTemplate?: string;
  /** How many problems to keep in the report (default 20); `problemCount` counts them all. */
  maxProblems?: number;
}

/** One filter stage with what it removed. */
export interface StageReport extends StageStats {
  /** Users and items that had interactions before this stage and none after it. */
  droppedUsers: number;
  droppedItems: number;
}

/** Item-text coverage of a set of items under the template. */
export interface TextCount {
  items: number;
  /** Items whose text under the template is empty (a run encodes them as ""). */
  emptyText: number;
  /** Items without any row in the item file (always an empty text). */
  noItemRow: number;
  /** The first few ids of items with an empty text. */
  emptyExamples: string[];
}

/** The item texts a run would encode. */
export interface TextCoverage {
  template: string;
  /** The item fields the template reads. */
  fields: string[];
  /** Rows of the item file (0 when there is none). */
  itemRows: number;
  /** Item rows that no interaction mentions (harmless, never encoded). */
  itemRowsWithoutInteractions: number;
  /** Over every item with an interaction. */
  raw: TextCount;
  /** Over the items left after the filters: what a run encodes. Absent when the filters leave nothing. */
  filtered?: TextCount;
}

/** What {@link inspectDataset} found. */
export interface DatasetInspection {
  dataset: string;
  location?: DatasetLocation;
  /** Each file read, with its format and columns (name, type, use). */
  files: FileSummary[];
  /** Interactions (rows), users and items as read. */
  raw?: { rows: number; users: number; items: number };
  /** The value filter a run applies (`null`: off). */
  valueFilter?: { field: string; min: number } | null;
  /** Every filter stage, raw first, with what it drops. Stops at a stage that leaves nothing. */
  stages: StageReport[];
  text?: TextCoverage;
  /** The first problems found (file, first line, field, count, message), in the order found. */
  problems: DataIssue[];
  /** How many problems were found in all. */
  problemCount: number;
  /** The error a run on this dataset would stop with, if any. */
  error?: { code: string; message: string; file?: string; line?: number; field?: string; key?: string; stage?: string };
}

const EXAMPLES = 5;

function textCount(items: Vocab, features: ItemFeatures, template: TextTemplate): TextCount {
  const count: TextCount = { items: items.size, emptyText: 0, noItemRow: 0, emptyExamples: [] };
  for (let i = 0; i < items.size; i++) {
    const id = items.idOf(i);
    const record = features.get(id);
    if (record === undefined) count.noItemRow++;
    if (renderItemText(template, record).length > 0) continue;
    count.emptyText++;
    if (count.emptyExamples.length < EXAMPLES) count.emptyExamples.push(id);
  }
  return count;
}

/** Items of `log` that have at least one interaction, as a Vocab-like list of ids. */
function activeItems(log: InteractionLog): Vocab {
  const seen = new Uint8Array(log.items.size);
  for (let k = 0; k < log.length; k++) seen[log.item[k]] = 1;
  return log.items.subset(seen).vocab;
}

function stageReports(stats: readonly StageStats[]): StageReport[] {
  return stats.map((s, i) => ({
    ...s,
    droppedUsers: i === 0 ? 0 : stats[i - 1].users - s.users,
    droppedItems: i === 0 ? 0 : stats[i - 1].items - s.items,
  }));
}

function describeError(error: LlminitError): NonNullable<DatasetInspection["error"]> {
  const out: NonNullable<DatasetInspection["error"]> = { code: error.code, message: error.message };
  if (error instanceof DataFormatError) {
    if (error.file !== undefined) out.file = error.file;
    if (error.line !== undefined) out.line = error.line;
    if (error.field !== undefined) out.field = error.field;
  }
  if (error instanceof ConfigError) out.key = error.key;
  if (error instanceof EmptyDatasetError) out.stage = error.stage;
  return out;
}

/**
 * Reads a dataset as a run would and reports what it found, training and encoding nothing: the files with their
 * columns and types (and which ones the run uses), row / user / item counts, what each filter stage would drop (value
 * filter, duplicates, iterative k-core), the item-text coverage under the run's template, and the first problems
 * found, each with its file, first line and count. A problem that would stop the run (an unreadable file, a
 * malformed value in a used column, a filter that leaves nothing, a bad template) does not throw: it is returned as
 * `error`, with everything found before it. Other errors (bugs, I/O failures) are thrown. It never downloads: a
 * registry dataset that is not on this machine is an `E_NOT_AVAILABLE` error with its remote `location`.
 */
export async function inspectDataset(nameOrDir: string, options: InspectOptions = {}): Promise<DatasetInspection> {
  const logger = options.logger ?? silentLogger;
  const maxProblems = options.maxProblems ?? 20;
  const result: DatasetInspection = { dataset: nameOrDir, files: [], stages: [], problems: [], problemCount: 0 };
  const onIssue = (issue: DataIssue) => {
    result.problemCount++;
    if (result.problems.length < maxProblems) result.problems.push(issue);
    options.onIssue?.(issue);
  };
  const onFile = (summary: FileSummary) => {
    result.files.push(summary);
    options.onFile?.(summary);
  };
  const report = { logger, onIssue };
  try {
    // Inspecting never downloads: a registry dataset that is not here is reported as such.
    const entry = (options.registry ?? DATASETS).find((e) => e.name === nameOrDir);
    const location = entry === undefined ? undefined : await locateDataset(entry, options);
    if (entry !== undefined && location?.kind === "remote") {
      await loadDataset(nameOrDir, { ...options, download: false }).catch((error: unknown) => {
        if (!(error instanceof NotAvailableError)) throw error; // e.g. a --data-dir without the dataset
      });
      result.location = location;
      result.error = {
        code: "E_NOT_AVAILABLE",
        message:
          `${entry.name} is not on this machine: \`llminit run\` would download ${location.urls.join(" and ")} ` +
          `into ${location.dir} first; inspect reads local files only`,
      };
      return result;
    }
    const loaded = await loadDataset(nameOrDir, { ...options, download: false, onIssue, onFile });
    result.dataset = loaded.name;
    result.location = loaded.location;
    const raw = computeStats(loaded.log, "raw");
    result.raw = { rows: raw.interactions, users: raw.users, items: raw.items };
    result.valueFilter = valueFilterFor(loaded, options.minRating, report);

    const templateText = options.textTemplate ?? loaded.textTemplate;
    const template = parseTemplate(templateText);
    const features = loaded.itemFeatures;
    const itemRowsWithoutInteractions = [...features.keys()].filter((id) => !loaded.log.items.has(id)).length;
    result.text = {
      template: templateText,
      fields: template.fields,
      itemRows: features.size,
      itemRowsWithoutInteractions,
      raw: textCount(activeItems(loaded.log), features, template),
    };
    const known = new Set<string>();
    for (const record of features.values()) for (const key in record) known.add(key);
    // A default template lists fields a dataset may lack; name them when the user chose it or nothing matches.
    const noneKnown = template.fields.every((field) => !known.has(field));
    for (const field of template.fields) {
      if (known.has(field) || (options.textTemplate === undefined && !noneKnown)) continue;
      reportIssue(report, {
        level: "warn",
        kind: "template-field",
        field,
        count: 1,
        message: `text template field {${field}} is in no item row (item fields: ${[...known].join(", ") || "none"})`,
      });
    }

    const method = options.split ?? "random-loo";
    const byTime = method === "temporal-loo" || (method === "ratio" && options.ratioOrder === "time");
    if (byTime && loaded.log.timestamp === undefined)
      throw new ConfigError("split", `"${method}" by time needs timestamps, and the data has none`);
    const kCore = options.kCore ?? 5;
    let filtered: InteractionLog;
    try {
      const out = filterInteractions(loaded.log, {
        minRating: result.valueFilter?.min,
        requireTimestamp: byTime,
        duplicates: options.duplicates ?? "first",
        kCore: kCore === 0 ? undefined : kCore,
        logger,
      });
      filtered = out.log;
      result.stages = stageReports(out.stats);
    } catch (error) {
      if (error instanceof EmptyDatasetError) result.stages = stageReports(error.stats);
      throw error;
    }
    result.text.filtered = textCount(filtered.items, features, template);
    const { emptyText, items } = result.text.filtered;
    if (emptyText > 0) {
      const refused = emptyText / items > MAX_EMPTY_TEXT_SHARE;
      reportIssue(report, {
        level: refused ? "warn" : "info",
        kind: "empty-text",
        count: emptyText,
        message:
          `${emptyText} of ${items} items (${Math.round((100 * emptyText) / items)} %) have an empty text under ` +
          `"${templateText}" after the filters: ` +
          (refused
            ? `a run that encodes item text (an LLM init rand/uni/var, --cold-items, encode) refuses more than ` +
              `${100 * MAX_EMPTY_TEXT_SHARE} %`
            : `a run encodes them as "" and warns`),
      });
    }
    if (method !== "ratio") {
      const degree = new Int32Array(filtered.users.size);
      for (let k = 0; k < filtered.length; k++) degree[filtered.user[k]]++;
      const short = degree.filter((d) => d < 3).length;
      if (short > 0) {
        reportIssue(report, {
          level: "info",
          kind: "short-history",
          count: short,
          message: `${short} user(s) have fewer than 3 interactions after the filters: leave-one-out keeps them in train only`,
        });
      }
    }
  } catch (error) {
    if (!(error instanceof LlminitError)) throw error;
    result.error = describeError(error);
  }
  return result;
}
