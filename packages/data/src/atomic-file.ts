import { DataFormatError, silentLogger } from "@llminit/core";
import type { Logger, ProgressReporter } from "@llminit/core";
import { silentProgress } from "@llminit/core";
import { InteractionLogBuilder } from "./interaction-log.js";
import type { InteractionLog, ItemFeatures } from "./interaction-log.js";
import { parseDecimal } from "./parse-number.js";
import { forEachLine } from "./read-lines.js";

/** Column types of RecBole atomic files. */
export type AtomicType = "token" | "token_seq" | "float" | "float_seq";

/** One header column, `name:type`. */
export interface AtomicField {
  name: string;
  type: AtomicType;
}

const TYPES: ReadonlySet<string> = new Set(["token", "token_seq", "float", "float_seq"]);

/** Options shared by the streaming readers. */
export interface ReadOptions {
  logger?: Logger;
  progress?: ProgressReporter;
}

/**
 * Streams a RecBole atomic file (`.inter`, `.item`, `.user`, plain or gzip): UTF-8, TAB
 * separated, first line a `name:type` header. Every row is checked: column count, and that
 * `float` / `float_seq` values are decimal numbers. Errors are {@link DataFormatError}s naming
 * the file, the 1-based line and the field. Blank lines are skipped and counted in the log.
 *
 * @param onRow called for every data row with its raw TAB-split values.
 * @returns the header.
 */
export async function readAtomicFile(
  file: string,
  onRow: (values: string[], line: number, fields: readonly AtomicField[]) => void,
  options: ReadOptions = {},
): Promise<AtomicField[]> {
  const logger = options.logger ?? silentLogger;
  const task = (options.progress ?? silentProgress).begin(`read ${file}`);
  let fields: AtomicField[] | undefined;
  let blank = 0;
  let rows = 0;
  let pending = 0;
  await forEachLine(file, (text, line) => {
    if (fields === undefined) {
      fields = parseHeader(file, text);
      return;
    }
    if (text.length === 0) {
      blank++;
      return;
    }
    const values = text.split("\t");
    if (values.length !== fields.length) {
      throw new DataFormatError(
        { file, line, field: fields[Math.min(values.length, fields.length) - 1]?.name },
        `expected ${fields.length} TAB-separated fields (${fields.map((f) => f.name).join(", ")}), found ${values.length}`,
      );
    }
    for (let c = 0; c < fields.length; c++) {
      const type = fields[c].type;
      if (type === "float") {
        if (Number.isNaN(parseDecimal(values[c]))) {
          throw new DataFormatError({ file, line, field: fields[c].name }, `not a number: "${values[c]}"`);
        }
      } else if (type === "float_seq" && values[c].length > 0) {
        for (const part of values[c].split(" ")) {
          if (part.length > 0 && Number.isNaN(parseDecimal(part))) {
            throw new DataFormatError({ file, line, field: fields[c].name }, `not a number in float_seq: "${part}"`);
          }
        }
      }
    }
    onRow(values, line, fields);
    rows++;
    if (++pending === 65536) {
      task.tick(pending);
      pending = 0;
    }
  });
  task.end({ rows });
  if (fields === undefined) throw new DataFormatError({ file, line: 1 }, "empty file: no header line");
  if (blank > 0) logger.log("info", `skipped ${blank} blank line(s)`, { file, blank });
  return fields;
}

function parseHeader(file: string, text: string): AtomicField[] {
  const header = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return header.split("\t").map((column, index) => {
    const colon = column.lastIndexOf(":");
    const name = colon > 0 ? column.slice(0, colon) : column;
    if (colon <= 0) {
      throw new DataFormatError(
        { file, line: 1, field: name || `#${index + 1}` },
        `header column "${column}" is not "name:type"`,
      );
    }
    const type = column.slice(colon + 1);
    if (!TYPES.has(type)) {
      throw new DataFormatError(
        { file, line: 1, field: name },
        `unknown type "${type}" (expected token, token_seq, float or float_seq)`,
      );
    }
    return { name, type: type as AtomicType };
  });
}

/** Which atomic-file columns hold the interaction fields (RecBole's defaults). */
export interface AtomicInteractionFields {
  /** Default "user_id". */
  user?: string;
  /** Default "item_id". */
  item?: string;
  /** Default "rating"; used when present. */
  rating?: string;
  /** Default "timestamp"; used when present. */
  timestamp?: string;
}

/**
 * Reads a `.inter` atomic file into an {@link InteractionLog}. The rating and timestamp
 * columns are optional in the file; when present they must be numbers (whatever their declared type).
 */
export async function readAtomicInteractions(
  file: string,
  options: ReadOptions & { fields?: AtomicInteractionFields } = {},
): Promise<InteractionLog> {
  const names = { user: "user_id", item: "item_id", rating: "rating", timestamp: "timestamp", ...options.fields };
  let builder: InteractionLogBuilder | undefined;
  let cols = { user: -1, item: -1, rating: -1, timestamp: -1 };
  await readAtomicFile(
    file,
    (values, line, fields) => {
      if (builder === undefined) {
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
        builder = new InteractionLogBuilder({ rating: cols.rating >= 0, timestamp: cols.timestamp >= 0 });
      }
      const number = (key: "rating" | "timestamp") => {
        const c = cols[key];
        if (c < 0) return Number.NaN;
        const value = parseDecimal(values[c]);
        if (Number.isNaN(value))
          throw new DataFormatError({ file, line, field: names[key] }, `not a number: "${values[c]}"`);
        return value;
      };
      const user = values[cols.user];
      const item = values[cols.item];
      if (user.length === 0) throw new DataFormatError({ file, line, field: names.user }, "empty user id");
      if (item.length === 0) throw new DataFormatError({ file, line, field: names.item }, "empty item id");
      builder.add(user, item, number("rating"), number("timestamp"));
    },
    options,
  );
  return (builder ?? new InteractionLogBuilder({ rating: false, timestamp: false })).build();
}

/**
 * Reads an `.item` atomic file into item features: original item id → { field: value } for
 * every other column (empty values are left out).
 */
export async function readAtomicItems(
  file: string,
  options: ReadOptions & { idField?: string } = {},
): Promise<ItemFeatures> {
  const idField = options.idField ?? "item_id";
  const features: ItemFeatures = new Map();
  let idColumn = -1;
  const fields = await readAtomicFile(
    file,
    (values, line, header) => {
      if (idColumn < 0) idColumn = header.findIndex((f) => f.name === idField);
      if (idColumn < 0)
        throw new DataFormatError({ file, line: 1, field: idField }, `no "${idField}" column in the header`);
      const id = values[idColumn];
      if (features.has(id)) throw new DataFormatError({ file, line, field: idField }, `duplicate item id "${id}"`);
      const record: Record<string, string> = {};
      for (let c = 0; c < header.length; c++)
        if (c !== idColumn && values[c].length > 0) record[header[c].name] = values[c];
      features.set(id, record);
    },
    options,
  );
  if (!fields.some((f) => f.name === idField)) {
    throw new DataFormatError({ file, line: 1, field: idField }, `no "${idField}" column in the header`);
  }
  return features;
}
