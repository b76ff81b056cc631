import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRng, DataFormatError, NotAvailableError, RecordingLogger } from "@llminit/core";
import { readDelimitedItems } from "./delimited-file.js";
import { detectFolder, loadDataset } from "./load-dataset.js";
import { prepareDataset } from "./prepare-dataset.js";
import { tempDir } from "./test-utils/fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** 12 users × 6 movies, all rated 5 but (u + i) % 6 == 0 rated 2; timestamps in order. */
function ratings(header = "userId,movieId,rating,timestamp", sep = ","): string {
  const lines = [header];
  for (let u = 0; u < 12; u++)
    for (let i = 0; i < 6; i++) lines.push([`u${u}`, `m${i}`, (u + i) % 6 === 0 ? 2 : 5, 1000 + u * 6 + i].join(sep));
  return `${lines.join("\n")}\n`;
}
const movies = `movieId,title,genres\n${Array.from({ length: 6 }, (_, i) => `m${i},"Movie ${i}, the sequel",Drama`).join("\n")}\n`;

describe("CSV/TSV datasets", () => {
  it("recognises a MovieLens-style CSV folder: ratings.csv with movies.csv, beside other CSV files", async () => {
    tmp.write("ml/ratings.csv", ratings());
    tmp.write("ml/movies.csv", movies);
    tmp.write("ml/tags.csv", "userId,movieId,tag,timestamp\nu1,m1,funny,1\n");
    tmp.write("ml/links.csv", "movieId,imdbId,tmdbId\nm1,1,2\n");
    const dir = join(tmp.dir, "ml");
    expect(await detectFolder(dir)).toEqual({
      kind: "delimited",
      dir,
      inter: join(dir, "ratings.csv"),
      columns: { user: "userId", item: "movieId", rating: "rating", timestamp: "timestamp" },
      item: join(dir, "movies.csv"),
      itemColumn: "movieId",
    });
    const prepared = await prepareDataset(dir, { rng: createRng(1), kCore: 0 });
    expect(prepared.stats.map((s) => [s.stage, s.interactions])).toEqual([
      ["raw", 72],
      ["rating >= 4", 60],
      ["duplicates (keep first)", 60],
    ]);
    expect(prepared.itemFields).toEqual(["genres", "title"]);
    expect(prepared.textTemplate).toBe("{title}. {genres}");
    expect(prepared.itemTexts[prepared.split.items.get("m3")!]).toBe("Movie 3, the sequel. Drama");
  });

  it("reads a TSV of implicit feedback with user_id and item_id, and a file named with --dataset", async () => {
    tmp.write("clicks/interactions.tsv", ratings("user_id\titem_id\tweight\tts", "\t"));
    const logger = new RecordingLogger();
    const loaded = await loadDataset(join(tmp.dir, "clicks"), { logger });
    expect(loaded.location).toMatchObject({ kind: "delimited", columns: { user: "user_id", item: "item_id" } });
    expect(loaded.log.rating).toBeUndefined();
    expect(loaded.log.length).toBe(72);
    const prepared = await prepareDataset(join(tmp.dir, "clicks"), { rng: createRng(1), kCore: 0, logger });
    expect(prepared.stats[1].stage).toBe("duplicates (keep first)"); // no rating column: the filter is off
    // The value filter on another numeric column; the file itself as the dataset.
    const weighted = await prepareDataset(join(tmp.dir, "clicks", "interactions.tsv"), {
      rng: createRng(1),
      kCore: 0,
      ratingField: "weight",
    });
    expect(weighted.name).toBe("interactions");
    expect(weighted.stats[1]).toMatchObject({ stage: "weight >= 4", interactions: 60 });
  });

  it("says how to convert CSV files whose headers it does not recognise", async () => {
    tmp.write("odd/data.csv", "who,what,stars\na,b,5\n");
    const folder = await loadDataset(join(tmp.dir, "odd")).catch((e: unknown) => e);
    expect(folder).toBeInstanceOf(NotAvailableError);
    expect((folder as Error).message).toMatch(
      /no CSV\/TSV file here has both a user and an item column: data\.csv \(who, what, stars\)\. Give the interactions file a header with user_id and item_id \(also recognised: userId, user, uid, itemId, .*\), optionally rating and timestamp/,
    );
    const file = await loadDataset(join(tmp.dir, "odd", "data.csv")).catch((e: unknown) => e);
    expect(file).toBeInstanceOf(DataFormatError);
    expect((file as Error).message).toMatch(/data\.csv:1: no user and item columns in the header: .*who, what, stars/);
  });

  it("reads item CSV files as RecBole .item files are read: ids checked, bad text bytes counted", async () => {
    const logger = new RecordingLogger();
    const path = tmp.write(
      "items/items.csv",
      Buffer.concat([
        Buffer.from("item_id,title\ni1,red pen\n,nameless\ni2,caf"),
        Buffer.from([0xe9]),
        Buffer.from("\n"),
      ]),
    );
    const items = await readDelimitedItems(path, { idColumn: "item_id", logger });
    expect([...items.keys()]).toEqual(["i1", "i2"]);
    expect(items.get("i2")!.title).toBe("caf\ufffd");
    expect(logger.records.map((r) => r.message)).toEqual([
      expect.stringMatching(/skipped 1 row\(s\) with an empty "item_id" \(first at line 3\)/),
      expect.stringMatching(/1 line\(s\) with bytes that are not UTF-8 in text \(title\), replaced by U\+FFFD/),
    ]);
    const bad = tmp.write("items/bad.csv", Buffer.concat([Buffer.from("item_id,title\ni"), Buffer.from([0xff, 0x0a])]));
    await expect(readDelimitedItems(bad, { idColumn: "item_id" })).rejects.toThrow(/bad\.csv:2 field "item_id"/);
    const twice = tmp.write("items/twice.csv", "item_id,title\ni1,a\ni1,b\n");
    await expect(readDelimitedItems(twice, { idColumn: "item_id" })).rejects.toThrow(
      /twice\.csv:3 .*duplicate item id/,
    );
  });
});
