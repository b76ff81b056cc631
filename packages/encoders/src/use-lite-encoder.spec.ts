import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecordingLogger } from "@llminit/core";
import type { Matrix } from "@llminit/core";
import { createUseLiteEncoder } from "./use-lite-encoder.js";
import { defaultUseLiteDir, loadUseLiteModel } from "./use-lite-model.js";
import { compileSourcesForWorkers } from "./test-utils/compile-sources.js";
import type { TextEncoder } from "./types.js";

function row(m: Matrix, i: number): Float32Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}
function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}
function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const TEXTS = [
  "black ballpoint pen, pack of 12",
  "blue ball point pens 10 count",
  "stainless steel kitchen sink",
  "",
  "HP 12C Financial Calculator",
  "Texas Instruments TI-84 Plus graphing calculator, a much longer title with many more words in it",
];
const ITEMS = TEXTS.map((text, i) => ({ id: `i${i}`, text }));

describe("use-lite encoder (one thread)", () => {
  let encoder: TextEncoder;
  let matrix: Matrix;
  beforeAll(async () => {
    encoder = await createUseLiteEncoder({ threads: 1 });
    matrix = await encoder.encode(ITEMS, { batchSize: 4 });
  }, 60_000);
  afterAll(async () => encoder?.dispose());

  it("has id use-lite and 512 dimensions", () => {
    expect(encoder.id).toBe("use-lite");
    expect(encoder.dimension()).toBe(512);
    expect([matrix.rows, matrix.cols]).toEqual([TEXTS.length, 512]);
  });

  it("puts similar product titles closer than unrelated ones", () => {
    const penPen = cosine(row(matrix, 0), row(matrix, 1));
    const penSink = cosine(row(matrix, 0), row(matrix, 2));
    const pensSink = cosine(row(matrix, 1), row(matrix, 2));
    // Measured: 0.608, 0.351, 0.188.
    expect(penPen).toBeGreaterThan(0.5);
    expect(penPen).toBeGreaterThan(penSink + 0.2);
    expect(penPen).toBeGreaterThan(pensSink + 0.2);
  });

  it("gives unit rows for text and a zero row for empty text", () => {
    for (const i of [0, 1, 2, 4, 5]) expect(Math.hypot(...row(matrix, i))).toBeCloseTo(1, 4);
    expect(row(matrix, 3).every((v) => v === 0)).toBe(true);
  });

  it("keeps rows aligned with items whatever the order and batching", async () => {
    const order = [5, 2, 0, 4, 1, 3];
    const permuted = await encoder.encode(
      order.map((i) => ITEMS[i]),
      { batchSize: 2 },
    );
    order.forEach((original, k) => expect(maxAbsDiff(row(permuted, k), row(matrix, original))).toBeLessThan(1e-5));
  });

  it("reports progress and honours abort", async () => {
    const seen: number[] = [];
    await encoder.encode(ITEMS, { batchSize: 2, onProgress: (done, total) => seen.push(done, total) });
    expect(seen).toEqual([2, 6, 4, 6, 6, 6]);
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(encoder.encode(ITEMS, { signal: controller.signal })).rejects.toThrow("stop");
  });
});

describe("use-lite weights check", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "use-lite-"));
    const source = defaultUseLiteDir();
    for (const name of await readdir(source)) await copyFile(join(source, name), join(dir, name));
    const shard = join(dir, "group1-shard7of7");
    const bytes = await readFile(shard);
    bytes[100] ^= 0xff;
    await writeFile(shard, bytes);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("refuses weights whose sha256 differs from the pinned one, naming the file", async () => {
    await expect(loadUseLiteModel({ modelDir: dir, verify: true })).rejects.toThrow(
      /group1-shard7of7 has sha256 [0-9a-f]{64}, expected a29a5e08/,
    );
  });
});

describe("use-lite encoder on worker threads", () => {
  it("returns the same rows as one thread, in input order", async () => {
    const build = compileSourcesForWorkers();
    const workerScript = new URL("use-lite-worker.js", build);
    expect(existsSync(workerScript)).toBe(true);
    const logger = new RecordingLogger();
    const single = await createUseLiteEncoder({ threads: 1 });
    const pooled = await createUseLiteEncoder({ threads: 2, workerScript, logger });
    try {
      expect(logger.records.some((r) => r.message === "use-lite: workers ready")).toBe(true);
      const items = Array.from({ length: 40 }, (_, i) => ITEMS[i % ITEMS.length]).map((item, i) => ({
        id: `${i}`,
        text: `${item.text} ${"x".repeat(i % 7)}`,
      }));
      const a = await single.encode(items, { batchSize: 4 });
      const b = await pooled.encode(items, { batchSize: 4 });
      expect(maxAbsDiff(a.data, b.data)).toBeLessThan(1e-5);
    } finally {
      await single.dispose();
      await pooled.dispose();
    }
  }, 60_000);
});
