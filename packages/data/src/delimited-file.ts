import { ConfigError, DataFormatError, silentProgress } from "@llminit/core";
import {
  InvalidTextTally,
  IssueTally,
  reportBlankLines,
  reportIssue,
  reportMissingValues,
  type ColumnUse,
  type ReadOptions,
} from "./data-issues.js";
import { InteractionLogBuilder } from "./interaction-log.js";
import type { InteractionLog, ItemFeatures } from "./interaction-log.js";
import { parseUsedNumber } from "./parse-number.js";
import { forEachLine } from "./read-lines.js";
import type { TextEncoding } from "./read-lines.js";
import { checkRatingFieldNotId } from "./value-filter.js";
import { checkIdBytes, hasInvalidBytes, printable, quoteValue, replaceInvalidBytes } from "./text-bytes.js";

/** A column given by its header name or its 0-based index. */
export type ColumnRef = string | number;

/** Options of {@link readDelimitedInteractions}. */
export interface DelimitedOptions extends ReadOptions {
  /** Where the interaction fields are. `rating` and `timestamp` are optional. */
  columns: { user: ColumnRef; item: ColumnRef; rating?: ColumnRef; timestamp?: ColumnRef };
  /** Field separator, one or more characters (default ","; use "\t" for TSV, "::" for MovieLens 1M). */
  delimiter?: string;
  /** Whether the first line is a header (default true). Column names need a header, or `names`. */
  header?: boolean;
  /** Column names of a file without a header (for `columns` by name, messages and summaries). */
  names?: readonly string[];
  /**
   * Quote character for fields holding the delimiter, quotes (doubled) or line breaks (default '"'); "" turns
   * quoting off.
   */
  quote?: string;
  /** Default "utf8". */
  encoding?: TextEncoding;
}

/**
 * Splits one record. Quoted fields follow RFC 4180 (`""` inside quotes is a quote).
 * Returns undefined when a quoted field is still open at the end of `text` (it continues on the next line).
 */
export function splitDelimited(text: string, delimiter: string, quote: string): string[] | undefined {
  if (quote === "" || !text.includes(quote)) return text.split(delimiter);
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text.startsWith(quote, i)) {
      let value = "";
      let j = i + 1;
      for (;;) {
        const close = text.indexOf(quote, j);
        if (close < 0) return undefined;
        value += text.slice(j, close);
        if (text.startsWith(quote, close + 1)) {
          value += quote;
          j = close + 2;
          continue;
        }
        j = close + 1;
        break;
      }
      fields.push(value);
      if (j >= text.length) return fields;
      if (!text.startsWith(delimiter, j)) {
        // Text after a closing quote: keep it verbatim, as spreadsheets do.
        const next = text.indexOf(delimiter, j);
        fields[fields.length - 1] += next < 0 ? text.slice(j) : text.slice(j, next);
        if (next < 0) return fields;
        i = next + delimiter.length;
      } else {
        i = j + delimiter.length;
      }
      if (i === text.length) {
        fields.push("");
        return fields;
      }
    } else {
      const next = text.indexOf(delimiter, i);
      if (next < 0) {
        fields.push(text.slice(i));
        return fields;
      }
      fields.push(text.slice(i, next));
      i = next + delimiter.length;
    }
  }
}

/** Receives one record of a delimited file: its fields, first line, and whether it held bytes that are not UTF-8. */
export type RecordSink = (values: string[], line: number, invalidUtf8: boolean) => void;

/**
 * Streams the records of a delimited file (plain or gzip): quoted fields may hold the delimiter,
 * doubled quotes and line breaks (a record then spans lines and is numbered by its first). Blank
 * lines are skipped and counted; a quote never closed is a {@link DataFormatError} naming its line.
 */
export async function forEachDelimitedRecord(
  file: string,
  options: { delimiter: string; quote?: string; encoding?: TextEncoding },
  onRecord: RecordSink,
): Promise<{ blank: number; firstBlank: number }> {
  const quote = options.quote ?? '"';
  let pendingText: string | undefined;
  let pendingLine = 0;
  let pendingInvalid = false;
  let blank = 0;
  let firstBlank = 0;
  await forEachLine(
    file,
    (text, line, lineInvalid) => {
      const record = pendingText === undefined ? text : `${pendingText}\n${text}`;
      const startLine = pendingText === undefined ? line : pendingLine;
      const invalidUtf8 = lineInvalid || (pendingText !== undefined && pendingInvalid);
      if (record.length === 0) {
        if (blank++ === 0) firstBlank = line;
        return;
      }
      const values = splitDelimited(record, options.delimiter, quote);
      if (values === undefined) {
        pendingText = record;
        pendingLine = startLine;
        pendingInvalid = invalidUtf8;
        return;
      }
      pendingText = undefined;
      onRecord(values, startLine, invalidUtf8);
    },
    options.encoding ?? "utf8",
  );
  if (pendingText !== undefined)
    throw new DataFormatError({ file, line: pendingLine }, `quoted field opened here is never closed`);
  return { blank, firstBlank };
}

/**
 * Streams a CSV/TSV (or any delimited) file of interactions with a column mapping. Only the
 * mapped columns are parsed. Ids must be non-empty and valid UTF-8. Rating and timestamp must
 * be decimal numbers; an empty one is missing (NaN), reported once per column with its count.
 * `columns.rating` may name any numeric column (a play count…): it is what `minRating` filters.
 * Every row must have as many fields as the header (or, without a header, at least as many as
 * the highest mapped column needs).
 */
export async function readDelimitedInteractions(file: string, options: DelimitedOptions): Promise<InteractionLog> {
  const delimiter = options.delimiter ?? ",";
  const quote = options.quote ?? '"';
  const hasHeader = options.header ?? true;
  if (delimiter.length === 0) throw new ConfigError("delimiter", "must not be empty");
  const { columns } = options;
  if (!hasHeader && options.names === undefined) {
    for (const [key, ref] of Object.entries(columns)) {
      if (typeof ref === "string")
        throw new ConfigError(`columns.${key}`, `column name "${ref}" needs header: true; give a 0-based index`);
    }
  }
  for (const [key, ref] of Object.entries(columns)) {
    if (typeof ref === "number" && !(Number.isInteger(ref) && ref >= 0)) {
      throw new ConfigError(`columns.${key}`, `column index must be a non-negative integer, got ${ref}`);
    }
  }
  const builder = new InteractionLogBuilder({
    rating: columns.rating !== undefined,
    timestamp: columns.timestamp !== undefined,
    ratingField: typeof columns.rating === "string" ? columns.rating : undefined,
  });
  const missing = new IssueTally();
  const task = (options.progress ?? silentProgress).begin(`read ${file}`);
  let index: { user: number; item: number; rating: number; timestamp: number } | undefined;
  let names: string[] = [];
  let expected = -1;
  const resolveColumns = (header: string[] | undefined) => {
    const find = (key: string, ref: ColumnRef | undefined): number => {
      if (ref === undefined) return -1;
      if (typeof ref === "number") {
        if (header !== undefined && ref >= header.length) {
          throw new ConfigError(
            `columns.${key}`,
            `column index ${ref} is past the ${header.length} columns of ${file}`,
          );
        }
        return ref;
      }
      const at = header!.indexOf(ref);
      if (at < 0)
        throw new ConfigError(
          key === "rating" ? "--rating-field" : `columns.${key}`,
          `no column "${ref}" in ${file} (its columns: ${header!.map((h) => printable(h)).join(", ")})`,
        );
      return at;
    };
    index = {
      user: find("user", columns.user),
      item: find("item", columns.item),
      rating: find("rating", columns.rating),
      timestamp: find("timestamp", columns.timestamp),
    };
    names = header ?? [];
    if (index.rating >= 0) {
      const name = (c: number) => names[c] ?? `#${c}`;
      checkRatingFieldNotId(name(index.rating), { user: name(index.user), item: name(index.item) }, file);
    }
    expected = hasHeader ? header!.length : Math.max(index.user, index.item, index.rating, index.timestamp) + 1;
    const uses = new Map<number, ColumnUse>([
      [index.user, "user"],
      [index.item, "item"],
      [index.rating, "rating"],
      [index.timestamp, "timestamp"],
    ]);
    options.onFile?.({
      file,
      format: "delimited",
      columns: Array.from({ length: Math.max(expected, names.length) }, (_, c) => ({
        name: fieldName(c),
        type: "text",
        use: uses.get(c) ?? "unused",
      })),
    });
  };
  const fieldName = (c: number) => names[c] ?? `#${c}`;
  const { blank, firstBlank } = await forEachDelimitedRecord(
    file,
    { delimiter, quote, encoding: options.encoding },
    (values, startLine, invalidUtf8) => {
      if (index === undefined) {
        if (hasHeader) {
          resolveColumns(values.map((v) => v.trim()));
          return;
        }
        resolveColumns(options.names === undefined ? undefined : [...options.names]);
      }
      const at = index!;
      if (hasHeader ? values.length !== expected : values.length < expected) {
        throw new DataFormatError(
          { file, line: startLine, field: fieldName(Math.min(values.length, expected) - 1) },
          `expected ${hasHeader ? "" : "at least "}${expected} fields separated by ${JSON.stringify(delimiter)}, found ${values.length}`,
        );
      }
      const number = (c: number) =>
        c < 0 ? Number.NaN : parseUsedNumber(values[c], file, startLine, fieldName(c), missing);
      const user = values[at.user];
      const item = values[at.item];
      if (user.length === 0)
        throw new DataFormatError({ file, line: startLine, field: fieldName(at.user) }, "empty user id");
      if (item.length === 0)
        throw new DataFormatError({ file, line: startLine, field: fieldName(at.item) }, "empty item id");
      if (invalidUtf8) {
        checkIdBytes(user, { file, line: startLine, field: fieldName(at.user) });
        checkIdBytes(item, { file, line: startLine, field: fieldName(at.item) });
      }
      builder.add(user, item, number(at.rating), number(at.timestamp));
      if ((builder.length & 65535) === 0) task.tick(65536);
    },
  );
  task.end({ rows: builder.length });
  reportBlankLines(options, file, blank, firstBlank);
  reportMissingValues(options, file, missing);
  return builder.build();
}

/** Options of {@link readDelimitedItems}. */
export interface DelimitedItemsOptions extends ReadOptions {
  /** The item id column's header name. */
  idColumn: string;
  /** Field separator (default ","; "\t" for TSV). */
  delimiter?: string;
  quote?: string;
}

/**
 * Reads a CSV/TSV item file with a header into item features, as `readAtomicItems` does an `.item`
 * file: original item id → { column: value } for every other column, as text (empty values left
 * out, nothing parsed). Ids must be unique and valid UTF-8 (an error naming the line); a row with an
 * empty id is skipped (counted in one warning); invalid UTF-8 bytes in the other columns are
 * replaced by U+FFFD and counted in one warning for the file.
 */
export async function readDelimitedItems(file: string, options: DelimitedItemsOptions): Promise<ItemFeatures> {
  const delimiter = options.delimiter ?? ",";
  const features: ItemFeatures = new Map();
  const invalid = new InvalidTextTally();
  const emptyIds = new IssueTally();
  let names: string[] | undefined;
  let idColumn = -1;
  const { blank, firstBlank } = await forEachDelimitedRecord(
    file,
    { delimiter, quote: options.quote },
    (values, line, invalidUtf8) => {
      if (names === undefined) {
        names = values.map((v) => v.trim());
        idColumn = names.indexOf(options.idColumn);
        if (idColumn < 0)
          throw new DataFormatError(
            { file, line, field: options.idColumn },
            `no "${options.idColumn}" column in the header (${names.map((n) => printable(n)).join(", ")})`,
          );
        options.onFile?.({
          file,
          format: "delimited",
          columns: names.map((name, c) => ({ name, type: "text", use: c === idColumn ? "item" : "text" })),
        });
        return;
      }
      if (values.length !== names.length)
        throw new DataFormatError(
          { file, line, field: names[Math.min(values.length, names.length) - 1] },
          `expected ${names.length} fields separated by ${JSON.stringify(delimiter)}, found ${values.length}`,
        );
      const id = values[idColumn].trim();
      if (id.length === 0) {
        emptyIds.add(options.idColumn, line);
        return;
      }
      if (invalidUtf8) checkIdBytes(id, { file, line, field: options.idColumn });
      if (features.has(id))
        throw new DataFormatError({ file, line, field: options.idColumn }, `duplicate item id ${quoteValue(id)}`);
      const record: Record<string, string> = {};
      for (let c = 0; c < names.length; c++) {
        let value = values[c];
        if (c === idColumn || value.length === 0) continue;
        if (invalidUtf8 && hasInvalidBytes(value)) {
          invalid.add(names[c], line);
          value = replaceInvalidBytes(value);
        }
        record[names[c]] = value;
      }
      features.set(id, record);
    },
  );
  if (names === undefined) throw new DataFormatError({ file, line: 1 }, "empty file: no header line");
  for (const { count, line } of emptyIds.entries())
    reportIssue(options, {
      level: "warn",
      kind: "empty-id",
      file,
      line,
      field: options.idColumn,
      count,
      message: `${file}: skipped ${count} row(s) with an empty "${options.idColumn}" (first at line ${line})`,
    });
  reportBlankLines(options, file, blank, firstBlank);
  invalid.report(options, file);
  return features;
}
