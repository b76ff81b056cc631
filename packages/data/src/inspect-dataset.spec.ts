import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { inspectDataset } from "./inspect-dataset.js";
import { tempDir } from "./test-utils/fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/**
 * A small shop, counts by construction: 12 users rate all 8 items (5, or 2 where (u + i) % 4 == 0: 2 per user, 3
 * per item); u12 has two rows without a rating; u0 rates i1 twice; u13 rates only 3 items. An unused review column
 * holds junk; the item file has an empty or malformed price, no row for i7, an empty i6, and an unused i99.
 */
function writeShop(name = "shop"): string {
  const inter = ["user_id:token\titem_id:token\trating:float\ttimestamp:float\treview:token_seq"];
  let t = 1;
  for (let u = 0; u < 12; u++)
    for (let i = 0; i < 8; i++) inter.push(`u${u}\ti${i}\t${(u + i) % 4 === 0 ? 2 : 5}\t${t++}\tok`);
  inter.push(`u12\ti0\t\t${t++}\t`, `u12\ti1\t\t${t++}\t\u0001`);
  inter.push(`u0\ti1\t5\t${t++}\tagain`);
  for (let i = 0; i < 3; i++) inter.push(`u13\ti${i}\t5\t${t++}\t`);
  tmp.write(`${name}/${name}.inter`, `${inter.join("\n")}\n`);
  const items = ["item_id:token\ttitle:token_seq\tprice:float\tbrand:token"];
  for (let i = 0; i < 6; i++) items.push(`i${i}\tThing ${i}\t${i % 2 === 0 ? "" : "n/a"}\tAcme`);
  items.push("i6\t\t\t", "i99\tUnused\t1.5\tAcme");
  tmp.write(`${name}/${name}.item`, `${items.join("\n")}\n`);
  return join(tmp.dir, name);
}

describe("inspectDataset", () => {
  it("reports columns, counts, what each stage drops, text coverage and problems, training nothing", async () => {
    const dir = writeShop();
    const report = await inspectDataset(dir);
    expect(report.error).toBeUndefined();
    expect(report.dataset).toBe("shop");
    expect(report.files.map((f) => [f.file, f.columns.map((c) => `${c.name}:${c.type}:${c.use}`)])).toEqual([
      [
        join(dir, "shop.inter"),
        [
          "user_id:token:user",
          "item_id:token:item",
          "rating:float:rating",
          "timestamp:float:timestamp",
          "review:token_seq:unused",
        ],
      ],
      [join(dir, "shop.item"), ["item_id:token:item", "title:token_seq:text", "price:float:text", "brand:token:text"]],
    ]);
    expect(report.raw).toEqual({ rows: 102, users: 14, items: 8 });
    expect(report.valueFilter).toEqual({ field: "rating", min: 4 });
    expect(
      report.stages.map((s) => [s.stage, s.interactions, s.users, s.items, s.dropped, s.droppedUsers, s.droppedItems]),
    ).toEqual([
      ["raw", 102, 14, 8, 0, 0, 0],
      ["rating >= 4", 76, 13, 8, 26, 1, 0],
      ["duplicates (keep first)", 75, 13, 8, 1, 0, 0],
      ["iterative 5-core", 72, 12, 8, 3, 1, 0],
    ]);
    expect(report.stages[1].missing).toBe(2);
    expect(report.text).toEqual({
      template: "{title}. {category}. {brand}",
      fields: ["title", "category", "brand"],
      itemRows: 8,
      itemRowsWithoutInteractions: 1,
      raw: { items: 8, emptyText: 2, noItemRow: 1, emptyExamples: ["i6", "i7"] },
      filtered: { items: 8, emptyText: 2, noItemRow: 1, emptyExamples: ["i6", "i7"] },
    });
    expect(report.problems.map((p) => [p.kind, p.file, p.line, p.field, p.count])).toEqual([
      ["missing-value", join(dir, "shop.inter"), 98, "rating", 2],
      ["empty-text", undefined, undefined, undefined, 2],
    ]);
    expect(report.problems[1]).toMatchObject({ level: "info" });
    expect(report.problems[1].message).toMatch(/^2 of 8 items \(25 %\) have an empty text .*a run encodes them as ""/);
    expect(report.problemCount).toBe(2);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it("takes the run's filter options: no value filter, another k-core, a template", async () => {
    const dir = writeShop("shop2");
    const report = await inspectDataset(dir, { minRating: null, kCore: 0, textTemplate: "{title} by {maker}" });
    expect(report.valueFilter).toBeNull();
    expect(report.stages.map((s) => s.stage)).toEqual(["raw", "duplicates (keep first)"]);
    expect(report.problems.map((p) => [p.kind, p.field])).toEqual([
      ["missing-value", "rating"],
      ["template-field", "maker"],
      ["empty-text", undefined],
      ["short-history", undefined],
    ]);
    expect(report.problems[3].count).toBe(1); // u12 keeps its 2 rows without the rating filter and the k-core
  });

  it("warns when a run that encodes item text would refuse the texts (more than half empty)", async () => {
    const report = await inspectDataset(writeShop("shop5"), { textTemplate: "{titel}" });
    const problems = report.problems.filter((p) => p.kind === "template-field" || p.kind === "empty-text");
    expect(problems.map((p) => [p.level, p.kind, p.field])).toEqual([
      ["warn", "template-field", "titel"],
      ["warn", "empty-text", undefined],
    ]);
    expect(problems[1].message).toMatch(
      /^8 of 8 items \(100 %\) have an empty text under "\{titel\}" after the filters: a run that encodes item text .*refuses more than 50 %/,
    );
    expect(report.error).toBeUndefined();
  });

  it("never downloads: a registry dataset not on this machine is reported with where a run gets it", async () => {
    const requests: string[] = [];
    const fetch = ((url: string) => {
      requests.push(url);
      return Promise.reject(new Error("no network in this test"));
    }) as unknown as typeof globalThis.fetch;
    const cacheDir = join(tmp.dir, "inspect-cache");
    const report = await inspectDataset("ml-100k", { cacheDir, dataDir: "", fetch });
    expect(requests).toEqual([]);
    expect(existsSync(cacheDir)).toBe(false);
    expect(report.location).toMatchObject({ kind: "remote", dir: join(cacheDir, "ml-100k") });
    expect(report.error).toEqual({
      code: "E_NOT_AVAILABLE",
      message:
        "ml-100k is not on this machine: `llminit run` would download " +
        `https://files.grouplens.org/datasets/movielens/ml-100k.zip into ${join(cacheDir, "ml-100k")} first; ` +
        "inspect reads local files only",
    });
    const dataDir = join(tmp.dir, "inspect-data");
    mkdirSync(dataDir);
    const strict = await inspectDataset("ml-100k", { cacheDir, dataDir, fetch });
    expect(strict.error).toMatchObject({ code: "E_CONFIG", key: "--data-dir" });
    expect(requests).toEqual([]);
  });

  it("returns the error a run would stop with, and what it found before it", async () => {
    const binary = join(tmp.dir, "bin");
    tmp.write("bin/bin.inter", gzipSync(Buffer.concat([Buffer.from("PK\u0003\u0004"), Buffer.alloc(64, 7)])));
    const b = await inspectDataset(binary);
    expect(b.error).toMatchObject({ code: "E_DATA_FORMAT", file: join(binary, "bin.inter") });
    expect(b.error!.message).toBe(
      `${join(binary, "bin.inter")}: not a text file: gzip-compressed a zip archive; unzip it and use the files inside`,
    );

    tmp.write(
      "utf/utf.inter",
      Buffer.concat([
        Buffer.from("user_id:token\titem_id:token\nu1\ti1\nu"),
        Buffer.from([0xc3, 0x28]),
        Buffer.from("\ti1\n"),
      ]),
    );
    const u = await inspectDataset(join(tmp.dir, "utf"));
    expect(u.error).toMatchObject({ line: 3, field: "user_id" });

    const empty = await inspectDataset(writeShop("shop3"), { minRating: 6 });
    expect(empty.error).toMatchObject({ code: "E_EMPTY_DATASET", stage: "rating >= 6" });
    expect(empty.stages.map((s) => [s.stage, s.interactions])).toEqual([
      ["raw", 102],
      ["rating >= 6", 0],
    ]);
    expect(empty.files).toHaveLength(2);

    const unknown = await inspectDataset(join(tmp.dir, "nowhere"));
    expect(unknown.error).toMatchObject({ code: "E_CONFIG", key: "dataset" });

    const field = await inspectDataset(writeShop("shop4"), { ratingField: "stars" });
    expect(field.error).toMatchObject({ code: "E_CONFIG", key: "--rating-field" });
    expect(field.error!.message).toContain("its columns: user_id, item_id, rating, timestamp, review");
  });
});
