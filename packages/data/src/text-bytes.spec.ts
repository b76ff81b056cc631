import { describe, expect, it } from "vitest";
import { DataFormatError } from "@llminit/core";
import {
  checkIdBytes,
  decodeUtf8Escaped,
  firstInvalidByte,
  hasInvalidBytes,
  printable,
  quoteValue,
  replaceInvalidBytes,
} from "./text-bytes.js";

describe("decodeUtf8Escaped", () => {
  it("decodes valid UTF-8 exactly as Node does, astral characters included", () => {
    const text = "plain, é, 中文, 😀 and \uFFFD";
    const decoded = decodeUtf8Escaped(Buffer.from(text, "utf8"));
    expect(decoded).toBe(text);
    expect(hasInvalidBytes(decoded)).toBe(false);
  });

  it("keeps every invalid byte distinct, so distinct byte strings never decode alike", () => {
    const a = decodeUtf8Escaped(Buffer.from([0x75, 0xe9, 0x31]));
    const b = decodeUtf8Escaped(Buffer.from([0x75, 0xe8, 0x31]));
    const replaced = Buffer.from([0x75, 0xe9, 0x31]).toString("utf8");
    expect(Buffer.from([0x75, 0xe8, 0x31]).toString("utf8")).toBe(replaced); // what plain decoding merges
    expect(a).not.toBe(b);
    expect([hasInvalidBytes(a), firstInvalidByte(a)]).toEqual([true, "0xE9"]);
    expect(replaceInvalidBytes(a)).toBe("u\uFFFD1");
  });

  it("treats overlong forms, surrogates and truncated sequences as invalid bytes", () => {
    for (const bytes of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xff]]) {
      const decoded = decodeUtf8Escaped(Buffer.from(bytes));
      expect(hasInvalidBytes(decoded)).toBe(true);
      expect(decoded.length).toBe(bytes.length);
    }
  });

  it("does not mistake the low half of a valid surrogate pair for an invalid byte", () => {
    // U+1F400 is D83D DC00; U+1F480 is D83D DC80 (inside the escape range when alone).
    expect(hasInvalidBytes("\u{1F480}")).toBe(false);
    expect(hasInvalidBytes("\uDC80")).toBe(true);
  });
});

describe("quoteValue / printable", () => {
  it("escapes control characters, quotes and invalid bytes, and cuts long values", () => {
    expect(quoteValue('a"b\\c\td\n\u0000')).toBe('"a\\"b\\\\c\\td\\n\\u0000"');
    expect(quoteValue(decodeUtf8Escaped(Buffer.from([0x41, 0xff])))).toBe('"A\\xFF"');
    expect(quoteValue("x".repeat(100), 10)).toBe('"xxxxxxxxxx…" (100 characters)');
    expect(printable("\u001b[31mred", 40)).toBe("\\u001b[31mred");
  });
});

describe("checkIdBytes", () => {
  it("refuses an id with invalid bytes, naming file, line and field, showing the byte escaped", () => {
    const id = decodeUtf8Escaped(Buffer.from([0x75, 0xe9]));
    let error: unknown;
    try {
      checkIdBytes(id, { file: "x.inter", line: 7, field: "user_id" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as DataFormatError).message).toBe(
      'x.inter:7 field "user_id": id "u\\xE9" is not valid UTF-8 (byte 0xE9); convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)',
    );
    expect(() => checkIdBytes("é", { file: "x" })).not.toThrow();
  });
});
