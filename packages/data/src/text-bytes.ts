import { DataFormatError } from "@llminit/core";
import type { SourceLocation } from "@llminit/core";

/**
 * Bytes that are not valid UTF-8 are decoded as lone surrogates U+DC80 + byte (Python's "surrogateescape"), only
 * on the lines that have some: valid UTF-8 never decodes to a lone surrogate, so two distinct byte strings never
 * decode to the same string, and a reader can tell exactly which of its fields hold invalid bytes.
 */
const ESCAPED_BYTE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;
const ESCAPED_BYTES = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g;

/** Decodes UTF-8, turning every byte that is not part of a valid sequence into U+DC80 + byte. */
export function decodeUtf8Escaped(bytes: Uint8Array): string {
  const units: number[] = [];
  let out = "";
  const n = bytes.length;
  let i = 0;
  const continuation = (k: number, low = 0x80, high = 0xbf) => k < n && bytes[k] >= low && bytes[k] <= high;
  while (i < n) {
    const b = bytes[i];
    let length = 0;
    let code = 0;
    if (b < 0x80) {
      length = 1;
      code = b;
    } else if (b >= 0xc2 && b <= 0xdf && continuation(i + 1)) {
      length = 2;
      code = ((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
    } else if (b >= 0xe0 && b <= 0xef) {
      const low = b === 0xe0 ? 0xa0 : 0x80;
      const high = b === 0xed ? 0x9f : 0xbf;
      if (continuation(i + 1, low, high) && continuation(i + 2)) {
        length = 3;
        code = ((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
      }
    } else if (b >= 0xf0 && b <= 0xf4) {
      const low = b === 0xf0 ? 0x90 : 0x80;
      const high = b === 0xf4 ? 0x8f : 0xbf;
      if (continuation(i + 1, low, high) && continuation(i + 2) && continuation(i + 3)) {
        length = 4;
        code =
          ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
      }
    }
    if (length === 0) {
      units.push(0xdc00 + b);
      i++;
    } else {
      if (code >= 0x10000) units.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
      else units.push(code);
      i += length;
    }
    if (units.length >= 8192) {
      out += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode(...units);
}

/** True when `text` holds bytes that were not valid UTF-8 (see {@link decodeUtf8Escaped}). */
export function hasInvalidBytes(text: string): boolean {
  return ESCAPED_BYTE.test(text);
}

/** `text` with every invalid byte replaced by U+FFFD, the Unicode replacement character. */
export function replaceInvalidBytes(text: string): string {
  return text.replace(ESCAPED_BYTES, "\uFFFD");
}

/** The first invalid byte of `text` as "0xE9", or undefined. */
export function firstInvalidByte(text: string): string | undefined {
  const match = ESCAPED_BYTE.exec(text);
  if (match === null) return undefined;
  return `0x${(match[0].charCodeAt(0) - 0xdc00).toString(16).toUpperCase().padStart(2, "0")}`;
}

/**
 * `text` made safe for a one-line message, without quotes: control characters, invalid bytes (`\xE9`) and lone
 * surrogates escaped, cut to `max` characters with "…".
 */
export function printable(text: string, max = 40): string {
  const { body, cut } = escapeText(text, max);
  return cut ? `${body}…` : body;
}

/**
 * A value from a data file made safe for a one-line message: control characters, invalid bytes (`\xE9`) and lone
 * surrogates escaped, quotes and backslashes escaped, cut to `max` characters with the full length said.
 */
export function quoteValue(text: string, max = 40): string {
  const { body, cut } = escapeText(text, max);
  return cut ? `"${body}…" (${text.length} characters)` : `"${body}"`;
}

function escapeText(text: string, max: number): { body: string; cut: boolean } {
  const cut = text.length > max;
  const shown = cut ? text.slice(0, max) : text;
  let out = "";
  for (let i = 0; i < shown.length; i++) {
    const c = shown.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = shown.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += shown[i] + shown[i + 1];
        i++;
      } else out += `\\u${c.toString(16)}`;
    } else if (c >= 0xdc80 && c <= 0xdcff) out += `\\x${(c - 0xdc00).toString(16).toUpperCase().padStart(2, "0")}`;
    else if (c >= 0xdc00 && c <= 0xdfff) out += `\\u${c.toString(16)}`;
    else out += shown[i];
  }
  return { body: out, cut };
}

/**
 * Refuses an id holding bytes that are not valid UTF-8: replacing them would merge distinct ids (two users whose ids
 * differ only there). The message names the file, line and field, shows the id escaped, and says how to fix it.
 */
export function checkIdBytes(value: string, where: SourceLocation): void {
  if (!hasInvalidBytes(value)) return;
  throw new DataFormatError(
    where,
    `id ${quoteValue(value)} is not valid UTF-8 (byte ${firstInvalidByte(value)}); ` +
      "convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)",
  );
}
