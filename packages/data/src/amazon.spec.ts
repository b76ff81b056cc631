import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, DataFormatError, RecordingLogger } from "@llminit/core";
import type { DataIssue, FileSummary } from "./data-issues.js";
import { readAmazonMeta, readAmazonReviews, unescapeHtml } from "./amazon.js";
import { tempDir } from "./test-utils/fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("readAmazonReviews", () => {
  it("reads 2014 / 2018 JSON lines (gzip)", async () => {
    const lines = [
      { reviewerID: "A1", asin: "B1", overall: 5.0, unixReviewTime: 1400000000, reviewText: "ok" },
      { reviewerID: "A2", asin: "B1", overall: 3.0, unixReviewTime: 1300000000 },
    ];
    const file = tmp.write("reviews_X_5.json.gz", lines.map((l) => JSON.stringify(l)).join("\n") + "\n", true);
    const log = await readAmazonReviews(file);
    expect(log.users.toArray()).toEqual(["A1", "A2"]);
    expect(Array.from(log.rating!)).toEqual([5, 3]);
    expect(Array.from(log.timestamp!)).toEqual([1400000000, 1300000000]);
  });

  it("reads 2023 lines with parent_asin and millisecond timestamps", async () => {
    const file = tmp.write(
      "All_Beauty.jsonl",
      JSON.stringify({ user_id: "U", asin: "C", parent_asin: "P", rating: 4, timestamp: 1588687728923 }) + "\n",
    );
    const log = await readAmazonReviews(file);
    expect(log.items.toArray()).toEqual(["P"]);
    expect(log.timestamp![0]).toBeCloseTo(1588687728.923, 3);
  });

  it("reads Python-literal review lines too", async () => {
    const file = tmp.write("py.json", "{'reviewerID': 'A', 'asin': 'B', 'overall': 4.0, 'unixReviewTime': 5}\n");
    expect((await readAmazonReviews(file)).length).toBe(1);
  });

  it("names line and field for missing or bad values", async () => {
    const file = tmp.write(
      "bad.json",
      `${JSON.stringify({ reviewerID: "A", asin: "B", overall: 4, unixReviewTime: 1 })}\n${JSON.stringify({ reviewerID: "A", asin: "C", overall: "x", unixReviewTime: 1 })}\n`,
    );
    await expect(readAmazonReviews(file)).rejects.toMatchObject({ line: 2, field: "overall" });
    const missing = tmp.write("bad2.json", `${JSON.stringify({ reviewerID: "A", overall: 4, unixReviewTime: 1 })}\n`);
    await expect(readAmazonReviews(missing)).rejects.toMatchObject({ line: 1, field: "asin" });
    const garbage = tmp.write("bad3.json", "not json\n");
    const error = await readAmazonReviews(garbage).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as DataFormatError).message).toMatch(/bad3\.json:1: neither JSON nor a Python literal/);
  });
});

describe("readAmazonMeta", () => {
  it("reads 2014 Python-literal metadata (gzip), keeping the first of repeated ids", async () => {
    const text = [
      `{'asin': 'B1', 'title': 'Red &amp; Blue  Pen', 'brand': 'Bic', 'categories': [['Office Products', 'Pens'], ['Office Products', 'Gifts']]}`,
      `{'asin': 'B2', 'categories': [[]], 'title': ''}`,
      `{'asin': 'B1', 'title': 'again'}`,
    ].join("\n");
    const file = tmp.write("meta_X.json.gz", text, true);
    const logger = new RecordingLogger();
    const meta = await readAmazonMeta(file, { logger });
    expect(meta.get("B1")).toEqual({
      title: "Red & Blue Pen",
      brand: "Bic",
      category: "Pens",
      categories: "Office Products, Pens, Gifts",
    });
    expect(meta.get("B2")).toEqual({});
    expect(logger.records.find((r) => r.level === "warn")?.fields).toMatchObject({
      kind: "repeated-metadata",
      count: 1,
      line: 3,
    });
  });

  it("reads 2018 and 2023 JSON metadata", async () => {
    const file = tmp.write(
      "meta.jsonl",
      [
        JSON.stringify({
          asin: "B3",
          title: "Tape",
          brand: "3M",
          category: ["Office", "Tape"],
          main_cat: "Office Products",
        }),
        JSON.stringify({
          parent_asin: "P1",
          title: "Soap",
          store: "Dove",
          categories: ["Beauty", "Bath"],
          main_category: "All Beauty",
        }),
      ].join("\n"),
    );
    const meta = await readAmazonMeta(file);
    expect(meta.get("B3")).toEqual({
      title: "Tape",
      brand: "3M",
      category: "Tape",
      categories: "Office, Tape",
      main_category: "Office Products",
    });
    expect(meta.get("P1")).toEqual({
      title: "Soap",
      brand: "Dove",
      category: "Bath",
      categories: "Beauty, Bath",
      main_category: "All Beauty",
    });
  });

  it("rejects a line without an id", async () => {
    const file = tmp.write("meta_bad.json", "{'title': 'x'}\n");
    await expect(readAmazonMeta(file)).rejects.toMatchObject({ line: 1, field: "asin" });
  });

  it("unescapes HTML entities", () => {
    expect(unescapeHtml("a &amp; b &#39;c&#x27; &lt;&gt; &bogus;")).toBe("a & b 'c' <> &bogus;");
  });
});

describe("Amazon files with missing and messy values", () => {
  it("reads an absent, null or empty rating as missing, once per key, and any numeric key as the rating", async () => {
    const lines = [
      { reviewerID: "A1", asin: "B1", overall: 5, unixReviewTime: 10, vote: "3" },
      { reviewerID: "A2", asin: "B1", overall: null, unixReviewTime: 20 },
      { reviewerID: "A3", asin: "B2", overall: "", unixReviewTime: 30, vote: "12" },
      { reviewerID: "A4", asin: "B2", unixReviewTime: 40, vote: 1 },
    ];
    const file = tmp.write("m.json", lines.map((l) => JSON.stringify(l)).join("\n"));
    const issues: DataIssue[] = [];
    const files: FileSummary[] = [];
    const log = await readAmazonReviews(file, { onIssue: (i) => issues.push(i), onFile: (f) => files.push(f) });
    expect(Array.from(log.rating!).map((v) => (Number.isNaN(v) ? null : v))).toEqual([5, null, null, null]);
    expect(issues).toMatchObject([{ kind: "missing-value", field: "overall", count: 3, line: 2 }]);
    expect(files[0].columns.find((c) => c.name === "overall")).toEqual({
      name: "overall",
      type: "number",
      use: "rating",
    });
    expect(files[0].columns.find((c) => c.name === "vote")?.use).toBe("unused");

    const votes = await readAmazonReviews(file, { ratingField: "vote" });
    expect(votes.ratingField).toBe("vote");
    expect(Array.from(votes.rating!).map((v) => (Number.isNaN(v) ? null : v))).toEqual([3, null, 12, 1]);
    const error = await readAmazonReviews(file, { ratingField: "stars" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/no key "stars" in .*m\.json \(its keys: reviewerID, asin, overall/);
  });

  it("refuses invalid UTF-8 in ids and replaces it in metadata text, counted once", async () => {
    const bad = Buffer.concat([
      Buffer.from('{"reviewerID": "A'),
      Buffer.from([0xfe]),
      Buffer.from('", "asin": "B"}\n'),
    ]);
    const reviews = tmp.write("bad-id.json", Buffer.concat([Buffer.from('{"reviewerID": "A", "asin": "B"}\n'), bad]));
    await expect(readAmazonReviews(reviews)).rejects.toMatchObject({ line: 2, field: "reviewerID" });
    const meta = tmp.write(
      "meta_bad.json",
      Buffer.concat([
        Buffer.from("{'asin': 'B1', 'title': 'Caf"),
        Buffer.from([0xe9]),
        Buffer.from("'}\n{'asin': 'B2', 'title': 'ok'}\n"),
      ]),
    );
    const issues: DataIssue[] = [];
    const items = await readAmazonMeta(meta, { onIssue: (i) => issues.push(i) });
    expect(items.get("B1")).toEqual({ title: "Caf\uFFFD" });
    expect(issues).toMatchObject([{ kind: "invalid-utf8", field: "title", count: 1, line: 1 }]);
  });
});
