import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataFormatError } from "@llminit/core";
import { writeNpy } from "@llminit/core/node";
import { encodeCatalog } from "./encode-catalog.js";
import { createFileEncoder } from "./file-encoder.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "file-encoder-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function expectFormatError(
  promise: Promise<unknown>,
  match: Partial<DataFormatError>,
  message: RegExp,
): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataFormatError);
  expect(error).toMatchObject(match);
  expect((error as Error).message).toMatch(message);
}

describe("file: encoder, .npy", () => {
  it("looks rows up by id, in item order, with ids from <path>.ids.txt", async () => {
    const path = join(dir, "v.npy");
    await writeNpy(path, Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]);
    await writeFile(`${path}.ids.txt`, "a\nb\nc\n");
    const encoder = await createFileEncoder(path);
    expect(encoder.id).toBe(`file:${path}`);
    expect(encoder.dimension()).toBe(2);
    const m = await encoder.encode([
      { id: "c", text: "ignored" },
      { id: "a", text: "" },
    ]);
    expect([m.rows, m.cols]).toEqual([2, 2]);
    expect(Array.from(m.data)).toEqual([5, 6, 1, 2]);
  });

  it("reads ids from <path>.ids.json", async () => {
    const path = join(dir, "j.npy");
    await writeNpy(path, Float32Array.from([1, 2]), [2, 1]);
    await writeFile(`${path}.ids.json`, JSON.stringify(["x", "y"]));
    const m = await (await createFileEncoder(path)).encode([{ id: "y", text: "" }]);
    expect(Array.from(m.data)).toEqual([2]);
  });

  it("names the file for missing ids, id-count mismatch, duplicates and non-finite values", async () => {
    const path = join(dir, "bad.npy");
    await writeNpy(path, Float32Array.from([1, 2, 3, Number.NaN]), [2, 2]);
    await expectFormatError(createFileEncoder(path), { file: path }, /no id list beside the vectors/);
    await writeFile(`${path}.ids.txt`, "a\n");
    await expectFormatError(createFileEncoder(path), { file: `${path}.ids.txt`, line: 2 }, /1 ids for 2 vector rows/);
    await writeFile(`${path}.ids.txt`, "a\na\n");
    await expectFormatError(
      createFileEncoder(path),
      { file: `${path}.ids.txt`, line: 2, field: "id" },
      /duplicate id "a"/,
    );
    await writeFile(`${path}.ids.txt`, "a\nb\n");
    await expectFormatError(
      createFileEncoder(path),
      { file: path, field: "row 1" },
      /id "b" column 1: value NaN is not finite/,
    );
    await writeNpy(path, Float32Array.from([1, 2, 3, 4]), [2, 2]);
    const encoder = await createFileEncoder(path);
    await expectFormatError(
      encoder.encode([{ id: "zz", text: "" }]),
      { file: path, field: "id" },
      /no vector for 1 item\(s\): "zz"/,
    );
    // Over a catalogue: every item without a vector counted at once, not one encoder shard's share.
    const catalogue = Array.from({ length: 600 }, (_, i) => ({ id: i === 0 ? "a" : `x${i}`, text: "" }));
    await expectFormatError(
      encodeCatalog(encoder, catalogue, { cacheDir: join(dir, "cache") }),
      { file: path, field: "id" },
      /^.*no vector for 599 item\(s\): "x1", "x2", "x3", "x4", "x5", …$/,
    );
  });

  it("rejects arrays that are not 2-d", async () => {
    const path = join(dir, "flat.npy");
    await writeNpy(path, Float32Array.from([1, 2]), [2]);
    await writeFile(`${path}.ids.txt`, "a\nb\n");
    await expectFormatError(createFileEncoder(path), { file: path, field: "shape" }, /expected a 2-d array/);
  });
});

describe("file: encoder, JSONL", () => {
  it("reads {id, embedding} lines", async () => {
    const path = join(dir, "v.jsonl");
    await writeFile(path, '{"id":"a","embedding":[1,0.5]}\n\n{"id":"b","embedding":[-1,2]}\n');
    const m = await (
      await createFileEncoder(path)
    ).encode([
      { id: "b", text: "" },
      { id: "a", text: "" },
    ]);
    expect(Array.from(m.data)).toEqual([-1, 2, 1, 0.5]);
  });

  it("names file and line for ragged rows, NaN, bad JSON, missing id and duplicates", async () => {
    const path = join(dir, "bad.jsonl");
    const cases: Array<[string, Partial<DataFormatError>, RegExp]> = [
      [
        '{"id":"a","embedding":[1,2]}\n{"id":"b","embedding":[1]}\n',
        { line: 2, field: "embedding" },
        /has 1 values, expected 2/,
      ],
      [
        '{"id":"a","embedding":[1,2]}\n{"id":"b","embedding":[1,null]}\n',
        { line: 2, field: "embedding" },
        /value 1 is null/,
      ],
      ['{"id":"a","embedding":[1,2]}\n{"id":"b",\n', { line: 2 }, /not valid JSON/],
      ['{"embedding":[1,2]}\n', { line: 1, field: "id" }, /non-empty string/],
      [
        '{"id":"a","embedding":[1]}\n{"id":"a","embedding":[2]}\n',
        { line: 2, field: "id" },
        /duplicate id "a" \(first on line 1\)/,
      ],
      ["", {}, /no vectors/],
    ];
    for (const [text, match, message] of cases) {
      await writeFile(path, text);
      await expectFormatError(createFileEncoder(path), { file: path, ...match }, message);
    }
  });
});
