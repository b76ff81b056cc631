import { createHash } from "node:crypto";
import { mkdir, readFile, readdir } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { DataFormatError } from "@llminit/core";
import { writeFileAtomic } from "@llminit/core/node";
import type { Logger } from "@llminit/core";

/**
 * On-disk embedding cache of one encoder: a folder of shard files, each holding the rows of one
 * finished batch with their keys. Shards are written atomically, so an interrupted (even killed)
 * run keeps every batch it finished. A shard that fails its checksum or format check is ignored
 * with a warning (its rows are recomputed).
 *
 * Only an index (key → shard) is kept in memory, never the rows: a catalogue of any size is read
 * back shard by shard ({@link EmbeddingCache.readRows}).
 *
 * Shard format (`*.emb`): the line `LLMINIT-EMB 1\n`, one JSON header line
 * `{"dim":D,"count":n,"sha256":"<hex of the data>","keys":[...]}\n`, then n × D float32
 * little-endian values.
 */
export interface EmbeddingCache {
  readonly dir: string;
  /** Row dimension of the cached shards (undefined while the folder is empty). */
  readonly dim: number | undefined;
  /** Whether a row of `key` is cached. */
  has(key: string): boolean;
  /** Writes one shard with `keys[i]` ↔ row `i` of `rows` and indexes it. */
  write(keys: readonly string[], rows: Float32Array, dim: number): Promise<void>;
  /**
   * Reads the rows of `keys` (each must be cached), one shard file at a time, and awaits
   * `onRow(key, row)` for each of them once (the row is a view into the shard just read).
   */
  readRows(keys: Iterable<string>, onRow: (key: string, row: Float32Array) => void | Promise<void>): Promise<void>;
}

const MAGIC = "LLMINIT-EMB 1\n";

/** Cache root: the option, else env `LLMINIT_CACHE_DIR`, else `~/.cache/llminit/embeddings`. */
export function resolveCacheDir(cacheDir?: string): string {
  if (cacheDir !== undefined && cacheDir !== "") return cacheDir;
  const fromEnv = process.env.LLMINIT_CACHE_DIR;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return join(homedir(), ".cache", "llminit", "embeddings");
}

/** Folder of one encoder inside the cache root: a readable slug plus a hash of the full id. */
export function encoderCacheFolder(root: string, encoderId: string): string {
  const slug = encoderId.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60);
  const hash = createHash("sha256").update(encoderId).digest("hex").slice(0, 12);
  return join(root, `${slug}-${hash}`);
}

function parseShard(bytes: Buffer): { keys: string[]; dim: number; data: Float32Array } {
  if (bytes.subarray(0, MAGIC.length).toString("latin1") !== MAGIC) throw new Error("bad magic line");
  const headerEnd = bytes.indexOf(0x0a, MAGIC.length);
  if (headerEnd < 0) throw new Error("no header line");
  const header = JSON.parse(bytes.subarray(MAGIC.length, headerEnd).toString("utf8")) as {
    dim?: unknown;
    count?: unknown;
    sha256?: unknown;
    keys?: unknown;
  };
  const { dim, count, sha256, keys } = header;
  if (
    typeof dim !== "number" ||
    typeof count !== "number" ||
    typeof sha256 !== "string" ||
    !Array.isArray(keys) ||
    keys.length !== count
  ) {
    throw new Error("bad header");
  }
  const payload = bytes.subarray(headerEnd + 1);
  if (payload.byteLength !== dim * count * 4)
    throw new Error(`payload is ${payload.byteLength} bytes, expected ${dim * count * 4}`);
  if (createHash("sha256").update(payload).digest("hex") !== sha256) throw new Error("checksum mismatch");
  const data = new Float32Array(dim * count);
  new Uint8Array(data.buffer).set(payload);
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) throw new Error("non-finite value");
  return { keys: keys as string[], dim, data };
}

/**
 * Opens (creating if needed) the cache folder of `encoderId` under `root` and indexes every
 * valid shard whose dimension matches `dim` (when known).
 */
export async function openEmbeddingCache(
  root: string,
  encoderId: string,
  dim: number | undefined,
  logger: Logger,
): Promise<EmbeddingCache> {
  const dir = encoderCacheFolder(root, encoderId);
  await mkdir(dir, { recursive: true });
  // Key → shard file name (the latest shard holding the key wins).
  const index = new Map<string, string>();
  const names = (await readdir(dir)).filter((name) => name.endsWith(".emb")).sort();
  let expectedDim = dim;
  const ignore = (file: string, error: unknown) =>
    logger.log("warn", "embedding cache: ignoring a corrupt shard; its rows will be recomputed", {
      file,
      reason: error instanceof Error ? error.message : String(error),
    });
  for (const name of names) {
    const file = join(dir, name);
    try {
      const shard = parseShard(await readFile(file));
      if (expectedDim !== undefined && shard.dim !== expectedDim)
        throw new Error(`dimension ${shard.dim}, expected ${expectedDim}`);
      expectedDim = shard.dim;
      for (const key of shard.keys) index.set(key, name);
    } catch (error) {
      ignore(file, error);
    }
  }
  return {
    dir,
    get dim() {
      return expectedDim;
    },
    has: (key) => index.has(key),
    async write(keys, rows, rowDim) {
      if (expectedDim !== undefined && rowDim !== expectedDim)
        throw new RangeError(`embedding cache ${dir}: rows of dimension ${rowDim}, the cache holds ${expectedDim}`);
      const payload = Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength);
      const sha256 = createHash("sha256").update(payload).digest("hex");
      const header = JSON.stringify({ dim: rowDim, count: keys.length, sha256, keys });
      const name = `${createHash("sha256").update(keys.join("\n")).digest("hex").slice(0, 16)}.emb`;
      await writeFileAtomic(join(dir, name), Buffer.concat([Buffer.from(MAGIC + header + "\n", "utf8"), payload]));
      expectedDim = rowDim;
      for (const key of keys) index.set(key, name);
    },
    async readRows(keys, onRow) {
      const byShard = new Map<string, Set<string>>();
      for (const key of keys) {
        const name = index.get(key);
        if (name === undefined) throw new RangeError(`embedding cache ${dir}: no row for key ${key}`);
        let set = byShard.get(name);
        if (set === undefined) byShard.set(name, (set = new Set()));
        set.add(key);
      }
      for (const [name, wanted] of byShard) {
        const file = join(dir, name);
        let shard: ReturnType<typeof parseShard>;
        try {
          shard = parseShard(await readFile(file));
        } catch (error) {
          throw new DataFormatError(
            { file },
            `embedding cache shard changed since it was indexed: ${error instanceof Error ? error.message : String(error)}; run again to recompute its rows`,
          );
        }
        for (let i = 0; i < shard.keys.length; i++) {
          const key = shard.keys[i];
          if (wanted.delete(key)) await onRow(key, shard.data.subarray(i * shard.dim, (i + 1) * shard.dim));
        }
        if (wanted.size > 0)
          throw new DataFormatError(
            { file },
            `embedding cache shard lost ${wanted.size} of its keys since it was indexed`,
          );
      }
    },
  };
}
