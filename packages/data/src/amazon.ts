import { checkRatingFieldNotId } from "./value-filter.js";
import { ConfigError, DataFormatError, silentProgress } from "@llminit/core";
import {
  IssueTally,
  reportBlankLines,
  InvalidTextTally,
  reportIssue,
  reportMissingValues,
  type ColumnSummary,
  type ColumnUse,
  type ReadOptions,
} from "./data-issues.js";
import { InteractionLogBuilder } from "./interaction-log.js";
import type { InteractionLog, ItemFeatures } from "./interaction-log.js";
import { parsePythonLiteral, PythonLiteralError } from "./python-literal.js";
import type { PyValue } from "./python-literal.js";
import { forEachLine } from "./read-lines.js";
import { checkIdBytes, hasInvalidBytes, printable, quoteValue, replaceInvalidBytes } from "./text-bytes.js";

type Record_ = { [key: string]: PyValue };

/** Parses one JSON line, or a Python-literal dict line (Amazon 2014 metadata is written that way). */
function parseRecord(file: string, line: number, text: string): Record_ {
  let value: unknown;
  // Python-literal dicts open with a single-quoted key; skip the JSON attempt for them.
  const python = /^\s*\{\s*'/.test(text);
  try {
    value = python ? parsePythonLiteral(text) : JSON.parse(text);
  } catch (firstError) {
    try {
      value = python ? JSON.parse(text) : parsePythonLiteral(text);
    } catch (error) {
      const pyError = python ? firstError : error;
      const reason = pyError instanceof PythonLiteralError ? pyError.message : String(pyError);
      throw new DataFormatError({ file, line }, `neither JSON nor a Python literal: ${printable(reason, 100)}`, {
        cause: error,
      });
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new DataFormatError({ file, line }, "expected one object per line");
  }
  return value as Record_;
}

/** The keys seen in JSON records, in first-seen order, with the JSON type of their first non-null value. */
class KeyTypes {
  private readonly types = new Map<string, string>();

  add(record: Record_): void {
    for (const key in record) {
      const known = this.types.get(key);
      if (known !== undefined && known !== "null") continue;
      const value = record[key];
      this.types.set(key, value === null ? "null" : Array.isArray(value) ? "array" : typeof value);
    }
  }

  names(): string[] {
    return [...this.types.keys()];
  }

  columns(use: (name: string) => ColumnUse): ColumnSummary[] {
    return [...this.types].map(([name, type]) => ({ name, type, use: use(name) }));
  }
}

/** Options of {@link readAmazonReviews}. */
export interface AmazonReviewOptions extends ReadOptions {
  /**
   * The numeric key a value filter applies to (default: `overall`, or `rating` in 2023 files), e.g. "vote". A key
   * given here that no line has is a {@link ConfigError} listing the keys found.
   */
  ratingField?: string;
}

/**
 * Streams Amazon review lines into an {@link InteractionLog}. Recognised per line:
 * - 2014 / 2018: `reviewerID`, `asin`, `overall` (1–5), `unixReviewTime` (seconds);
 * - 2023: `user_id`, `parent_asin` (the item id the 2023 metadata uses), `rating`, `timestamp` (milliseconds,
 *   stored as seconds).
 * Lines may be JSON or Python-literal dicts. Timestamps are Unix seconds in the result. Ids must be
 * non-empty and valid UTF-8. The rating and time may be numbers or numeric strings; an absent, null or
 * empty one is missing (NaN), reported once per key with its count. Other keys are not read.
 */
export async function readAmazonReviews(file: string, options: AmazonReviewOptions = {}): Promise<InteractionLog> {
  const builder = new InteractionLogBuilder({ rating: true, timestamp: true, ratingField: options.ratingField });
  const task = (options.progress ?? silentProgress).begin(`read ${file}`);
  const missing = new IssueTally();
  const keysSeen = new KeyTypes();
  const used = new Map<string, ColumnUse>();
  let blank = 0;
  let firstBlank = 0;
  let ratingSeen = false;
  await forEachLine(file, (text, line, invalidUtf8) => {
    if (text.trim().length === 0) {
      if (blank++ === 0) firstBlank = line;
      return;
    }
    const r = parseRecord(file, line, text);
    keysSeen.add(r);
    const is2023 = "user_id" in r;
    const keys = is2023
      ? { user: "user_id", item: "parent_asin", rating: "rating", time: "timestamp" }
      : { user: "reviewerID", item: "asin", rating: "overall", time: "unixReviewTime" };
    if (options.ratingField !== undefined) {
      checkRatingFieldNotId(options.ratingField, keys, file);
      keys.rating = options.ratingField;
    }
    if (used.size === 0) {
      used.set(keys.user, "user").set(keys.item, "item").set(keys.rating, "rating").set(keys.time, "timestamp");
    }
    const id = (key: string): string => {
      const v = r[key];
      if (typeof v === "string" && v.length > 0) {
        if (invalidUtf8) checkIdBytes(v, { file, line, field: key });
        return v;
      }
      if (typeof v === "number") return String(v);
      throw new DataFormatError(
        { file, line, field: key },
        v === undefined ? "missing" : `expected a non-empty string, got ${quoteValue(JSON.stringify(v) ?? String(v))}`,
      );
    };
    const num = (key: string): number => {
      const v = r[key];
      if (key === keys.rating && v !== undefined) ratingSeen = true;
      if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) {
        missing.add(key, line);
        return Number.NaN;
      }
      const n = typeof v === "number" ? v : typeof v === "string" ? Number(v.trim()) : Number.NaN;
      if (!Number.isFinite(n))
        throw new DataFormatError({ file, line, field: key }, `not a number: ${quoteValue(JSON.stringify(v) ?? "")}`);
      return n;
    };
    const time = num(keys.time);
    builder.add(id(keys.user), id(keys.item), num(keys.rating), is2023 ? time / 1000 : time);
    if ((builder.length & 65535) === 0) task.tick(65536);
  });
  task.end({ rows: builder.length });
  if (options.ratingField !== undefined && !ratingSeen && builder.length > 0) {
    throw new ConfigError(
      "--rating-field",
      `no key "${options.ratingField}" in ${file} (its keys: ${keysSeen
        .names()
        .map((k) => printable(k))
        .join(", ")})`,
    );
  }
  options.onFile?.({ file, format: "json-lines", columns: keysSeen.columns((name) => used.get(name) ?? "unused") });
  reportBlankLines(options, file, blank, firstBlank);
  reportMissingValues(options, file, missing);
  return builder.build();
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", quot: '"', apos: "'", lt: "<", gt: ">", nbsp: " " };

/** Decodes the few HTML entities Amazon titles carry (`&amp;`, `&#39;`, …). */
export function unescapeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (match, body: string) => {
    if (body[0] === "#") {
      const code = body[1] === "x" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
    }
    return ENTITIES[body] ?? match;
  });
}

function clean(text: string): string {
  return unescapeHtml(text).replace(/\s+/g, " ").trim();
}

/**
 * Streams Amazon metadata (2014 Python-literal lines, 2018 / 2023 JSON lines) into item
 * features keyed by `parent_asin` (2023) or `asin`. Features (only the non-empty ones):
 * `title`; `brand` (2023: `store`); `category` = the leaf of the first category path;
 * `categories` = all distinct category names in order, joined by ", "; `main_category` (2023).
 * A repeated item id keeps its first line; repeats are counted in the log.
 */
export async function readAmazonMeta(file: string, options: ReadOptions = {}): Promise<ItemFeatures> {
  const features: ItemFeatures = new Map();
  const task = (options.progress ?? silentProgress).begin(`read ${file}`);
  const repeated = new IssueTally();
  const invalid = new InvalidTextTally();
  const keysSeen = new KeyTypes();
  let blank = 0;
  let firstBlank = 0;
  await forEachLine(file, (text, line, invalidUtf8) => {
    if (text.trim().length === 0) {
      if (blank++ === 0) firstBlank = line;
      return;
    }
    const r = parseRecord(file, line, text);
    keysSeen.add(r);
    const idKey = typeof r.parent_asin === "string" ? "parent_asin" : "asin";
    const id = r[idKey];
    if (typeof id !== "string" || id.length === 0)
      throw new DataFormatError({ file, line, field: "asin" }, "missing item id");
    if (invalidUtf8) checkIdBytes(id, { file, line, field: idKey });
    if (features.has(id)) {
      repeated.add(idKey, line);
      return;
    }
    const record: Record<string, string> = {};
    const put = (key: string, value: PyValue | undefined) => {
      if (typeof value === "string" && clean(value).length > 0) record[key] = clean(value);
    };
    put("title", r.title);
    put("brand", typeof r.brand === "string" ? r.brand : r.store);
    put("main_category", r.main_category ?? r.main_cat);
    const raw = r.categories ?? r.category;
    if (Array.isArray(raw) && raw.length > 0) {
      const paths: PyValue[][] = Array.isArray(raw[0]) ? (raw.filter(Array.isArray) as PyValue[][]) : [raw];
      const names: string[] = [];
      for (const path of paths)
        for (const name of path)
          if (typeof name === "string" && clean(name) && !names.includes(clean(name))) names.push(clean(name));
      const first = paths[0].filter((n): n is string => typeof n === "string" && clean(n).length > 0);
      if (first.length > 0) record.category = clean(first[first.length - 1]);
      if (names.length > 0) record.categories = names.join(", ");
    }
    if (invalidUtf8) {
      for (const key in record) {
        if (!hasInvalidBytes(record[key])) continue;
        invalid.add(key, line);
        record[key] = replaceInvalidBytes(record[key]);
      }
    }
    features.set(id, record);
    if ((features.size & 65535) === 0) task.tick(65536);
  });
  task.end({ items: features.size });
  const text = new Set(["title", "brand", "store", "main_category", "main_cat", "categories", "category"]);
  options.onFile?.({
    file,
    format: "json-lines",
    columns: keysSeen.columns((name) =>
      name === "asin" || name === "parent_asin" ? "item" : text.has(name) ? "text" : "unused",
    ),
  });
  for (const { field, count, line } of repeated.entries()) {
    reportIssue(options, {
      level: "warn",
      kind: "repeated-metadata",
      file,
      line,
      field,
      count,
      message: `${file}: ignored ${count} repeated metadata line(s), the first one of each item kept (first at line ${line})`,
    });
  }
  reportBlankLines(options, file, blank, firstBlank);
  invalid.report(options, file);
  return features;
}
