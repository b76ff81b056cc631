import { createHash } from "node:crypto";
import { ShapeError, createMatrix, silentLogger, silentProgress } from "@llminit/core";
import type { Logger, Matrix, ProgressReporter } from "@llminit/core";
import { checkBatchSize, throwIfAborted } from "./batching.js";
import { openEmbeddingCache, resolveCacheDir } from "./embedding-cache.js";
import type { EmbeddingCache } from "./embedding-cache.js";
import { createNpyRowWriter } from "./npy-row-writer.js";
import type { EncodeItem, TextEncoder } from "./types.js";

/** Options of {@link encodeCatalog} and {@link encodeCatalogToFile}. */
export interface EncodeCatalogOptions {
  /** Cache root (default env `LLMINIT_CACHE_DIR`, else `~/.cache/llminit/embeddings`). */
  cacheDir?: string;
  /** Items per encoder batch (default: the encoder's own). */
  batchSize?: number;
  progress?: ProgressReporter;
  logger?: Logger;
  signal?: AbortSignal;
}

/** What the encoder did in a call of {@link encodeCatalog} or {@link encodeCatalogToFile}. */
export interface EncodeCatalogStats {
  /** Items served from the cache (including repeats of a text encoded in this run). */
  cached: number;
  /** Items the encoder computed in this run (distinct cache keys). */
  encoded: number;
  /** Encoded items per second of encoder time (0 when nothing was encoded). */
  itemsPerSecond: number;
}

/** Result of {@link encodeCatalog}. */
export interface EncodeCatalogResult extends EncodeCatalogStats {
  /** One row per input item, in input order. */
  matrix: Matrix;
}

/** Result of {@link encodeCatalogToFile}. */
export interface EncodeCatalogFileResult extends EncodeCatalogStats {
  path: string;
  rows: number;
  dimension: number;
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

/** The catalogue's keys, with every item position of each key (a chain through `next`; -1 ends it). */
interface KeyPositions {
  keys: string[];
  first: Map<string, number>;
  next: Int32Array;
}

function keyPositions(encoder: TextEncoder, items: readonly EncodeItem[]): KeyPositions {
  const keys = items.map((item) => embeddingCacheKey(encoder, item));
  const first = new Map<string, number>();
  const next = new Int32Array(items.length).fill(-1);
  const last = new Map<string, number>();
  keys.forEach((key, i) => {
    const previous = last.get(key);
    if (previous === undefined) first.set(key, i);
    else next[previous] = i;
    last.set(key, i);
  });
  return { keys, first, next };
}

/**
 * Encodes the items whose key is not cached, in shards of 256 items, writing each shard to the
 * cache (atomically) as soon as it is done. Texts repeated in the catalogue are encoded once.
 */
async function encodeMissing(
  encoder: TextEncoder,
  items: readonly EncodeItem[],
  positions: KeyPositions,
  cache: EmbeddingCache,
  options: EncodeCatalogOptions,
): Promise<EncodeCatalogStats> {
  const logger = options.logger ?? silentLogger;
  const progress = options.progress ?? silentProgress;
  const batchSize = options.batchSize === undefined ? undefined : checkBatchSize(options.batchSize, 1);
  // First item of every key that is not cached yet.
  const todo: number[] = [];
  for (const [key, i] of positions.first) if (!cache.has(key)) todo.push(i);
  todo.sort((a, b) => a - b);
  // All the items it cannot encode, counted at once rather than shard by shard.
  encoder.check?.(todo.map((i) => items[i]));
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
      shard.map((i) => positions.keys[i]),
      rows.data,
      rows.cols,
    );
    done += shard.length;
  }
  const itemsPerSecond = done === 0 ? 0 : done / (encodeMs / 1000);
  task.end({ encoded: done, itemsPerSecond: Math.round(itemsPerSecond * 10) / 10 });
  return { cached: items.length - done, encoded: done, itemsPerSecond };
}

/** Reads every item's row from the cache, shard by shard, awaiting `put(position, row)` for each position in turn. */
async function readBack(
  cache: EmbeddingCache,
  items: readonly EncodeItem[],
  positions: KeyPositions,
  dim: number,
  put: (position: number, row: Float32Array) => Promise<void> | void,
): Promise<void> {
  await cache.readRows(positions.first.keys(), async (key, row) => {
    const first = positions.first.get(key) ?? -1;
    if (row.length !== dim)
      throw new ShapeError(`cache row for item "${items[first].id}" has dimension ${row.length}, expected ${dim}`);
    for (let i = first; i >= 0; i = positions.next[i]) await put(i, row);
  });
}

async function prepare(
  encoder: TextEncoder,
  items: readonly EncodeItem[],
  options: EncodeCatalogOptions,
): Promise<{ cache: EmbeddingCache; positions: KeyPositions; stats: EncodeCatalogStats; dim: number }> {
  const logger = options.logger ?? silentLogger;
  const cache = await openEmbeddingCache(resolveCacheDir(options.cacheDir), encoder.id, encoder.dimension(), logger);
  const positions = keyPositions(encoder, items);
  const stats = await encodeMissing(encoder, items, positions, cache, options);
  const dim = encoder.dimension() ?? cache.dim ?? 0;
  return { cache, positions, stats, dim };
}

/**
 * Encodes a whole catalogue through the on-disk cache and returns it as one matrix: items whose
 * key is cached are read, the rest are encoded in shards of 256 items, each written to the cache
 * (atomically) as soon as it is done, so an interrupted run keeps its finished work and a second
 * run over the same catalogue calls the encoder zero times. Texts repeated in the catalogue are
 * encoded once. For catalogues too large to hold, {@link encodeCatalogToFile} streams to a file.
 */
export async function encodeCatalog(
  encoder: TextEncoder,
  items: readonly EncodeItem[],
  options: EncodeCatalogOptions = {},
): Promise<EncodeCatalogResult> {
  const { cache, positions, stats, dim } = await prepare(encoder, items, options);
  const matrix = createMatrix(items.length, dim);
  await readBack(cache, items, positions, dim, (i, row) => matrix.data.set(row, i * dim));
  return { matrix, ...stats };
}

/**
 * {@link encodeCatalog} into a float32 `.npy` file at `path` (rows in item order), in bounded
 * memory: the encoder's batches go to the cache as they come, then the rows are copied from the
 * cache into the file shard by shard; the catalogue is never held whole. Resumes from the cache
 * after an interruption or a kill; `path` appears only once every row is written.
 */
export async function encodeCatalogToFile(
  encoder: TextEncoder,
  items: readonly EncodeItem[],
  path: string,
  options: EncodeCatalogOptions = {},
): Promise<EncodeCatalogFileResult> {
  const { cache, positions, stats, dim } = await prepare(encoder, items, options);
  const writer = await createNpyRowWriter(path, items.length, dim);
  try {
    await readBack(cache, items, positions, dim, (i, row) => writer.write(i, row));
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return { path, rows: items.length, dimension: dim, ...stats };
}
