import { afterAll, describe, expect, it } from "vitest";
import { DataFormatError, RecordingLogger } from "@llminit/core";
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
    expect(logger.records.find((r) => r.level === "warn")?.fields).toMatchObject({ duplicates: 1 });
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
