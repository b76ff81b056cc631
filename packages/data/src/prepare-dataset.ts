import { ConfigError, silentLogger } from "@llminit/core";
import type { Logger, ProgressReporter, Rng } from "@llminit/core";
import { filterInteractions } from "./filters.js";
import type { StageStats } from "./filters.js";
import { buildItemTexts } from "./item-text.js";
import { loadDataset } from "./load-dataset.js";
import type { DatasetLocation, LocateOptions } from "./load-dataset.js";
import { splitInteractions } from "./split.js";
import type { Split, SplitMethod } from "./split.js";

/** Options of {@link prepareDataset}. Defaults follow the LLMInit paper's protocol. */
export interface PrepareOptions extends LocateOptions {
  /** Seeded generator; the split uses `rng.child("split")`. */
  rng: Rng;
  /** Keep ratings ≥ this (default 4); `null` turns the value filter off. */
  minRating?: number | null;
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
  location: DatasetLocation;
}

/**
 * Load → filter (rating ≥ minRating, duplicates, iterative k-core) → compact → split → item texts.
 * `nameOrDir` is a registry name (see `listDatasets`) or a folder.
 */
export async function prepareDataset(nameOrDir: string, options: PrepareOptions): Promise<PreparedDataset> {
  if (options.rng === undefined) throw new ConfigError("rng", "a seeded Rng is required (createRng(seed))");
  const logger = options.logger ?? silentLogger;
  const loaded = await loadDataset(nameOrDir, options);
  const minRating = options.minRating === undefined ? 4 : options.minRating;
  if (minRating !== null && loaded.log.rating === undefined) {
    throw new ConfigError("minRating", `dataset "${loaded.name}" has no ratings; pass minRating: null`);
  }
  const kCore = options.kCore ?? 5;
  const { log, stats } = filterInteractions(loaded.log, {
    minRating: minRating ?? undefined,
    duplicates: options.duplicates ?? "first",
    kCore: kCore === 0 ? undefined : kCore,
    logger,
  });
  const split = splitInteractions(log, {
    method: options.split ?? "random-loo",
    rng: options.rng,
    ratios: options.ratios,
    order: options.ratioOrder,
    logger,
  });
  const textTemplate = options.textTemplate ?? loaded.textTemplate;
  const itemTexts = buildItemTexts(split.items, loaded.itemFeatures, textTemplate, logger);
  return { name: loaded.name, split, itemTexts, stats, textTemplate, location: loaded.location };
}
