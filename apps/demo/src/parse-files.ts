import { DataFormatError } from "@llminit/core";
import { InteractionLogBuilder, defaultTextTemplate } from "@llminit/data/browser";
import type { InteractionLog, ItemFeatures } from "@llminit/data/browser";

/** A dataset ready for filtering: interactions, item fields, how to make an item's text and title. */
export interface LoadedData {
  name: string;
  log: InteractionLog;
  features: ItemFeatures;
  /** Item text template over the item fields (`@llminit/data`'s syntax: "{title}. {category}"). */
  textTemplate: string;
  /** Item field shown as the title, when the items have one. */
  titleField?: string;
}

/** A file the visitor dropped (or the test set), as bytes. */
export interface DroppedFile {
  name: string;
  bytes: Uint8Array;
}

interface Table {
  file: string;
  header: string[];
  rows: string[][];
  /** 1-based line of rows[0]. */
  firstLine: number;
}

const USER_NAMES = /^(user|user_?id|userid|uid|reviewer_?id|customer_?id)$/i;
const ITEM_NAMES = /^(item|item_?id|itemid|iid|movie_?id|product_?id|asin|parent_asin|book_?id)$/i;
const RATING_NAMES = /^(rating|ratings|score|stars|overall)$/i;
const TIME_NAMES = /^(timestamp|time|unix_?review_?time|date)$/i;
const TITLE_NAMES = ["title", "movie_title", "name", "product_title", "text"];

async function decode(file: DroppedFile): Promise<{ name: string; text: string }> {
  let bytes = file.bytes;
  let name = file.name;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
    bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    name = name.replace(/\.gz$/i, "");
  }
  return { name, text: new TextDecoder("utf-8").decode(bytes) };
}

/** Splits one line of CSV (RFC 4180 quotes) or TSV. */
function splitLine(line: string, delimiter: string): string[] {
  if (delimiter === "\t" || !line.includes('"')) return line.split(delimiter);
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      out.push(field);
      field = "";
    } else field += c;
  }
  out.push(field);
  return out;
}

/** A table from an atomic file (header `name:type`, TAB) or a CSV/TSV with a header line. */
function parseTable(file: string, text: string): Table {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) throw new DataFormatError({ file, line: 1 }, "the file is empty");
  const atomic = /\.(inter|item|user)$/i.test(file);
  const delimiter =
    atomic || lines[0].includes("\t") ? "\t" : lines[0].includes(";") && !lines[0].includes(",") ? ";" : ",";
  const header = splitLine(lines[0], delimiter).map((h) => (atomic ? h.replace(/:[a-z_]+$/i, "") : h.trim()));
  const rows = lines.slice(1).map((line) => splitLine(line, delimiter));
  return { file, header, rows, firstLine: 2 };
}

function column(table: Table, pattern: RegExp): number {
  return table.header.findIndex((h) => pattern.test(h));
}

function readInteractions(table: Table): InteractionLog {
  const user = column(table, USER_NAMES);
  const item = column(table, ITEM_NAMES);
  if (user < 0 || item < 0)
    throw new DataFormatError(
      { file: table.file, line: 1 },
      `no ${user < 0 ? "user" : "item"} column in the header (${table.header.join(", ")}); expected e.g. user_id and item_id`,
    );
  const rating = column(table, RATING_NAMES);
  const time = column(table, TIME_NAMES);
  const builder = new InteractionLogBuilder({ rating: rating >= 0, timestamp: time >= 0 });
  table.rows.forEach((row, r) => {
    const number = (index: number, field: string) => {
      if (index < 0) return Number.NaN;
      const value = Number(row[index]);
      if (row[index] === undefined || row[index].trim() === "" || !Number.isFinite(value))
        throw new DataFormatError(
          { file: table.file, line: table.firstLine + r, field },
          `expected a number, got ${JSON.stringify(row[index] ?? "")}`,
        );
      return value;
    };
    if (row.length === 1 && row[0] === "") return;
    if (row[user] === undefined || row[item] === undefined || row[user] === "" || row[item] === "")
      throw new DataFormatError(
        { file: table.file, line: table.firstLine + r },
        `expected ${table.header.length} fields, found ${row.length}`,
      );
    builder.add(row[user], row[item], number(rating, table.header[rating]), number(time, table.header[time]));
  });
  return builder.build();
}

function readItems(table: Table, features: ItemFeatures): string[] {
  const item = column(table, ITEM_NAMES);
  if (item < 0)
    throw new DataFormatError(
      { file: table.file, line: 1 },
      `no item id column in the header (${table.header.join(", ")})`,
    );
  const fields = table.header.filter((_, i) => i !== item);
  for (const row of table.rows) {
    if (row[item] === undefined || row[item] === "") continue;
    const record: Record<string, string> = {};
    table.header.forEach((name, i) => {
      if (i !== item && row[i] !== undefined && row[i] !== "") record[name] = row[i];
    });
    features.set(row[item], record);
  }
  return fields;
}

/**
 * Reads what the visitor dropped: RecBole atomic files (`x.inter` and optionally `x.item`, plain or gzip) or CSV /
 * TSV files with a header (interactions: user and item columns, optionally rating and timestamp; items: an item
 * column and text columns such as title). Errors name the file, the line and the field.
 */
export async function readDroppedFiles(files: readonly DroppedFile[]): Promise<LoadedData> {
  const tables = (await Promise.all(files.map(decode))).map(({ name, text }) => parseTable(name, text));
  const interactions = tables.filter((t) => column(t, USER_NAMES) >= 0 && !/\.item$/i.test(t.file));
  const itemTables = tables.filter((t) => !interactions.includes(t) && column(t, ITEM_NAMES) >= 0);
  if (interactions.length !== 1)
    throw new DataFormatError(
      { file: files.map((f) => f.name).join(", ") },
      interactions.length === 0
        ? "none of these files has user and item columns: drop a RecBole .inter file or a CSV with user_id,item_id"
        : `more than one interactions file (${interactions.map((t) => t.file).join(", ")}): drop one`,
    );
  const features: ItemFeatures = new Map();
  const fields = itemTables.flatMap((t) => readItems(t, features));
  const titleField = TITLE_NAMES.find((name) => fields.includes(name));
  return {
    name: interactions[0].file.replace(/\.(inter|csv|tsv|txt)$/i, ""),
    log: readInteractions(interactions[0]),
    features,
    textTemplate: fields.length === 0 ? "{title}" : defaultTextTemplate(fields),
    titleField,
  };
}
