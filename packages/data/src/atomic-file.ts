import { checkRatingFieldNotId } from "./value-filter.js";
import { ConfigError, DataFormatError, silentProgress } from "@llminit/core";
import {
  IssueTally,
  reportBlankLines,
  InvalidTextTally,
  reportIssue,
  reportMissingValues,
  type ColumnUse,
  type ReadOptions,
} from "./data-issues.js";
import { InteractionLogBuilder } from "./interaction-log.js";
import type { InteractionLog, ItemFeatures } from "./interaction-log.js";
import { parseUsedNumber } from "./parse-number.js";
import { forEachLine } from "./read-lines.js";
import { checkIdBytes, hasInvalidBytes, printable, quoteValue, replaceInvalidBytes } from "./text-bytes.js";

export type { ReadOptions } from "./data-issues.js";

/** Column types of RecBole atomic files. */
export type AtomicType = "token" | "token_seq" | "float" | "float_seq";

/** One header column, `name:type`. */
export interface AtomicField {
  name: string;
  type: AtomicType;
}

const TYPES: ReadonlySet<string> = new Set(["token", "token_seq", "float", "float_seq"]);

/**
 * Streams a RecBole atomic file (`.inter`, `.item`, `.user`, plain or gzip): UTF-8, TAB
 * separated, first line a `name:type` header. Every row must have as many fields as the header;
 * values are not parsed here: each reader parses strictly only the columns it uses, so an empty or
 * malformed value in a column nobody uses is ignored. Errors are {@link DataFormatError}s naming
 * the file, the 1-based line and the field. Blank lines are skipped and counted in one note.
 *
 * @param onRow called for every data row with its raw TAB-split values; `invalidUtf8` says that some value of the
 *   row holds bytes that are not valid UTF-8 (as lone surrogates, see `hasInvalidBytes`).
 * @returns the header.
 */
export async function readAtomicFile(
  file: string,
  onRow: (values: string[], line: number, fields: readonly AtomicField[], invalidUtf8: boolean) => void,
  options: ReadOptions = {},
): Promise<AtomicField[]> {
  const task = (options.progress ?? silentProgress).begin(`read ${file}`);
  let fields: AtomicField[] | undefined;
  let blank = 0;
  let firstBlank = 0;
  let rows = 0;
  let pending = 0;
  await forEachLine(file, (text, line, invalidUtf8) => {
    if (fields === undefined) {
      fields = parseHeader(file, text);
      return;
    }
    if (text.length === 0) {
      if (blank++ === 0) firstBlank = line;
      return;
    }
    const values = text.split("\t");
    if (values.length !== fields.length) {
      throw new DataFormatError(
        { file, line, field: fields[Math.min(values.length, fields.length) - 1]?.name },
        `expected ${fields.length} TAB-separated fields (${fields.map((f) => f.name).join(", ")}), found ${values.length}`,
      );
    }
    onRow(values, line, fields, invalidUtf8);
    rows++;
    if (++pending === 65536) {
      task.tick(pending);
      pending = 0;
    }
  });
  task.end({ rows });
  if (fields === undefined) throw new DataFormatError({ file, line: 1 }, "empty file: no header line");
  reportBlankLines(options, file, blank, firstBlank);
  return fields;
}

function parseHeader(file: string, text: string): AtomicField[] {
  const header = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const seen = new Set<string>();
  return header.split("\t").map((column, index) => {
    const colon = column.lastIndexOf(":");
    const name = colon > 0 ? column.slice(0, colon) : column;
    // "user_id:token item_id:token": fields separated by spaces read as one column, "user_id:token item_id".
    const words = column.trim().split(/ +/);
    if (words.length > 1 && (words.every((word) => /^[^:]+:\w+$/.test(word)) || colon <= 0))
      throw new DataFormatError(
        { file, line: 1, field: printable(words[0].split(":")[0]) },
        `header column ${quoteValue(column)} holds ${words.length} fields separated by spaces: the fields of a ` +
          `RecBole atomic file must be TAB-separated (e.g. user_id:token<TAB>item_id:token<TAB>rating:float)`,
      );
    if (colon <= 0 || hasInvalidBytes(column)) {
      throw new DataFormatError(
        { file, line: 1, field: printable(name) || `#${index + 1}` },
        `header column ${quoteValue(column)} is not "name:type"` +
          (colon <= 0 && !hasInvalidBytes(column)
            ? ` (a RecBole atomic header types every column: user_id:token, rating:float; a plain header ` +
              `belongs in a .csv or .tsv file, which is read by its column names)`
            : ""),
      );
    }
    const type = column.slice(colon + 1);
    if (!TYPES.has(type)) {
      throw new DataFormatError(
        { file, line: 1, field: printable(name) },
        `unknown type ${quoteValue(type)} (expected token, token_seq, float or float_seq)`,
      );
    }
    // Two columns of one name would make every lookup by name pick the first one silently.
    if (seen.has(name)) {
      throw new DataFormatError(
        { file, line: 1, field: printable(name) },
        `the header names "${printable(name)}" twice`,
      );
    }
    seen.add(name);
    return { name, type: type as AtomicType };
  });
}

/** Which atomic-file columns hold the interaction fields (RecBole's defaults). */
export interface AtomicInteractionFields {
  /** Default "user_id". */
  user?: string;
  /** Default "item_id". */
  item?: string;
  /**
   * The numeric column a value filter (`minRating`) applies to: default "rating", used when present. A name given
   * here must be in the header (else a {@link ConfigError} lists the columns), e.g. "play_count".
   */
  rating?: string;
  /** Default "timestamp"; used when present. */
  timestamp?: string;
}

/**
 * Reads a `.inter` atomic file into an {@link InteractionLog}. Only the user, item, rating and timestamp columns are
 * parsed; the others are ignored whatever they hold. Ids must be non-empty and valid UTF-8. The rating and timestamp
 * columns are optional in the file; when present their values must be numbers (whatever their declared type), and
 * an empty value is missing (NaN), reported once per column with its count.
 */
export async function readAtomicInteractions(
  file: string,
  options: ReadOptions & { fields?: AtomicInteractionFields } = {},
): Promise<InteractionLog> {
  const names = { user: "user_id", item: "item_id", rating: "rating", timestamp: "timestamp", ...options.fields };
  const ratingNamed = options.fields?.rating !== undefined;
  let builder: InteractionLogBuilder | undefined;
  let cols = { user: -1, item: -1, rating: -1, timestamp: -1 };
  const missing = new IssueTally();
  const start = (fields: readonly AtomicField[]) => {
    const index = (name: string) => fields.findIndex((f) => f.name === name);
    cols = {
      user: index(names.user),
      item: index(names.item),
      rating: index(names.rating),
      timestamp: index(names.timestamp),
    };
    for (const key of ["user", "item"] as const) {
      if (cols[key] < 0) {
        throw new DataFormatError({ file, line: 1, field: names[key] }, `no "${names[key]}" column in the header`);
      }
    }
    if (ratingNamed) checkRatingFieldNotId(names.rating, names, file);
    if (ratingNamed && cols.rating < 0) {
      throw new ConfigError(
        "--rating-field",
        `no column "${names.rating}" in ${file} (its columns: ${fields.map((f) => printable(f.name)).join(", ")})`,
      );
    }
    const uses = new Map<number, ColumnUse>([
      [cols.user, "user"],
      [cols.item, "item"],
      [cols.rating, "rating"],
      [cols.timestamp, "timestamp"],
    ]);
    options.onFile?.({
      file,
      format: "atomic",
      columns: fields.map((f, c) => ({ name: f.name, type: f.type, use: uses.get(c) ?? "unused" })),
    });
    builder = new InteractionLogBuilder({
      rating: cols.rating >= 0,
      timestamp: cols.timestamp >= 0,
      ratingField: names.rating,
    });
  };
  const header = await readAtomicFile(
    file,
    (values, line, fields, invalidUtf8) => {
      if (builder === undefined) start(fields);
      const number = (key: "rating" | "timestamp") => {
        const c = cols[key];
        return c < 0 ? Number.NaN : parseUsedNumber(values[c], file, line, names[key], missing);
      };
      const user = values[cols.user];
      const item = values[cols.item];
      if (user.length === 0) throw new DataFormatError({ file, line, field: names.user }, "empty user id");
      if (item.length === 0) throw new DataFormatError({ file, line, field: names.item }, "empty item id");
      if (invalidUtf8) {
        checkIdBytes(user, { file, line, field: names.user });
        checkIdBytes(item, { file, line, field: names.item });
      }
      builder!.add(user, item, number("rating"), number("timestamp"));
    },
    options,
  );
  if (builder === undefined) {
    start(header);
    throw new DataFormatError({ file, line: 2 }, "no interactions: the file has a header and no data rows");
  }
  reportMissingValues(options, file, missing);
  return builder.build();
}

/**
 * Reads an `.item` atomic file into item features: original item id → { field: value } for
 * every other column, as text (empty values are left out; nothing is parsed as a number, so an
 * empty or malformed `price:float` does no harm). Item ids must be unique and valid UTF-8; a row
 * with an empty id is skipped (counted in one warning). Invalid UTF-8 bytes in the other columns
 * are replaced by U+FFFD and counted in one warning for the file.
 */
export async function readAtomicItems(
  file: string,
  options: ReadOptions & { idField?: string } = {},
): Promise<ItemFeatures> {
  const idField = options.idField ?? "item_id";
  const features: ItemFeatures = new Map();
  const invalid = new InvalidTextTally();
  const emptyIds = new IssueTally();
  let idColumn = -1;
  const start = (header: readonly AtomicField[]) => {
    idColumn = header.findIndex((f) => f.name === idField);
    if (idColumn < 0)
      throw new DataFormatError({ file, line: 1, field: idField }, `no "${idField}" column in the header`);
    options.onFile?.({
      file,
      format: "atomic",
      columns: header.map((f, c) => ({ name: f.name, type: f.type, use: c === idColumn ? "item" : "text" })),
    });
  };
  const fields = await readAtomicFile(
    file,
    (values, line, header, invalidUtf8) => {
      if (idColumn < 0) start(header);
      const id = values[idColumn];
      if (id.length === 0) {
        emptyIds.add(idField, line);
        return;
      }
      if (invalidUtf8) checkIdBytes(id, { file, line, field: idField });
      if (features.has(id))
        throw new DataFormatError({ file, line, field: idField }, `duplicate item id ${quoteValue(id)}`);
      const record: Record<string, string> = {};
      for (let c = 0; c < header.length; c++) {
        let value = values[c];
        if (c === idColumn || value.length === 0) continue;
        if (invalidUtf8 && hasInvalidBytes(value)) {
          invalid.add(header[c].name, line);
          value = replaceInvalidBytes(value);
        }
        record[header[c].name] = value;
      }
      features.set(id, record);
    },
    options,
  );
  if (idColumn < 0) start(fields);
  for (const { count, line } of emptyIds.entries()) {
    reportIssue(options, {
      level: "warn",
      kind: "empty-id",
      file,
      line,
      field: idField,
      count,
      message: `${file}: skipped ${count} row(s) with an empty "${idField}" (first at line ${line})`,
    });
  }
  invalid.report(options, file);
  return features;
}
