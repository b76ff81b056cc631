import { afterAll, describe, expect, it } from "vitest";
import { DataFormatError, RecordingLogger } from "@llminit/core";
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
    expect(logger.records[0].fields).toMatchObject({ blank: 1 });
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
  it("checks float_seq values", async () => {
    const file = tmp.write("s.item", "item_id:token\tvec:float_seq\ni\t1 2.5 -3e2\nj\t1 x\n");
    const rows: string[][] = [];
    const error = await errorOf(readAtomicFile(file, (values) => rows.push(values)));
    expect(rows).toEqual([["i", "1 2.5 -3e2"]]);
    expect([error.line, error.field]).toEqual([3, "vec"]);
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
