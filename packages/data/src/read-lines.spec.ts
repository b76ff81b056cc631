import { afterAll, describe, expect, it } from "vitest";
import { DataFormatError, NotAvailableError } from "@llminit/core";
import { gzipSync } from "node:zlib";
import { forEachLine, isGzipFile, readLines } from "./read-lines.js";
import { hasInvalidBytes } from "./text-bytes.js";
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

  it.each([false, true])(
    "splits lines exactly across read chunks (gzip: %s), with a BOM and CRLF",
    async (gzip) => {
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
    },
    60_000,
  );

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

async function failure(file: string): Promise<DataFormatError> {
  const error = await forEachLine(file, () => {}).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataFormatError);
  return error as DataFormatError;
}

describe("binary input", () => {
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 0xa5)]);
  const tar = Buffer.alloc(1024);
  tar.write("data.inter", 0);
  tar.write("ustar", 257);
  it.each([
    ["zip", Buffer.concat([Buffer.from("PK\x03\x04", "latin1"), Buffer.alloc(300, 0x41)]), /a zip archive; unzip it/],
    ["png", png, /a PNG image/],
    ["elf", Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(100, 0)]), /an ELF executable/],
    ["tar.gz", gzipSync(tar), /gzip-compressed a tar archive/],
    ["utf16", Buffer.from("\ufeffuser_id:token\n", "utf16le"), /UTF-16 text; convert it to UTF-8/],
    ["nul", Buffer.alloc(4096, 0), /holds NUL bytes/],
  ])("recognises %s and says so in one short line, without its bytes", async (name, bytes, reason) => {
    const file = tmp.write(`${name}.inter`, bytes);
    const error = await failure(file);
    expect(error.message).toMatch(reason);
    expect(error.message.startsWith(`${file}`)).toBe(true);
    const printable = [...error.message].every((c) => c >= " " && c !== "\u007f" && c !== "\ufffd");
    expect(printable).toBe(true);
    expect(error.message.split("\n")).toHaveLength(1);
    expect(error.message.length).toBeLessThan(file.length + 110);
  });

  it("names the line of a NUL byte after text", async () => {
    const file = tmp.write(
      "late-nul.txt",
      Buffer.concat([Buffer.from("a\nb\nc"), Buffer.from([0]), Buffer.from("\n")]),
    );
    expect((await failure(file)).line).toBe(3);
  });
});

describe("invalid UTF-8", () => {
  it("flags exactly the lines with invalid bytes and keeps those bytes distinct, across chunks", async () => {
    const parts: Buffer[] = [];
    const bad = new Set<number>();
    for (let i = 1; i <= 150_000; i++) {
      if (i % 9_973 === 0) {
        bad.add(i);
        parts.push(Buffer.from(`id-${i}-`), Buffer.from([0xe9 + (i % 3)]), Buffer.from("\tvalue é\n"));
      } else parts.push(Buffer.from(`id-${i}\tvalue é\n`));
    }
    const file = tmp.write("mixed.txt", Buffer.concat(parts));
    const flagged: number[] = [];
    const distinct = new Set<string>();
    let wrong = 0;
    await forEachLine(file, (text, line, invalid) => {
      if (invalid) {
        flagged.push(line);
        distinct.add(text);
        if (!hasInvalidBytes(text) || !text.endsWith("\tvalue é")) wrong++;
      } else if (text !== `id-${line}\tvalue é`) wrong++;
    });
    expect(wrong).toBe(0);
    expect(flagged).toEqual([...bad]);
    expect(distinct.size).toBe(bad.size);
    const viaGenerator: number[] = [];
    for await (const { line, invalidUtf8 } of readLines(file)) if (invalidUtf8) viaGenerator.push(line);
    expect(viaGenerator).toEqual([...bad]);
  }, 60_000);

  it("never flags latin1 input", async () => {
    const file = tmp.write("l1.txt", Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x0a]));
    await forEachLine(file, (_text, _line, invalid) => expect(invalid).toBe(false), "latin1");
  });
});
