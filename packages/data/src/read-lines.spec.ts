import { afterAll, describe, expect, it } from "vitest";
import { DataFormatError, NotAvailableError } from "@llminit/core";
import { forEachLine, isGzipFile, readLines } from "./read-lines.js";
import { tempDir } from "./test-utils/fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function collect(file: string, encoding?: "utf8" | "latin1") {
  const out: [number, string][] = [];
  for await (const { text, line } of readLines(file, encoding)) out.push([line, text]);
  return out;
}

describe("readLines", () => {
  it("reads plain files with \\n and \\r\\n line ends, numbering from 1", async () => {
    const file = tmp.write("a.txt", "x\r\ny\n\nz");
    expect(await collect(file)).toEqual([
      [1, "x"],
      [2, "y"],
      [3, ""],
      [4, "z"],
    ]);
  });

  it("detects gzip by magic bytes, whatever the name", async () => {
    const file = tmp.write("b.data", "héllo\nwörld\n", true);
    expect(await isGzipFile(file)).toBe(true);
    expect(await collect(file)).toEqual([
      [1, "héllo"],
      [2, "wörld"],
    ]);
  });

  it("decodes latin1", async () => {
    const file = tmp.write("c.txt", Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x0a]));
    expect(await collect(file, "latin1")).toEqual([[1, "Café"]]);
  });

  it("reports corrupt gzip data as a DataFormatError naming the file", async () => {
    const good = (await import("node:zlib")).gzipSync(Buffer.from("a\nb\n".repeat(1000)));
    const bad = Buffer.concat([good.subarray(0, 20), Buffer.alloc(40, 7)]);
    const file = tmp.write("bad.gz", bad);
    await expect(collect(file)).rejects.toThrow(DataFormatError);
    await expect(collect(file)).rejects.toThrow(/bad\.gz.*corrupt gzip/);
  });

  it("a missing file is a NotAvailableError naming it", async () => {
    await expect(collect(`${tmp.dir}/missing.inter`)).rejects.toThrow(NotAvailableError);
    await expect(collect(`${tmp.dir}/missing.inter`)).rejects.toThrow(/missing\.inter: file not found/);
  });

  it.each([false, true])("splits lines exactly across read chunks (gzip: %s), with a BOM and CRLF", async (gzip) => {
    const expected = Array.from({ length: 200_000 }, (_, i) => `line-${i}-${"é".repeat(i % 7)}`);
    const file = tmp.write(`big${gzip}.txt`, "\ufeff" + expected.join("\r\n") + "\r\n", gzip);
    const seen: string[] = [];
    const count = await forEachLine(file, (text, line) => {
      expect(line).toBe(seen.length + 1);
      seen.push(text);
    });
    expect(count).toBe(expected.length);
    expect(seen).toEqual(expected);
    let n = 0;
    for await (const { text, line } of readLines(file)) {
      if (text !== expected[line - 1]) throw new Error(`line ${line}: ${text}`);
      n++;
    }
    expect(n).toBe(expected.length);
  });

  it("stops at an exception from the callback", async () => {
    const file = tmp.write("stop.txt", "a\nb\nc\n");
    const seen: string[] = [];
    await expect(
      forEachLine(file, (text) => {
        seen.push(text);
        if (text === "b") throw new Error("stop here");
      }),
    ).rejects.toThrow("stop here");
    expect(seen).toEqual(["a", "b"]);
  });
});
