import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, DataFormatError, RecordingLogger } from "@llminit/core";
import type { DataIssue, FileSummary } from "./data-issues.js";
import { readAtomicFile, readAtomicInteractions, readAtomicItems } from "./atomic-file.js";
import { tempDir } from "./test-utils/fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const INTER =
  "user_id:token\titem_id:token\trating:float\ttimestamp:float\nu1\ti1\t5\t100\nu2\ti1\t3.5\t50\nu1\ti2\t4.0\t200\n";

async function errorOf(promise: Promise<unknown>): Promise<DataFormatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataFormatError);
  return error as DataFormatError;
}

describe("readAtomicInteractions", () => {
  it.each([false, true])("reads a .inter file (gzip: %s) into dense columns", async (gzip) => {
    const file = tmp.write(`x${gzip ? 1 : 0}.inter${gzip ? ".gz" : ""}`, INTER, gzip);
    const log = await readAtomicInteractions(file);
    expect(log.length).toBe(3);
    expect(log.users.toArray()).toEqual(["u1", "u2"]);
    expect(log.items.toArray()).toEqual(["i1", "i2"]);
    expect(Array.from(log.user)).toEqual([0, 1, 0]);
    expect(Array.from(log.item)).toEqual([0, 0, 1]);
    expect(Array.from(log.rating!)).toEqual([5, 3.5, 4]);
    expect(Array.from(log.timestamp!)).toEqual([100, 50, 200]);
  });

  it("works without rating and timestamp columns, and with other column names", async () => {
    const file = tmp.write("y.inter", "uid:token\tiid:token\nA\tB\n\n");
    const logger = new RecordingLogger();
    const log = await readAtomicInteractions(file, { fields: { user: "uid", item: "iid" }, logger });
    expect(log.length).toBe(1);
    expect(log.rating).toBeUndefined();
    expect(log.timestamp).toBeUndefined();
    expect(logger.records[0].fields).toMatchObject({ kind: "blank-lines", count: 1, line: 3 });
  });

  it("names file, line and field for a non-numeric float", async () => {
    const file = tmp.write("bad1.inter", "user_id:token\titem_id:token\trating:float\nu\ti\t4\nu\tj\tfive\n");
    const error = await errorOf(readAtomicInteractions(file));
    expect([error.file, error.line, error.field]).toEqual([file, 3, "rating"]);
    expect(error.message).toContain('not a number: "five"');
  });

  it("names the line for a wrong column count", async () => {
    const file = tmp.write("bad2.inter", "user_id:token\titem_id:token\trating:float\nu\ti\n");
    const error = await errorOf(readAtomicInteractions(file));
    expect([error.line, error.field]).toEqual([2, "item_id"]);
    expect(error.message).toMatch(/expected 3 TAB-separated fields.*found 2/);
  });

  it("rejects an unknown type in the header", async () => {
    const file = tmp.write("bad3.inter", "user_id:token\titem_id:id\n");
    const error = await errorOf(readAtomicInteractions(file));
    expect([error.line, error.field]).toEqual([1, "item_id"]);
    expect(error.message).toContain('unknown type "id"');
  });

  it("rejects a header column without a type, a missing user column and an empty file", async () => {
    expect(
      (await errorOf(readAtomicInteractions(tmp.write("h1.inter", "user_id\titem_id:token\nu\ti\n")))).message,
    ).toMatch(/not "name:type"/);
    expect(
      (await errorOf(readAtomicInteractions(tmp.write("h2.inter", "uid:token\titem_id:token\nu\ti\n")))).field,
    ).toBe("user_id");
    expect((await errorOf(readAtomicInteractions(tmp.write("h3.inter", "")))).message).toMatch(/empty file/);
  });

  it("requires a numeric rating even when declared as token", async () => {
    const file = tmp.write("bad4.inter", "user_id:token\titem_id:token\trating:token\nu\ti\tgood\n");
    const error = await errorOf(readAtomicInteractions(file));
    expect([error.line, error.field]).toEqual([2, "rating"]);
  });
});

describe("readAtomicFile / readAtomicItems", () => {
  it("leaves values to the readers: float and float_seq columns nobody uses are not parsed", async () => {
    const file = tmp.write("s.item", "item_id:token\tvec:float_seq\tprice:float\ni\t1 2.5 -3e2\t\nj\t1 x\tn/a\n");
    const rows: string[][] = [];
    await readAtomicFile(file, (values) => rows.push(values));
    expect(rows).toEqual([
      ["i", "1 2.5 -3e2", ""],
      ["j", "1 x", "n/a"],
    ]);
    expect((await readAtomicItems(file)).get("j")).toEqual({ vec: "1 x", price: "n/a" });
  });

  it("reads item features, leaving out empty values", async () => {
    const file = tmp.write(
      "t.item.gz",
      "item_id:token\ttitle:token_seq\tbrand:token\ni1\tRed Pen\tBic\ni2\tBlue Ink\t\n",
      true,
    );
    const items = await readAtomicItems(file);
    expect(items.get("i1")).toEqual({ title: "Red Pen", brand: "Bic" });
    expect(items.get("i2")).toEqual({ title: "Blue Ink" });
  });

  it("rejects a duplicate item id", async () => {
    const file = tmp.write("d.item", "item_id:token\ttitle:token_seq\ni1\ta\ni1\tb\n");
    const error = await errorOf(readAtomicItems(file));
    expect([error.line, error.field]).toEqual([3, "item_id"]);
  });
});

describe("messy atomic files", () => {
  it("ignores empty and malformed values in columns the run does not use", async () => {
    const inter = tmp.write(
      "m1.inter",
      "user_id:token\titem_id:token\trating:float\treview:token_seq\tweight:float\n" +
        "u1\ti1\t5\tgreat\t\nu2\ti1\t4\t\tn/a\n",
    );
    const log = await readAtomicInteractions(inter);
    expect(Array.from(log.rating!)).toEqual([5, 4]);
    const item = tmp.write("m1.item", "item_id:token\ttitle:token_seq\tprice:float\ni1\tRed Pen\t\ni2\tInk\t\n");
    const items = await readAtomicItems(item);
    expect(items.get("i1")).toEqual({ title: "Red Pen" });
  });

  it("reads an empty value in a used numeric column as missing, reported once with its count", async () => {
    const file = tmp.write(
      "m2.inter",
      "user_id:token\titem_id:token\trating:float\ttimestamp:float\nu1\ti1\t\t10\nu1\ti2\t4\t\nu2\ti1\t \t30\n",
    );
    const logger = new RecordingLogger();
    const issues: DataIssue[] = [];
    const log = await readAtomicInteractions(file, { logger, onIssue: (i) => issues.push(i) });
    expect(log.length).toBe(3);
    expect(Array.from(log.rating!).map((v) => (Number.isNaN(v) ? "NaN" : v))).toEqual(["NaN", 4, "NaN"]);
    expect(Number.isNaN(log.timestamp![1])).toBe(true);
    expect(issues.map((i) => [i.kind, i.field, i.count, i.line])).toEqual([
      ["missing-value", "rating", 2, 2],
      ["missing-value", "timestamp", 1, 3],
    ]);
    expect(logger.records.filter((r) => r.level === "warn")).toHaveLength(2);
    expect(issues[0].message).toBe(`${file}: 2 row(s) with no "rating" value, read as missing (first at line 2)`);
  });

  it("is strict on a malformed value in a used column, quoting it safely", async () => {
    const file = tmp.write("m3.inter", `user_id:token\titem_id:token\trating:float\nu\ti\t${"\u001b[2J".repeat(30)}\n`);
    const error = await errorOf(readAtomicInteractions(file));
    expect([error.line, error.field]).toEqual([2, "rating"]);
    expect(error.message).toMatch(/not a number: "\\u001b\[2J.*…" \(120 characters\)$/);
    expect(error.message).not.toContain("\u001b");
  });

  it("refuses ids with invalid UTF-8, naming the file and line, instead of merging them", async () => {
    const file = tmp.write(
      "m4.inter",
      Buffer.concat([
        Buffer.from("user_id:token\titem_id:token\nok\ti1\nu"),
        Buffer.from([0xe9]),
        Buffer.from("\ti1\nu"),
        Buffer.from([0xe8]),
        Buffer.from("\ti1\n"),
      ]),
    );
    const error = await errorOf(readAtomicInteractions(file));
    expect([error.file, error.line, error.field]).toEqual([file, 3, "user_id"]);
    expect(error.message).toContain('id "u\\xE9" is not valid UTF-8 (byte 0xE9)');
  });

  it("replaces invalid UTF-8 in item text by U+FFFD, counted in one warning for the file", async () => {
    const file = tmp.write(
      "m5.item",
      Buffer.concat([
        Buffer.from("item_id:token\ttitle:token_seq\tbrand:token\ni1\tCaf"),
        Buffer.from([0xe9]),
        Buffer.from("\tB"),
        Buffer.from([0xe9]),
        Buffer.from("\ni2\tNa"),
        Buffer.from([0xef]),
        Buffer.from("ve\tok\ni3\tfine\tok\n"),
      ]),
    );
    const issues: DataIssue[] = [];
    const items = await readAtomicItems(file, { onIssue: (i) => issues.push(i) });
    expect(items.get("i1")).toEqual({ title: "Caf\uFFFD", brand: "B\uFFFD" });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ kind: "invalid-utf8", field: "title, brand", count: 2, line: 2 });
    expect(issues[0].message).toBe(
      `${file}: 2 line(s) with bytes that are not UTF-8 in text (title, brand), replaced by U+FFFD (first at line 2)`,
    );
  });

  it("skips item rows with an empty id, counted once", async () => {
    const file = tmp.write("m6.item", "item_id:token\ttitle:token_seq\n\tNo id\ni1\tPen\n\tAgain\n");
    const issues: DataIssue[] = [];
    const items = await readAtomicItems(file, { onIssue: (i) => issues.push(i) });
    expect([...items.keys()]).toEqual(["i1"]);
    expect(issues).toMatchObject([{ kind: "empty-id", count: 2, line: 2 }]);
  });

  it("reads any numeric column as the rating, and refuses a named column that is not there", async () => {
    const file = tmp.write("m7.inter", "user_id:token\titem_id:token\tplay_count:float\nu\ti\t12\nu\tj\t3\n");
    const files: FileSummary[] = [];
    const log = await readAtomicInteractions(file, {
      fields: { rating: "play_count" },
      onFile: (f) => files.push(f),
    });
    expect(Array.from(log.rating!)).toEqual([12, 3]);
    expect(log.ratingField).toBe("play_count");
    expect(files[0].columns.map((c) => `${c.name}:${c.type}:${c.use}`)).toEqual([
      "user_id:token:user",
      "item_id:token:item",
      "play_count:float:rating",
    ]);
    const error = await readAtomicInteractions(file, { fields: { rating: "plays" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `option "--rating-field": no column "plays" in ${file} (its columns: user_id, item_id, play_count)`,
    );
    // The default name is optional: without a rating column the log has none.
    expect((await readAtomicInteractions(file)).rating).toBeUndefined();
  });
});
