import { basename, dirname, join } from "node:path";
import { splitDelimited } from "./delimited-file.js";
import { readLines } from "./read-lines.js";

/**
 * The header names a CSV/TSV dataset's columns are recognised by, first match wins: the names of
 * RecBole and LensKit (`user_id`, `item_id`, `rating`, `timestamp`) and the common aliases of
 * MovieLens' CSV files and Amazon exports. Any other numeric column can still be the value filter's
 * (`ratingField`); other columns of an item file are item text fields.
 */
export const DELIMITED_COLUMNS = {
  user: ["user_id", "userId", "user", "uid"],
  item: ["item_id", "itemId", "item", "iid", "movieId", "movie_id", "product_id", "productId", "asin"],
  rating: ["rating", "score"],
  timestamp: ["timestamp"],
} as const;

/** The columns of an interactions CSV/TSV, by header name. */
export interface DelimitedColumns {
  user: string;
  item: string;
  rating?: string;
  timestamp?: string;
}

/** A CSV/TSV dataset: one interactions file and an optional item file. */
export interface DelimitedLocation {
  kind: "delimited";
  dir: string;
  inter: string;
  columns: DelimitedColumns;
  item?: string;
  /** The item file's id column. */
  itemColumn?: string;
}

/** `.csv`, `.tsv`, plain or gzip. */
export const DELIMITED_FILE = /\.(csv|tsv)(\.gz)?$/i;

/** "," for `.csv`, TAB for `.tsv`. */
export function delimiterOf(file: string): string {
  return /\.tsv(\.gz)?$/i.test(file) ? "\t" : ",";
}

/** The header of a CSV/TSV file: its first non-blank line's fields, trimmed. */
export async function readDelimitedHeader(file: string): Promise<string[]> {
  for await (const { text } of readLines(file)) {
    if (text.trim() === "") continue;
    return (splitDelimited(text, delimiterOf(file), '"') ?? text.split(delimiterOf(file))).map((name) => name.trim());
  }
  return [];
}

const pick = (header: readonly string[], names: readonly string[]) => names.find((name) => header.includes(name));

/** The interaction columns a header names (user and item at least), or undefined. */
export function interactionColumns(header: readonly string[]): DelimitedColumns | undefined {
  const user = pick(header, DELIMITED_COLUMNS.user);
  const item = pick(header, DELIMITED_COLUMNS.item);
  if (user === undefined || item === undefined) return undefined;
  return {
    user,
    item,
    rating: pick(header, DELIMITED_COLUMNS.rating),
    timestamp: pick(header, DELIMITED_COLUMNS.timestamp),
  };
}

/** Several candidates: those whose file name says what they are, when that leaves one. */
function preferred(files: readonly string[], hint: RegExp): string[] {
  if (files.length <= 1) return [...files];
  const named = files.filter((file) => hint.test(basename(file)));
  return named.length === 1 ? named : [...files];
}

/**
 * A CSV/TSV dataset in `dir` (its `files`, sorted), or with `inter` the given interactions file:
 * the interactions file has a user and an item column (see {@link DELIMITED_COLUMNS}); the item
 * file, optional, an item column and no user column. Among several candidates the one whose name
 * says so is taken (`ratings.csv`, `interactions.tsv`; `items.csv`, `movies.csv`); still several
 * interaction files is no dataset (undefined: say which with `--dataset FILE`).
 */
export async function detectDelimited(
  dir: string,
  files: readonly string[],
  inter?: string,
): Promise<DelimitedLocation | undefined> {
  const candidates = files.filter((file) => DELIMITED_FILE.test(file)).map((file) => join(dir, file));
  if (inter === undefined && candidates.length === 0) return undefined;
  const headers = new Map<string, string[]>();
  for (const file of new Set([...candidates, ...(inter === undefined ? [] : [inter])]))
    headers.set(file, await readDelimitedHeader(file));
  const interactions = preferred(
    inter === undefined ? candidates.filter((file) => interactionColumns(headers.get(file)!) !== undefined) : [inter],
    /rating|inter/i,
  );
  if (interactions.length !== 1) return undefined;
  const columns = interactionColumns(headers.get(interactions[0])!);
  if (columns === undefined) return undefined;
  const items = preferred(
    candidates.filter(
      (file) =>
        file !== interactions[0] &&
        pick(headers.get(file)!, DELIMITED_COLUMNS.user) === undefined &&
        pick(headers.get(file)!, DELIMITED_COLUMNS.item) !== undefined,
    ),
    /item|movie|product|meta/i,
  );
  const item = items.length === 1 ? items[0] : undefined;
  return {
    kind: "delimited",
    dir: inter === undefined ? dir : dirname(inter),
    inter: interactions[0],
    columns,
    ...(item === undefined ? {} : { item, itemColumn: pick(headers.get(item)!, DELIMITED_COLUMNS.item) }),
  };
}

/**
 * Why CSV/TSV files in `dir` (or the file `inter`) are not a dataset, with how to make them one;
 * undefined when there are none.
 */
export async function delimitedProblem(files: readonly string[], dir: string): Promise<string | undefined> {
  const candidates = files.filter((file) => DELIMITED_FILE.test(file));
  if (candidates.length === 0) return undefined;
  const described: string[] = [];
  const interactions: string[] = [];
  for (const file of candidates) {
    const header = await readDelimitedHeader(join(dir, file));
    if (interactionColumns(header) !== undefined) interactions.push(file);
    described.push(`${file} (${header.slice(0, 6).join(", ")}${header.length > 6 ? ", …" : ""})`);
  }
  if (interactions.length > 1)
    return (
      `several CSV/TSV files have user and item columns (${interactions.join(", ")}): ` +
      `name the interactions file with --dataset ${join(dir, interactions[0])}`
    );
  return (
    `no CSV/TSV file here has both a user and an item column: ${described.join("; ")}. Give the interactions ` +
    `file a header with ${DELIMITED_COLUMNS.user[0]} and ${DELIMITED_COLUMNS.item[0]} (also recognised: ` +
    `${[...DELIMITED_COLUMNS.user.slice(1), ...DELIMITED_COLUMNS.item.slice(1)].join(", ")}), optionally ` +
    `${DELIMITED_COLUMNS.rating[0]} and ${DELIMITED_COLUMNS.timestamp[0]}; an item file a header with ` +
    `${DELIMITED_COLUMNS.item[0]} and text columns`
  );
}
