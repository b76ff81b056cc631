import { createHash } from "node:crypto";
import { ShapeError, createMatrix, silentLogger, silentProgress } from "@llminit/core";
import type { Logger, Matrix, ProgressReporter } from "@llminit/core";
import { checkBatchSize, throwIfAborted } from "./batching.js";
import { openEmbeddingCache, resolveCacheDir } from "./embedding-cache.js";
import type { EncodeItem, TextEncoder } from "./types.js";

/** Options of {@link encodeCatalog}. */
export interface EncodeCatalogOptions {
  /** Cache root (default env `LLMINIT_CACHE_DIR`, else `~/.cache/llminit/embeddings`). */
  cacheDir?: string;
  /** Items per encoder batch (default: the encoder's own). */
  batchSize?: number;
  progress?: ProgressReporter;
  logger?: Logger;
  signal?: AbortSignal;
}

/** Result of {@link encodeCatalog}. */
export interface EncodeCatalogResult {
  /** One row per input item, in input order. */
  matrix: Matrix;
  /** Items served from the cache (including repeats of a text encoded in this run). */
  cached: number;
  /** Items the encoder computed in this run (distinct cache keys). */
  encoded: number;
  /** Encoded items per second of encoder time (0 when nothing was encoded). */
  itemsPerSecond: number;
}

/** Items per cache shard: each shard is written as soon as its items are encoded. */
const SHARD_ITEMS = 256;

/**
 * Cache key of an item: `file:` encoders key by item id (their vectors belong to ids), all
 * others by the sha256 of the text.
 */
export function embeddingCacheKey(encoder: TextEncoder, item: EncodeItem): string {
  if (encoder.id.startsWith("file:")) return `id:${item.id}`;
  return createHash("sha256").update(item.text).digest("hex");
}

/**
 * Encodes a whole catalogue through the on-disk cache: items whose key is cached are read,
 * the rest are encoded in shards of 256 items, each shard written to the cache (atomically) as
 * soon as it is done, so an interrupted run keeps its finished work and a second run over the
 * same catalogue calls the encoder zero times. Texts repeated in the catalogue are encoded once.
 */
export async function encodeCatalog(
  encoder: TextEncoder,
  items: readonly EncodeItem[],
  options: EncodeCatalogOptions = {},
): Promise<EncodeCatalogResult> {
  const logger = options.logger ?? silentLogger;
  const progress = options.progress ?? silentProgress;
  const batchSize = options.batchSize === undefined ? undefined : checkBatchSize(options.batchSize, 1);
  const root = resolveCacheDir(options.cacheDir);
  const cache = await openEmbeddingCache(root, encoder.id, encoder.dimension(), logger);

  const keys = items.map((item) => embeddingCacheKey(encoder, item));
  // First item of every key that is not cached yet.
  const todo: number[] = [];
  const queued = new Set<string>();
  keys.forEach((key, i) => {
    if (!cache.entries.has(key) && !queued.has(key)) {
      queued.add(key);
      todo.push(i);
    }
  });
  logger.log("info", "encodeCatalog", {
    encoder: encoder.id,
    items: items.length,
    cached: items.length - todo.length,
    toEncode: todo.length,
    cacheDir: cache.dir,
  });

  const task = progress.begin(`encode ${encoder.id}`, todo.length);
  let encodeMs = 0;
  let done = 0;
  for (let start = 0; start < todo.length; start += SHARD_ITEMS) {
    throwIfAborted(options.signal);
    const shard = todo.slice(start, start + SHARD_ITEMS);
    const t0 = performance.now();
    let reported = 0;
    const rows = await encoder.encode(
      shard.map((i) => items[i]),
      {
        batchSize,
        signal: options.signal,
        onProgress: (n) => {
          task.tick(n - reported);
          reported = n;
        },
      },
    );
    encodeMs += performance.now() - t0;
    if (rows.rows !== shard.length)
      throw new ShapeError(`${encoder.id} returned ${rows.rows} rows for ${shard.length} items`);
    if (reported < shard.length) task.tick(shard.length - reported);
    await cache.write(
      shard.map((i) => keys[i]),
      rows.data,
      rows.cols,
    );
    done += shard.length;
  }
  const itemsPerSecond = done === 0 ? 0 : done / (encodeMs / 1000);
  task.end({ encoded: done, itemsPerSecond: Math.round(itemsPerSecond * 10) / 10 });

  let dim = encoder.dimension();
  if (dim === undefined) {
    const any = items.length > 0 ? cache.entries.get(keys[0]) : undefined;
    dim = any?.length ?? 0;
  }
  const matrix = createMatrix(items.length, dim);
  keys.forEach((key, i) => {
    const row = cache.entries.get(key);
    if (row === undefined || row.length !== dim)
      throw new ShapeError(`cache row for item "${items[i].id}" missing or of dimension ${row?.length}`);
    matrix.data.set(row, i * dim);
  });
  return { matrix, cached: items.length - done, encoded: done, itemsPerSecond };
}
