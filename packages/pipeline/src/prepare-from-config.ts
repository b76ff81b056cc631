import type { Logger, ProgressReporter, Rng } from "@llminit/core";
import { prepareDataset, type PreparedDataset } from "@llminit/data";
import type { RunConfig } from "./run-config.js";

/** Load → filter → split → item texts, as a run's configuration says; the split draws from `rng.child("data")`. */
export function prepareFromConfig(
  config: RunConfig,
  rng: Rng,
  hooks: { logger: Logger; progress: ProgressReporter },
): Promise<PreparedDataset> {
  return prepareDataset(config.dataset, {
    dataDir: config.dataDir,
    minRating: config.minRating,
    ratingField: config.ratingField,
    kCore: config.kCore,
    split: config.split,
    textTemplate: config.textTemplate,
    rng: rng.child("data"),
    logger: hooks.logger,
    progress: hooks.progress,
  });
}
