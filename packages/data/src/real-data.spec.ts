import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createRng, csrNnz, RecordingLogger, validateCsr } from "@llminit/core";
import { inspectDataset } from "./inspect-dataset.js";
import { prepareDataset } from "./prepare-dataset.js";
import type { PreparedDataset } from "./prepare-dataset.js";

const dataDir = process.env.LLMINIT_DATA_DIR || resolve(import.meta.dirname, "../../../../shared/data");
const present = (name: string) => existsSync(join(dataDir, name));
const reason = (name: string) => `real data ${join(dataDir, name)} not present (set LLMINIT_DATA_DIR)`;
// Vitest's summary does not show skip notes; say it where CI logs will show it.
for (const name of ["amazon-office-products", "ml-100k"])
  if (!present(name)) console.warn(`skipping real-data tests: ${reason(name)}`);

function checkLoo(prepared: PreparedDataset): void {
  const { split } = prepared;
  validateCsr(split.train);
  for (let u = 0; u < split.users.size; u++) {
    expect(split.valid.indptr[u + 1] - split.valid.indptr[u]).toBe(1);
    expect(split.test.indptr[u + 1] - split.test.indptr[u]).toBe(1);
  }
  expect(prepared.itemTexts).toHaveLength(split.items.size);
  expect(prepared.itemTexts.every((t) => t.length > 0 && !t.includes("undefined"))).toBe(true);
}

function splitDigest({ split }: PreparedDataset): string {
  const rows: string[] = [];
  for (let u = 0; u < split.users.size; u++) {
    const item = (csr: typeof split.test) => split.items.idOf(csr.indices[csr.indptr[u]]);
    rows.push(`${split.users.idOf(u)}:${item(split.valid)}:${item(split.test)}`);
  }
  return createHash("sha256").update(rows.join("\n")).digest("hex").slice(0, 16);
}

describe("real datasets (paper filter: rating >= 4, iterative 5-core)", () => {
  it("amazon-office-products gives 3,260 users / 1,583 items / 36,544 interactions", async (context) => {
    if (!present("amazon-office-products")) context.skip(reason("amazon-office-products"));
    const logger = new RecordingLogger();
    const prepared = await prepareDataset("amazon-office-products", {
      dataDir,
      rng: createRng(2020),
      logger,
      download: false,
    });
    const last = prepared.stats[prepared.stats.length - 1];
    expect([last.users, last.items, last.interactions]).toEqual([3260, 1583, 36544]);
    expect(prepared.stats[0]).toMatchObject({ users: 4905, items: 2420, interactions: 53258 });
    expect(prepared.split.users.size).toBe(3260);
    expect(prepared.split.items.size).toBe(1583);
    const total = csrNnz(prepared.split.train) + csrNnz(prepared.split.valid) + csrNnz(prepared.split.test);
    expect(total).toBe(36544);
    checkLoo(prepared);
    expect(logger.records.some((r) => r.message.startsWith("iterative 5-core") && r.fields?.rounds === 17)).toBe(true);
  });

  it("ml-100k gives 938 / 1,008 / 54,413 and a reproducible random LOO for seed 2020", async (context) => {
    if (!present("ml-100k")) context.skip(reason("ml-100k"));
    const a = await prepareDataset("ml-100k", { dataDir, rng: createRng(2020), download: false });
    const last = a.stats[a.stats.length - 1];
    expect([last.users, last.items, last.interactions]).toEqual([938, 1008, 54413]);
    checkLoo(a);
    expect(a.itemTexts[a.split.items.get("1")!]).toBe("Toy Story 1995. Animation Children's Comedy");
    // Regression pin of the seed-2020 split (valid/test item of every user), computed by this code.
    expect(splitDigest(a)).toBe("222032b060f2dc04");
    const b = await prepareDataset("ml-100k", { dataDir, rng: createRng(2020), download: false });
    expect(Array.from(b.split.test.indices)).toEqual(Array.from(a.split.test.indices));
    expect(Array.from(b.split.valid.indices)).toEqual(Array.from(a.split.valid.indices));
    const c = await prepareDataset("ml-100k", { dataDir, rng: createRng(2021), download: false });
    expect(Array.from(c.split.test.indices)).not.toEqual(Array.from(a.split.test.indices));
  });
});

describe("inspect on the real datasets (no training, no encoding)", () => {
  it.for([
    ["amazon-office-products", { rows: 53258, users: 4905, items: 2420 }, [3260, 1583, 36544]],
    ["ml-100k", { rows: 100000, users: 943, items: 1682 }, [938, 1008, 54413]],
  ] as const)("%s: the README's counts, stage by stage", async ([name, raw, last], context) => {
    if (!present(name)) context.skip(reason(name));
    const report = await inspectDataset(name, { dataDir, download: false });
    expect(report.error).toBeUndefined();
    expect(report.raw).toEqual(raw);
    const final = report.stages[report.stages.length - 1];
    expect([final.stage, final.users, final.items, final.interactions]).toEqual(["iterative 5-core", ...last]);
    expect(report.stages.map((s) => s.stage)).toEqual([
      "raw",
      "rating >= 4",
      "duplicates (keep first)",
      "iterative 5-core",
    ]);
    expect(report.files[0].columns.map((c) => c.use)).toEqual(["user", "item", "rating", "timestamp"]);
    expect(report.text?.filtered).toMatchObject({ items: last[1], emptyText: 0, noItemRow: 0 });
    expect(report.problemCount).toBe(0);
  });

  it("an implicit copy of ml-100k (rating column removed) runs as with minRating: null, after one notice", async (context) => {
    if (!present("ml-100k")) context.skip(reason("ml-100k"));
    const root = mkdtempSync(join(tmpdir(), "llminit-implicit-"));
    try {
      const dir = join(root, "ml-100k-implicit");
      mkdirSync(dir);
      const text = gunzipSync(readFileSync(join(dataDir, "ml-100k", "ml-100k.inter.gz"))).toString("utf8");
      const implicit = text
        .split("\n")
        .map((line) =>
          line
            .split("\t")
            .filter((_, c) => c !== 2)
            .join("\t"),
        )
        .join("\n");
      writeFileSync(join(dir, "ml-100k-implicit.inter"), implicit);
      copyFileSync(join(dataDir, "ml-100k", "ml-100k.item"), join(dir, "ml-100k-implicit.item"));
      const logger = new RecordingLogger();
      const a = await prepareDataset(dir, { rng: createRng(2020), logger });
      expect(logger.records.filter((r) => r.level === "warn").map((r) => r.message)).toEqual([
        'dataset "ml-100k-implicit" has no "rating" column: read as implicit feedback, the rating filter ' +
          "(minRating 4) is off; ratingField can name another numeric column to filter on",
      ]);
      const b = await prepareDataset("ml-100k", { dataDir, rng: createRng(2020), minRating: null, download: false });
      expect(a.stats.map((s) => [s.stage, s.users, s.items, s.interactions])).toEqual(
        b.stats.map((s) => [s.stage, s.users, s.items, s.interactions]),
      );
      expect(a.stats.map((s) => s.stage)).toEqual(["raw", "duplicates (keep first)", "iterative 5-core"]);
      expect(Array.from(a.split.test.indices)).toEqual(Array.from(b.split.test.indices));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
