import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecordingLogger, RecordingProgress, createMatrix } from "@llminit/core";
import { readNpy } from "@llminit/core/node";
import type { Matrix } from "@llminit/core";
import { encodeCatalog, encodeCatalogToFile, embeddingCacheKey } from "./encode-catalog.js";
import { encoderCacheFolder, resolveCacheDir } from "./embedding-cache.js";
import type { EncodeItem, EncodeOptions, TextEncoder } from "./types.js";

/** Deterministic fake encoder: row = first 4 bytes of sha256(text) scaled; counts its calls. */
class CountingEncoder implements TextEncoder {
  calls = 0;
  itemsSeen = 0;
  failAfterCalls = Infinity;
  /** After this many calls, encode never answers (a process killed mid-batch). */
  hangAfterCalls = Infinity;
  constructor(readonly id = "fake:v1") {}
  dimension(): number {
    return 4;
  }
  async encode(items: readonly EncodeItem[], options: EncodeOptions = {}): Promise<Matrix> {
    if (this.calls >= this.failAfterCalls) throw new Error("interrupted");
    if (this.calls >= this.hangAfterCalls) return new Promise<Matrix>(() => undefined);
    this.calls++;
    this.itemsSeen += items.length;
    const m = createMatrix(items.length, 4);
    items.forEach((item, i) => {
      const h = createHash("sha256").update(item.text).digest();
      for (let j = 0; j < 4; j++) m.data[i * 4 + j] = h[j] / 255;
    });
    options.onProgress?.(items.length, items.length);
    return m;
  }
  async dispose(): Promise<void> {}
}

function expected(items: readonly EncodeItem[]): Float32Array {
  const out = new Float32Array(items.length * 4);
  items.forEach((item, i) => {
    const h = createHash("sha256").update(item.text).digest();
    for (let j = 0; j < 4; j++) out[i * 4 + j] = h[j] / 255;
  });
  return out;
}

const ITEMS: EncodeItem[] = Array.from({ length: 600 }, (_, i) => ({
  id: `item${i}`,
  text: `product title ${i % 550}`,
}));

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "emb-cache-"));
});
afterAll(async () => rm(root, { recursive: true, force: true }));

describe("encodeCatalog", () => {
  it("encodes once, then serves everything from the cache with zero encoder calls", async () => {
    const cacheDir = join(root, "twice");
    const encoder = new CountingEncoder();
    const progress = new RecordingProgress();
    const first = await encodeCatalog(encoder, ITEMS, { cacheDir, progress });
    expect(first.encoded).toBe(550); // 50 repeated texts are encoded once
    expect(first.cached).toBe(50);
    expect(first.itemsPerSecond).toBeGreaterThan(0);
    expect(encoder.itemsSeen).toBe(550);
    expect(Array.from(first.matrix.data)).toEqual(Array.from(expected(ITEMS)));
    expect(progress.tasks[0]).toMatchObject({ total: 550, done: 550, ended: true });

    const again = new CountingEncoder();
    const second = await encodeCatalog(again, ITEMS, { cacheDir });
    expect(again.calls).toBe(0);
    expect(second).toMatchObject({ encoded: 0, cached: 600, itemsPerSecond: 0 });
    expect(Array.from(second.matrix.data)).toEqual(Array.from(first.matrix.data));
  });

  it("keeps the shards an interrupted run finished", async () => {
    const cacheDir = join(root, "interrupted");
    const encoder = new CountingEncoder();
    encoder.failAfterCalls = 1; // the second shard of 256 fails
    await expect(encodeCatalog(encoder, ITEMS, { cacheDir })).rejects.toThrow("interrupted");
    const resumed = new CountingEncoder();
    const result = await encodeCatalog(resumed, ITEMS, { cacheDir });
    expect(result.encoded).toBe(550 - 256);
    expect(resumed.itemsSeen).toBe(550 - 256);
    expect(Array.from(result.matrix.data)).toEqual(Array.from(expected(ITEMS)));
  });

  it("recomputes a corrupt shard and warns on the logger", async () => {
    const cacheDir = join(root, "corrupt");
    const items = ITEMS.slice(0, 10);
    await encodeCatalog(new CountingEncoder(), items, { cacheDir });
    const folder = encoderCacheFolder(cacheDir, "fake:v1");
    const [shard] = (await readdir(folder)).filter((n) => n.endsWith(".emb"));
    const bytes = await readFile(join(folder, shard));
    bytes[bytes.length - 1] ^= 0x5a;
    await writeFile(join(folder, shard), bytes);
    const logger = new RecordingLogger();
    const encoder = new CountingEncoder();
    const result = await encodeCatalog(encoder, items, { cacheDir, logger });
    expect(result.encoded).toBe(10);
    expect(encoder.calls).toBe(1);
    const warning = logger.records.find((r) => r.level === "warn");
    expect(warning?.message).toMatch(/corrupt shard/);
    expect(warning?.fields).toMatchObject({ file: join(folder, shard), reason: "checksum mismatch" });
    expect(Array.from(result.matrix.data)).toEqual(Array.from(expected(items)));
  });

  it("keeps encoders apart and keys file: encoders by id", async () => {
    const cacheDir = join(root, "apart");
    const items = ITEMS.slice(0, 3);
    await encodeCatalog(new CountingEncoder("fake:a"), items, { cacheDir });
    const other = new CountingEncoder("fake:b");
    await encodeCatalog(other, items, { cacheDir });
    expect(other.calls).toBe(1);
    expect(embeddingCacheKey(new CountingEncoder("file:/x.npy"), { id: "p1", text: "t" })).toBe("id:p1");
    expect(embeddingCacheKey(other, { id: "p1", text: "t" })).toBe(createHash("sha256").update("t").digest("hex"));
  });

  it("resolves the cache dir from the option, then LLMINIT_CACHE_DIR, then ~/.cache", () => {
    const saved = process.env.LLMINIT_CACHE_DIR;
    try {
      process.env.LLMINIT_CACHE_DIR = "/env/cache";
      expect(resolveCacheDir("/opt/cache")).toBe("/opt/cache");
      expect(resolveCacheDir()).toBe("/env/cache");
      delete process.env.LLMINIT_CACHE_DIR;
      expect(resolveCacheDir()).toMatch(/\.cache\/llminit\/embeddings$/);
    } finally {
      if (saved === undefined) delete process.env.LLMINIT_CACHE_DIR;
      else process.env.LLMINIT_CACHE_DIR = saved;
    }
  });
});

describe("encodeCatalogToFile", () => {
  const many: EncodeItem[] = Array.from({ length: 100_000 }, (_, i) => ({ id: `p${i}`, text: `title ${i % 99_000}` }));

  it(
    "streams 100k items into a .npy file in item order; a second run only reads the cache",
    { timeout: 120_000 },
    async () => {
      const cacheDir = join(root, "file-100k");
      const path = join(root, "out", "items.npy");
      const encoder = new CountingEncoder();
      const result = await encodeCatalogToFile(encoder, many, path, { cacheDir });
      expect(result).toMatchObject({ path, rows: 100_000, dimension: 4, encoded: 99_000, cached: 1_000 });
      expect(result.itemsPerSecond).toBeGreaterThan(0);
      const npy = await readNpy(path);
      expect(npy.shape).toEqual([100_000, 4]);
      expect(Array.from(npy.data as Float32Array)).toEqual(Array.from(expected(many)));
      const again = new CountingEncoder();
      await encodeCatalogToFile(again, many, path, { cacheDir });
      expect(again.calls).toBe(0);
      expect((await readdir(join(root, "out"))).filter((n) => n.includes(".tmp-"))).toEqual([]);
    },
  );

  it("resumes after a run killed mid-batch, re-encoding only the unfinished shard and what follows", async () => {
    const cacheDir = join(root, "file-killed");
    const path = join(root, "killed", "items.npy");
    const items = many.slice(0, 3000);
    const killed = new CountingEncoder();
    killed.hangAfterCalls = 5; // five shards of 256 finished, the sixth never will
    void encodeCatalogToFile(killed, items, path, { cacheDir });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(killed.itemsSeen).toBe(5 * 256);
    expect(await readdir(join(root, "killed")).catch(() => [])).toEqual([]); // nothing under the final name
    const resumed = new CountingEncoder();
    const result = await encodeCatalogToFile(resumed, items, path, { cacheDir });
    expect(result.encoded).toBe(3000 - 5 * 256);
    expect(resumed.itemsSeen).toBe(3000 - 5 * 256);
    expect(Array.from((await readNpy(path)).data as Float32Array)).toEqual(Array.from(expected(items)));
  });

  it("leaves nothing at the path when encoding fails", async () => {
    const path = join(root, "failed", "items.npy");
    const encoder = new CountingEncoder();
    encoder.failAfterCalls = 1;
    await expect(
      encodeCatalogToFile(encoder, many.slice(0, 600), path, { cacheDir: join(root, "file-failed") }),
    ).rejects.toThrow("interrupted");
    expect(await readdir(join(root, "failed")).catch(() => [])).toEqual([]);
  });
});
