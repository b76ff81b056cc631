import { createRng, silentLogger, silentProgress, type Logger, type ProgressReporter } from "@llminit/core";
import { writeFileAtomic } from "@llminit/core/node";
import { createEncoder, encodeCatalogToFile } from "@llminit/encoders";
import { dirname } from "node:path";
import { absolutePaths } from "./absolute-paths.js";
import { checkEncoderSpec } from "./check-inputs.js";
import { checkItemTexts } from "./check-item-texts.js";
import type { EncodingSummary } from "./encode-items.js";
import { checkOutputPath, createFolders } from "./output-path.js";
import { prepareFromConfig } from "./prepare-from-config.js";
import type { RunConfig } from "./run-config.js";

/** The id list written beside an encoded matrix (`items.npy` → `items.npy.ids.txt`), as `file:` encoders read it. */
export function idsPathFor(npyPath: string): string {
  return `${npyPath}.ids.txt`;
}

/**
 * `llminit encode`: the filtered dataset's item texts → [items × D] float32 `.npy` at `out`, with
 * the item ids one per line beside it (`idsPathFor(out)`), in the same row order. The result can
 * be fed back as `--encoder file:<out>`. Streams (`encodeCatalogToFile`): the encoder's batches
 * go to the embedding cache as they come and the file is filled from it, so memory does not grow
 * with the catalogue and a killed run resumes from the cache.
 */
export async function encodeDataset(
  given: RunConfig,
  out: string,
  hooks: { logger?: Logger; progress?: ProgressReporter; signal?: AbortSignal } = {},
): Promise<EncodingSummary & { out: string; ids: string }> {
  const config = absolutePaths(given);
  const logger = hooks.logger ?? silentLogger;
  const progress = hooks.progress ?? silentProgress;
  const ids = idsPathFor(out);
  // Paths are checked before the long work, and nothing is written until the matrix is complete.
  checkOutputPath("--out", out, "file");
  checkOutputPath("--out", ids, "file");
  checkEncoderSpec(config.encoder);
  if (config.cacheDir !== undefined) checkOutputPath("--cache-dir", config.cacheDir, "folder");
  const prepared = await prepareFromConfig(config, createRng(config.seed), { logger, progress });
  if (!config.encoder.startsWith("file:")) checkItemTexts(prepared, "encoding item text");
  const encoder = await createEncoder(config.encoder, { modelDir: config.modelDir, logger });
  let summary: EncodingSummary;
  const itemIds = prepared.split.items.toArray();
  createFolders("--out", dirname(out));
  try {
    const items = itemIds.map((id, i) => ({ id, text: prepared.itemTexts[i] }));
    const result = await encodeCatalogToFile(encoder, items, out, {
      cacheDir: config.cacheDir,
      progress,
      logger,
      signal: hooks.signal,
    });
    summary = {
      encoder: encoder.id,
      dimension: result.dimension,
      items: items.length,
      cached: result.cached,
      encoded: result.encoded,
      itemsPerSecond: result.itemsPerSecond,
    };
    logger.log("info", "encoded item texts", { ...summary, out });
  } finally {
    await encoder.dispose();
  }
  await writeFileAtomic(ids, `${itemIds.join("\n")}\n`);
  return { ...summary, out, ids };
}
