import { describe, expect, it } from "vitest";
import { DataFormatError } from "@llminit/core";
import { makeZip } from "./test-utils/fixtures.js";
import { crc32, listZip, readZipEntry } from "./zip.js";

describe("zip reader", () => {
  const text = Buffer.from("1\t2\t3\t4\n".repeat(500));
  const zip = makeZip([
    { name: "ml-100k/u.data", data: text },
    { name: "ml-100k/README", data: Buffer.from("hello"), store: true },
  ]);

  it("lists entries and inflates deflate and stored entries", () => {
    const entries = listZip(zip);
    expect(entries.map((e) => [e.name, e.method, e.size])).toEqual([
      ["ml-100k/u.data", 8, text.length],
      ["ml-100k/README", 0, 5],
    ]);
    expect(readZipEntry(zip, entries[0]).equals(text)).toBe(true);
    expect(readZipEntry(zip, entries[1]).toString()).toBe("hello");
  });

  it("computes the standard CRC-32", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
  });

  it("detects non-zips and corrupt entries", () => {
    expect(() => listZip(Buffer.from("not a zip at all, definitely not"), "x.zip")).toThrow(
      /x\.zip: not a zip archive/,
    );
    const entries = listZip(zip);
    const corrupt = Buffer.from(zip);
    corrupt[entries[1].localHeaderOffset + 30 + entries[1].name.length] ^= 0xff;
    expect(() => readZipEntry(corrupt, entries[1], "y.zip")).toThrow(DataFormatError);
    expect(() => readZipEntry(corrupt, entries[1], "y.zip")).toThrow(/CRC-32 mismatch/);
  });
});
