import { afterAll, describe, expect, it } from "vitest";
import { csrRow, DataFormatError, Vocab } from "@llminit/core";
import { readSplitFiles } from "./split-files.js";
import { tempDir } from "./test-utils/fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const H = "user_id:token\titem_id:token\n";

describe("readSplitFiles", () => {
  it("reads train/valid/test with the train file's vocabulary", async () => {
    const split = await readSplitFiles({
      train: tmp.write("d.train.inter", `${H}u1\ta\nu1\tb\nu2\tb\n`),
      valid: tmp.write("d.valid.inter", `${H}u2\ta\n`),
      test: tmp.write("d.test.inter.gz", `${H}u1\tb\nu2\tb\n`, true),
    });
    expect(split.users.toArray()).toEqual(["u1", "u2"]);
    expect(split.items.toArray()).toEqual(["a", "b"]);
    expect(Array.from(csrRow(split.train, 0))).toEqual([0, 1]);
    expect(Array.from(csrRow(split.valid, 1))).toEqual([0]);
    expect(split.test.indptr[2]).toBe(2);
  });

  it("names file, line and field of an unknown item id", async () => {
    const test = tmp.write("e.test.inter", `${H}u1\ta\nu1\tzzz\n`);
    const error = await readSplitFiles({
      train: tmp.write("e.train.inter", `${H}u1\ta\n`),
      valid: tmp.write("e.valid.inter", H),
      test,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error).toMatchObject({ file: test, line: 3, field: "item_id" });
    expect((error as Error).message).toContain('unknown item id "zzz"');
  });

  it("checks every id against given vocabularies", async () => {
    const train = tmp.write("f.train.inter", `${H}u1\ta\nu9\ta\n`);
    const files = { train, valid: tmp.write("f.valid.inter", H), test: tmp.write("f.test.inter", H) };
    await expect(readSplitFiles(files, { users: Vocab.from(["u1"]), items: Vocab.from(["a"]) })).rejects.toMatchObject({
      file: train,
      line: 3,
      field: "user_id",
    });
  });
});
