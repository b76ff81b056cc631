import { DataFormatError } from "@llminit/core";
import type { IssueTally } from "./data-issues.js";
import { quoteValue } from "./text-bytes.js";

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a plain decimal number (no hex, no blanks, no empty string); NaN when it is not one. */
export function parseDecimal(text: string): number {
  return DECIMAL.test(text) ? Number(text) : Number.NaN;
}

/**
 * A numeric value of a column the run uses. Empty (or blank) is missing, as in RecBole: NaN, counted in `missing`
 * under the field's name. Anything else must be a decimal number, else a {@link DataFormatError} names the file,
 * line and field and shows the value escaped and cut short.
 */
export function parseUsedNumber(text: string, file: string, line: number, field: string, missing: IssueTally): number {
  const trimmed = text.trim();
  if (trimmed.length === 0) {
    missing.add(field, line);
    return Number.NaN;
  }
  const value = parseDecimal(trimmed);
  if (Number.isNaN(value)) throw new DataFormatError({ file, line, field }, `not a number: ${quoteValue(text)}`);
  return value;
}
