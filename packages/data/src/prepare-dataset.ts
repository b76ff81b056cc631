import { ConfigError, silentLogger } from "@llminit/core";
import type { Logger, ProgressReporter, Rng } from "@llminit/core";
import { filterInteractions } from "./filters.js";
import type { StageStats } from "./filters.js";
import { buildItemTexts } from "./item-text.js";
import type { DataIssue, FileSummary } from "./data-issues.js";
import { loadDataset } from "./load-dataset.js";
import type { DatasetLocation, LocateOptions } from "./load-dataset.js";
import { splitInteractions } from "./split.js";
import { valueFilterFor } from "./value-filter.js";
import type { Split, SplitMethod } from "./split.js";

/** Options of {@link prepareDataset}. Defaults follow the LLMInit paper's protocol. */
export interface PrepareOptions extends LocateOptions {
  /** Seeded generator; the split uses `rng.child("split")`. */
  rng: Rng;
  /**
   * Keep interactions whose rating (or `ratingField`) is ≥ this (default 4); a missing value fails it. `null` turns
   * the value filter off; a dataset without the rating column runs with it off, after one notice.
   */
  minRating?: number | null;
  /** The numeric interaction column `minRating` applies to (default "rating"), e.g. "play_count"; it must exist. */
  ratingField?: string;
  /** Iterative k-core threshold(s) (default 5); 0 turns it off. */
  kCore?: number | { user: number; item: number };
  /** Repeated (user, item) pairs: keep the first or last by time (default "first"), or keep all. */
  duplicates?: "first" | "last" | "keep";
  /** Default "random-loo". */
  split?: SplitMethod;
  /** For split "ratio" (default [8, 1, 1]). */
  ratios?: readonly [number, number, number];
  /** For split "ratio": random (default) or temporal order. */
  ratioOrder?: "random" | "time";
  /** Item-text template like "{title}. {category}. {brand}" (default: chosen per dataset). */
  textTemplate?: string;
  /** Download the original distribution when not found locally (default true). */
  download?: boolean;
  fetch?: typeof fetch;
  logger?: Logger;
  progress?: ProgressReporter;
  /** Called for every problem in the data that did not stop the run (also logged). */
  onIssue?: (issue: DataIssue) => void;
  /** Called once per file read, with its format and columns. */
  onFile?: (summary: FileSummary) => void;
}

/** What {@link prepareDataset} returns. */
export interface PreparedDataset {
  name: string;
  split: Split;
  /** One text per item, aligned with `split.items`. */
  itemTexts: string[];
  /** Statistics after each filter stage (raw first). */
  stats: StageStats[];
  /** The template used for `itemTexts`. */
  textTemplate: string;
  /** The fields (columns) of the item metadata, sorted; empty when the dataset has none (no `.item` file). */
  itemFields: string[];
  location: DatasetLocation;
}

/**
 * Load → filter (rating ≥ minRating, duplicates, iterative k-core) → compact → split → item texts.
 * `nameOrDir` is a registry name (see `listDatasets`) or a folder. Splits by time drop the
 * interactions without a timestamp first (a "timestamp present" stage, shown only when it drops some).
 */
export async function prepareDataset(nameOrDir: string, options: PrepareOptions): Promise<PreparedDataset> {
  if (options.rng === undefined) throw new ConfigError("rng", "a seeded Rng is required (createRng(seed))");
  const logger = options.logger ?? silentLogger;
  const loaded = await loadDataset(nameOrDir, options);
  const valueFilter = valueFilterFor(loaded, options.minRating, options);
  const kCore = options.kCore ?? 5;
  const method = options.split ?? "random-loo";
  const { log, stats } = filterInteractions(loaded.log, {
    minRating: valueFilter?.min,
    requireTimestamp: method === "temporal-loo" || (method === "ratio" && options.ratioOrder === "time"),
    duplicates: options.duplicates ?? "first",
    kCore: kCore === 0 ? undefined : kCore,
    logger,
  });
  const split = splitInteractions(log, {
    method,
    rng: options.rng,
    ratios: options.ratios,
    order: options.ratioOrder,
    logger,
  });
  const textTemplate = options.textTemplate ?? loaded.textTemplate;
  const itemTexts = buildItemTexts(split.items, loaded.itemFeatures, textTemplate, logger);
  const itemFields = new Set<string>();
  for (const record of loaded.itemFeatures.values()) for (const key of Object.keys(record)) itemFields.add(key);
  return {
    name: loaded.name,
    split,
    itemTexts,
    stats,
    textTemplate,
    itemFields: [...itemFields].sort(),
    location: loaded.location,
  };
}
