import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, DataFormatError } from "@llminit/core";
import type { DataIssue } from "./data-issues.js";
import { readDelimitedInteractions, splitDelimited } from "./delimited-file.js";
import { tempDir } from "./test-utils/fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("splitDelimited", () => {
  it("handles quoted delimiters, doubled quotes and open quotes", () => {
    expect(splitDelimited('a,"b,c","say ""hi""",', ",", '"')).toEqual(["a", "b,c", 'say "hi"', ""]);
    expect(splitDelimited("a::b::c", "::", '"')).toEqual(["a", "b", "c"]);
    expect(splitDelimited('a,"open', ",", '"')).toBeUndefined();
    expect(splitDelimited('a,"b"x,c', ",", '"')).toEqual(["a", "bx", "c"]);
  });
});

describe("readDelimitedInteractions", () => {
  it("maps columns by header name, with quoted fields across lines", async () => {
    const file = tmp.write("r.csv", 'ts,item,user,stars\n10,"i,1",u1,4\n20,"multi\nline",u2,5\n');
    const log = await readDelimitedInteractions(file, {
      columns: { user: "user", item: "item", rating: "stars", timestamp: "ts" },
    });
    expect(log.items.toArray()).toEqual(["i,1", "multi\nline"]);
    expect(log.users.toArray()).toEqual(["u1", "u2"]);
    expect(Array.from(log.rating!)).toEqual([4, 5]);
    expect(Array.from(log.timestamp!)).toEqual([10, 20]);
  });

  it("maps columns by index without a header (gzip TSV)", async () => {
    const file = tmp.write("r.tsv.gz", "u1\ti1\t3\nu1\ti2\t1\textra\n", true);
    const log = await readDelimitedInteractions(file, {
      delimiter: "\t",
      header: false,
      columns: { user: 0, item: 1, rating: 2 },
    });
    expect(log.length).toBe(2);
    expect(log.timestamp).toBeUndefined();
  });

  it("names file, line and column for a bad number and a short row", async () => {
    const file = tmp.write("bad.csv", "user,item,rating\nu,i,4\nu,j,x\n");
    const error = await readDelimitedInteractions(file, {
      columns: { user: "user", item: "item", rating: "rating" },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error).toMatchObject({ file, line: 3, field: "rating" });
    const short = tmp.write("short.csv", "user,item,rating\nu,i\n");
    await expect(readDelimitedInteractions(short, { columns: { user: "user", item: "item" } })).rejects.toMatchObject({
      line: 2,
    });
  });

  it("rejects an unterminated quote, naming the line where it opened", async () => {
    const file = tmp.write("q.csv", 'user,item\nu,i\nu,"never\nclosed\n');
    await expect(readDelimitedInteractions(file, { columns: { user: 0, item: 1 } })).rejects.toMatchObject({ line: 3 });
  });

  it("rejects bad column options as ConfigErrors", async () => {
    const file = tmp.write("c.csv", "user,item\nu,i\n");
    await expect(readDelimitedInteractions(file, { columns: { user: "who", item: "item" } })).rejects.toThrow(
      ConfigError,
    );
    await expect(
      readDelimitedInteractions(file, { columns: { user: "user", item: "item" }, header: false }),
    ).rejects.toThrow(/columns\.user/);
    await expect(readDelimitedInteractions(file, { columns: { user: 0, item: 5 } })).rejects.toThrow(/columns\.item/);
    await expect(readDelimitedInteractions(file, { columns: { user: 0, item: 1 }, delimiter: "" })).rejects.toThrow(
      /delimiter/,
    );
  });

  it("rejects an empty user id", async () => {
    const file = tmp.write("e.csv", "user,item\n,i\n");
    await expect(readDelimitedInteractions(file, { columns: { user: 0, item: 1 } })).rejects.toMatchObject({
      line: 2,
      field: "user",
    });
  });
});

describe("readDelimitedInteractions on messy files", () => {
  it("reads empty used numbers as missing (one warning per column) and ignores unused columns", async () => {
    const file = tmp.write("m.csv", "user,item,plays,ts,comment\nu1,i1,,10,x\nu2,i1,7,,\nu3,i2,,30,y\n");
    const issues: DataIssue[] = [];
    const log = await readDelimitedInteractions(file, {
      columns: { user: "user", item: "item", rating: "plays", timestamp: "ts" },
      onIssue: (i) => issues.push(i),
    });
    expect(log.length).toBe(3);
    expect(log.ratingField).toBe("plays");
    expect(Number.isNaN(log.rating![0]) && log.rating![1] === 7).toBe(true);
    expect(issues.map((i) => [i.field, i.count, i.line])).toEqual([
      ["plays", 2, 2],
      ["ts", 1, 3],
    ]);
  });

  it("names a missing rating column with the file's columns", async () => {
    const file = tmp.write("n.csv", "user,item\nu,i\n");
    await expect(
      readDelimitedInteractions(file, { columns: { user: "user", item: "item", rating: "stars" } }),
    ).rejects.toThrow(`option "--rating-field": no column "stars" in ${file} (its columns: user, item)`);
  });

  it("refuses an id with invalid UTF-8, even inside a quoted multi-line record", async () => {
    const file = tmp.write(
      "u.csv",
      Buffer.concat([Buffer.from('user,item\nu1,i1\n"a'), Buffer.from([0xff]), Buffer.from('\nb",i2\n')]),
    );
    const error = await readDelimitedInteractions(file, { columns: { user: "user", item: "item" } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error).toMatchObject({ line: 3, field: "user" });
  });

  it("takes column names for a file without a header", async () => {
    const file = tmp.write("h.tsv", "u1\ti1\t3\n");
    const log = await readDelimitedInteractions(file, {
      delimiter: "\t",
      header: false,
      names: ["who", "what", "stars"],
      columns: { user: "who", item: "what", rating: "stars" },
    });
    expect(Array.from(log.rating!)).toEqual([3]);
  });
});
