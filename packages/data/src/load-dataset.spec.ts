import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, createRng, csrNnz, NotAvailableError, RecordingLogger } from "@llminit/core";
import { detectFolder, listDatasets, loadDataset } from "./load-dataset.js";
import { prepareDataset } from "./prepare-dataset.js";
import { DATASETS } from "./registry.js";
import type { DatasetEntry } from "./registry.js";
import { closedPortUrl, makeZip, serveFiles, tempDir } from "./test-utils/fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** 6 users × 6 items, all rated 5 except user u6 (rated 1): a 5-core after rating ≥ 4 of 5 users × 6 items. */
function uData(): string {
  const lines: string[] = [];
  for (let u = 1; u <= 6; u++)
    for (let i = 1; i <= 6; i++) lines.push(`${u}\t${i}\t${u === 6 ? 1 : 5}\t${1000 * u + i}`);
  return lines.join("\n") + "\n";
}
const flags = (g: number) => Array.from({ length: 19 }, (_, k) => (k === g ? "1" : "0")).join("|");
const uItem = () =>
  Array.from({ length: 6 }, (_, i) => `${i + 1}|Movie ${i + 1} (199${i})|||url|${flags(i + 1)}`).join("\n") + "\n";

describe("detectFolder", () => {
  it("recognises atomic, MovieLens and Amazon layouts", async () => {
    const atomic = join(tmp.dir, "mydata");
    mkdirSync(atomic);
    writeFileSync(join(atomic, "mydata.inter.gz"), gzipSync("user_id:token\titem_id:token\nu\ti\n"));
    writeFileSync(join(atomic, "mydata.item"), "item_id:token\ttitle:token_seq\ni\tThing\n");
    expect(await detectFolder(atomic)).toMatchObject({
      kind: "atomic",
      inter: join(atomic, "mydata.inter.gz"),
      item: join(atomic, "mydata.item"),
    });
    const ml = join(tmp.dir, "ml", "ml-100k");
    mkdirSync(ml, { recursive: true });
    writeFileSync(join(ml, "u.data"), uData());
    writeFileSync(join(ml, "u.item"), uItem());
    expect(await detectFolder(join(tmp.dir, "ml"))).toEqual({ kind: "movielens-100k", dir: ml });
    const amazon = join(tmp.dir, "amz");
    mkdirSync(amazon);
    writeFileSync(join(amazon, "reviews_Beauty_5.json.gz"), "");
    writeFileSync(join(amazon, "meta_Beauty.json.gz"), "");
    expect(await detectFolder(amazon)).toMatchObject({
      kind: "amazon",
      reviews: join(amazon, "reviews_Beauty_5.json.gz"),
      meta: join(amazon, "meta_Beauty.json.gz"),
    });
    expect(await detectFolder(join(tmp.dir, "nope"))).toBeUndefined();
  });
});

describe("loadDataset / prepareDataset", () => {
  it("loads a folder given by path, with a default template from its fields", async () => {
    const loaded = await loadDataset(join(tmp.dir, "mydata"));
    expect(loaded.name).toBe("mydata");
    expect(loaded.textTemplate).toBe("{title}. {category}. {brand}");
    expect(loaded.itemFeatures.get("i")).toEqual({ title: "Thing" });
  });

  it("finds a registry dataset under dataDir and prepares it end to end", async () => {
    const dataDir = join(tmp.dir, "data");
    mkdirSync(join(dataDir, "ml-100k"), { recursive: true });
    writeFileSync(join(dataDir, "ml-100k", "u.data"), uData());
    writeFileSync(join(dataDir, "ml-100k", "u.item"), uItem());
    const logger = new RecordingLogger();
    const prepared = await prepareDataset("ml-100k", {
      dataDir,
      cacheDir: join(tmp.dir, "cache0"),
      rng: createRng(2020),
      download: false,
      logger,
    });
    expect(prepared.stats.map((s) => [s.stage, s.users, s.items, s.interactions])).toEqual([
      ["raw", 6, 6, 36],
      ["rating >= 4", 5, 6, 30],
      ["duplicates (keep first)", 5, 6, 30],
      ["iterative 5-core", 5, 6, 30],
    ]);
    expect(prepared.split.users.toArray()).toEqual(["1", "2", "3", "4", "5"]);
    expect([csrNnz(prepared.split.train), csrNnz(prepared.split.valid), csrNnz(prepared.split.test)]).toEqual([
      20, 5, 5,
    ]);
    expect(prepared.itemTexts[0]).toBe("Movie 1 1990. Action");
    const listing = await listDatasets({ dataDir, cacheDir: join(tmp.dir, "cache0") });
    expect(listing.map((d) => d.name)).toEqual(DATASETS.map((d) => d.name));
    expect(listing[0].location).toEqual({ kind: "movielens-100k", dir: join(dataDir, "ml-100k") });
    expect(listing[1].location).toMatchObject({
      kind: "remote",
      urls: ["https://files.grouplens.org/datasets/movielens/ml-1m.zip"],
    });
  });

  it("downloads the original zip from a (local) URL into the cache, then reads it", async () => {
    const zip = makeZip([
      { name: "ml-100k/u.data", data: Buffer.from(uData()) },
      { name: "ml-100k/u.item", data: Buffer.from(uItem()) },
    ]);
    const server = await serveFiles({ "/ml-100k.zip": zip });
    try {
      const registry: DatasetEntry[] = [
        { ...DATASETS[0], remote: [{ url: `${server.url}/ml-100k.zip`, file: "ml-100k.zip" }] },
      ];
      const cacheDir = join(tmp.dir, "cache1");
      // dataDir "": no data dir (nor $LLMINIT_DATA_DIR), so the registry name goes to the cache.
      const options = { registry, cacheDir, dataDir: "", rng: createRng(1) };
      const first = await prepareDataset("ml-100k", options);
      expect(first.split.items.size).toBe(6);
      expect(server.requests).toEqual(["/ml-100k.zip"]);
      const second = await prepareDataset("ml-100k", options);
      expect(server.requests).toHaveLength(1);
      expect(second.location).toEqual({ kind: "movielens-100k", dir: join(cacheDir, "ml-100k", "extracted") });
    } finally {
      await server.close();
    }
  });

  it("never downloads a dataset missing from a data dir given: an error names --data-dir", async () => {
    const requests: string[] = [];
    const fetch = ((url: string) => {
      requests.push(url);
      return Promise.reject(new Error("no network in this test"));
    }) as unknown as typeof globalThis.fetch;
    const cacheDir = join(tmp.dir, "cache3");
    const dataDir = join(tmp.dir, "data-without");
    mkdirSync(join(dataDir, "amazon-beauty"), { recursive: true });
    const load = (dir: string) => loadDataset("ml-100k", { dataDir: dir, cacheDir, fetch }).catch((e: unknown) => e);
    const missing = await load(dataDir);
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as Error).message).toBe(
      `option "--data-dir": ${dataDir} has no ml-100k/ folder (its folders: amazon-beauty); nothing is downloaded ` +
        `into a data dir: place the files there, or leave --data-dir out to use the download cache`,
    );
    // The dataset folder itself given as the data dir: say to give its parent.
    const own = join(tmp.dir, "parent", "ml-100k");
    mkdirSync(own, { recursive: true });
    writeFileSync(join(own, "u.data"), uData());
    writeFileSync(join(own, "u.item"), uItem());
    expect(((await load(own)) as Error).message).toMatch(
      /ml-100k has no ml-100k\/ folder: it is a dataset folder itself; give its parent, --data-dir .*parent$/,
    );
    expect(((await load(join(tmp.dir, "nowhere"))) as Error).message).toMatch(/nowhere is not a folder/);
    expect(requests).toEqual([]);
    expect(existsSync(cacheDir)).toBe(false);
  });

  it("offline and absent: NotAvailableError naming the URL and where to place the file", async () => {
    const url = `${await closedPortUrl()}/reviews_Beauty_5.json.gz`;
    const registry: DatasetEntry[] = [{ ...DATASETS[2], remote: [{ url, file: "reviews_Beauty_5.json.gz" }] }];
    const cacheDir = join(tmp.dir, "cache2");
    const error = await loadDataset("amazon-beauty", { registry, cacheDir, dataDir: "" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotAvailableError);
    expect((error as Error).message).toContain(url);
    expect((error as Error).message).toContain(join(cacheDir, "amazon-beauty", "reviews_Beauty_5.json.gz"));
    const noDownload = await loadDataset("amazon-beauty", { cacheDir, dataDir: "", download: false }).catch(
      (e: unknown) => e,
    );
    expect(noDownload).toBeInstanceOf(NotAvailableError);
    expect((noDownload as Error).message).toContain(
      "http://snap.stanford.edu/data/amazon/productGraph/categoryFiles/meta_Beauty.json.gz",
    );
  });

  it("prepares raw Amazon 2014 files found under dataDir, with the Amazon text template", async () => {
    const dir = join(tmp.dir, "amazon-data", "amazon-beauty");
    mkdirSync(dir, { recursive: true });
    const reviews: string[] = [];
    for (let u = 0; u < 6; u++)
      for (let i = 0; i < 6; i++)
        reviews.push(JSON.stringify({ reviewerID: `R${u}`, asin: `B${i}`, overall: 5, unixReviewTime: 100 * u + i }));
    writeFileSync(join(dir, "reviews_Beauty_5.json.gz"), gzipSync(reviews.join("\n")));
    const meta = [
      `{'asin': 'B0', 'title': 'Face Cream', 'brand': 'Nivea', 'categories': [['Beauty', 'Skin Care', 'Face']]}`,
      `{'asin': 'B1', 'title': 'Soap', 'categories': [['Beauty', 'Bath']]}`,
      `{'asin': 'B2', 'brand': 'Dove'}`,
    ];
    writeFileSync(join(dir, "meta_Beauty.json.gz"), gzipSync(meta.join("\n")));
    const logger = new RecordingLogger();
    const prepared = await prepareDataset("amazon-beauty", {
      dataDir: join(tmp.dir, "amazon-data"),
      rng: createRng(2020),
      split: "temporal-loo",
      logger,
      download: false,
    });
    expect(prepared.textTemplate).toBe("{title}. {category}. {brand}");
    const text = (asin: string) => prepared.itemTexts[prepared.split.items.get(asin)!];
    expect([text("B0"), text("B1"), text("B2"), text("B3")]).toEqual([
      "Face Cream. Face. Nivea",
      "Soap. Bath",
      "Dove",
      "",
    ]);
    expect(logger.records.some((r) => r.level === "warn" && r.fields?.empty === 3)).toBe(true);
    // temporal LOO: each user's latest review (item B5) is test, the one before (B4) valid.
    expect(Array.from(prepared.split.test.indices).map((i) => prepared.split.items.idOf(i))).toEqual(
      Array(6).fill("B5"),
    );
    expect(Array.from(prepared.split.valid.indices).map((i) => prepared.split.items.idOf(i))).toEqual(
      Array(6).fill("B4"),
    );
  });

  it("rejects unknown names and unrecognised folders", async () => {
    await expect(loadDataset(join(tmp.dir, "no-such-thing"))).rejects.toThrow(ConfigError);
    mkdirSync(join(tmp.dir, "emptyfolder"));
    await expect(loadDataset(join(tmp.dir, "emptyfolder"))).rejects.toThrow(/no dataset files recognised/);
    // No rating column: implicit feedback, the rating filter is off; here the 5-core then leaves nothing.
    await expect(prepareDataset(join(tmp.dir, "mydata"), { rng: createRng(1) })).rejects.toThrow(
      /nothing left after filter stage "iterative 5-core"/,
    );
  });
});
