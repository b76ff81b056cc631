import { afterAll, describe, expect, it } from "vitest";
import { DataFormatError, NotAvailableError } from "@llminit/core";
import { isGzipFile, readLines } from "./read-lines.js";
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
    expect(await collect(file)).toEqual([[1, "x"], [2, "y"], [3, ""], [4, "z"]]);
  });

  it("detects gzip by magic bytes, whatever the name", async () => {
    const file = tmp.write("b.data", "héllo\nwörld\n", true);
    expect(await isGzipFile(file)).toBe(true);
    expect(await collect(file)).toEqual([[1, "héllo"], [2, "wörld"]]);
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
});
