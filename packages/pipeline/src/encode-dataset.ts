import {
  createRng,
  silentLogger,
  silentProgress,
  writeFileAtomic,
  writeNpy,
  type Logger,
  type ProgressReporter,
} from "@llminit/core";
import { dirname } from "node:path";
import { checkEncoderSpec } from "./check-inputs.js";
import { encodeItems, type EncodingSummary } from "./encode-items.js";
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
 * be fed back as `--encoder file:<out>`.
 */
export async function encodeDataset(
  config: RunConfig,
  out: string,
  hooks: { logger?: Logger; progress?: ProgressReporter; signal?: AbortSignal } = {},
): Promise<EncodingSummary & { out: string; ids: string }> {
  const logger = hooks.logger ?? silentLogger;
  const progress = hooks.progress ?? silentProgress;
  const ids = idsPathFor(out);
  // Paths are checked before the long work, and nothing is written until the matrix is complete.
  checkOutputPath("--out", out, "file");
  checkOutputPath("--out", ids, "file");
  checkEncoderSpec(config.encoder);
  if (config.cacheDir !== undefined) checkOutputPath("--cache-dir", config.cacheDir, "folder");
  const prepared = await prepareFromConfig(config, createRng(config.seed), { logger, progress });
  const { matrix, summary } = await encodeItems(prepared, config, { logger, progress, signal: hooks.signal });
  createFolders("--out", dirname(out));
  await writeNpy(out, matrix.data, [matrix.rows, matrix.cols]);
  await writeFileAtomic(ids, `${prepared.split.items.toArray().join("\n")}\n`);
  return { ...summary, out, ids };
}
