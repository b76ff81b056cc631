import { type Logger, type Matrix, type ProgressReporter } from "@llminit/core";
import type { PreparedDataset } from "@llminit/data";
import { createEncoder, encodeCatalog, encoderCacheFolder, resolveCacheDir } from "@llminit/encoders";
import { missingFolders, removeFolders } from "./output-path.js";
import type { RunConfig } from "./run-config.js";

/** How the item matrix was obtained, for reports. */
export interface EncodingSummary {
  encoder: string;
  dimension: number;
  items: number;
  cached: number;
  encoded: number;
  itemsPerSecond: number;
}

/** Encodes a prepared dataset's item texts (through the on-disk cache), rows aligned with `split.items`. */
export async function encodeItems(
  prepared: PreparedDataset,
  config: Pick<RunConfig, "encoder" | "modelDir" | "cacheDir">,
  hooks: { logger: Logger; progress: ProgressReporter; signal?: AbortSignal },
): Promise<{ matrix: Matrix; summary: EncodingSummary }> {
  const encoder = await createEncoder(config.encoder, { modelDir: config.modelDir, logger: hooks.logger });
  try {
    const ids = prepared.split.items.toArray();
    const items = ids.map((id, i) => ({ id, text: prepared.itemTexts[i] }));
    // A failed encoding leaves no empty cache folders behind (the cache keeps finished batches).
    const newFolders = missingFolders(encoderCacheFolder(resolveCacheDir(config.cacheDir), encoder.id));
    const result = await encodeCatalog(encoder, items, {
      cacheDir: config.cacheDir,
      progress: hooks.progress,
      logger: hooks.logger,
      signal: hooks.signal,
    }).catch((error: unknown) => {
      removeFolders(newFolders);
      throw error;
    });
    const summary: EncodingSummary = {
      encoder: encoder.id,
      dimension: result.matrix.cols,
      items: items.length,
      cached: result.cached,
      encoded: result.encoded,
      itemsPerSecond: result.itemsPerSecond,
    };
    hooks.logger.log("info", "encoded item texts", { ...summary });
    return { matrix: result.matrix, summary };
  } finally {
    await encoder.dispose();
  }
}
