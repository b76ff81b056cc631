import { join } from "node:path";
import { DataFormatError } from "@llminit/core";
import type { ReadOptions } from "./data-issues.js";
import { readDelimitedInteractions } from "./delimited-file.js";
import type { InteractionLog, ItemFeatures } from "./interaction-log.js";
import { forEachLine } from "./read-lines.js";
import { quoteValue } from "./text-bytes.js";

/** The 19 genre flags of ml-100k `u.item`, in file order. */
export const ML100K_GENRES: readonly string[] = [
  "unknown",
  "Action",
  "Adventure",
  "Animation",
  "Children's",
  "Comedy",
  "Crime",
  "Documentary",
  "Drama",
  "Fantasy",
  "Film-Noir",
  "Horror",
  "Musical",
  "Mystery",
  "Romance",
  "Sci-Fi",
  "Thriller",
  "War",
  "Western",
];

/** Splits "Title (1995)" into the title and the year (RecBole's `movie_title` / `release_year`). */
function splitTitle(full: string): { title: string; year?: string } {
  const match = /^(.*\S)\s*\((\d{4})\)\s*$/.exec(full);
  return match === null ? { title: full.trim() } : { title: match[1], year: match[2] };
}

function movieRecord(full: string, genres: string[]): Record<string, string> {
  const { title, year } = splitTitle(full);
  const record: Record<string, string> = {};
  if (title.length > 0) record.movie_title = title;
  if (year !== undefined) record.release_year = year;
  if (genres.length > 0) record.class = genres.join(" ");
  return record;
}

/** Items of a MovieLens raw distribution, with the same field names as RecBole's atomic files. */
export interface MovieLensData {
  log: InteractionLog;
  /** `movie_title` (without the year), `release_year`, `class` (space-separated genres). */
  items: ItemFeatures;
}

/** Options of the MovieLens readers. */
export interface MovieLensOptions extends ReadOptions {
  /** The column a value filter applies to: "rating" (the default) is the only numeric one besides "timestamp". */
  ratingField?: string;
}

const RATING_COLUMNS = ["user_id", "item_id", "rating", "timestamp"];

function ratingColumns(options: MovieLensOptions) {
  return { user: "user_id", item: "item_id", rating: options.ratingField ?? "rating", timestamp: "timestamp" };
}

function reportItemColumns(options: ReadOptions, file: string, format: string, names: readonly string[]): void {
  options.onFile?.({
    file,
    format,
    columns: names.map((name, c) => ({ name, type: "text", use: c === 0 ? "item" : "text" })),
  });
}

/**
 * Reads ml-100k's `u.data` (TAB: user, item, rating, timestamp) and `u.item` (`|`-separated,
 * latin1: id, "title (year)", release date, video date, URL, 19 genre flags) from a folder.
 */
export async function readMovieLens100k(dir: string, options: MovieLensOptions = {}): Promise<MovieLensData> {
  const log = await readDelimitedInteractions(join(dir, "u.data"), {
    ...options,
    delimiter: "\t",
    header: false,
    names: RATING_COLUMNS,
    quote: "",
    columns: ratingColumns(options),
  });
  const file = join(dir, "u.item");
  reportItemColumns(options, file, "movielens u.item", [
    "movie_id",
    "movie_title",
    "release_date",
    "video_release_date",
    "imdb_url",
    ...ML100K_GENRES,
  ]);
  const items: ItemFeatures = new Map();
  await forEachLine(
    file,
    (text, line) => {
      if (text.length === 0) return;
      const parts = text.split("|");
      if (parts.length !== 5 + ML100K_GENRES.length) {
        throw new DataFormatError(
          { file, line },
          `expected ${5 + ML100K_GENRES.length} "|"-separated fields, found ${parts.length}`,
        );
      }
      const genres: string[] = [];
      for (let g = 0; g < ML100K_GENRES.length; g++) {
        const flag = parts[5 + g];
        if (flag !== "0" && flag !== "1")
          throw new DataFormatError(
            { file, line, field: ML100K_GENRES[g] },
            `genre flag must be 0 or 1, got ${quoteValue(flag)}`,
          );
        if (flag === "1") genres.push(ML100K_GENRES[g]);
      }
      if (items.has(parts[0]))
        throw new DataFormatError({ file, line, field: "movie id" }, `duplicate movie id ${quoteValue(parts[0])}`);
      items.set(parts[0], movieRecord(parts[1], genres));
    },
    "latin1",
  );
  return { log, items };
}

/**
 * Reads ml-1m's `ratings.dat` (`UserID::MovieID::Rating::Timestamp`) and `movies.dat`
 * (`MovieID::Title (year)::Genre|Genre`, latin1) from a folder.
 */
export async function readMovieLens1m(dir: string, options: MovieLensOptions = {}): Promise<MovieLensData> {
  const log = await readDelimitedInteractions(join(dir, "ratings.dat"), {
    ...options,
    delimiter: "::",
    header: false,
    names: RATING_COLUMNS,
    quote: "",
    encoding: "latin1",
    columns: ratingColumns(options),
  });
  const file = join(dir, "movies.dat");
  reportItemColumns(options, file, "movielens movies.dat", ["movie_id", "title", "genres"]);
  const items: ItemFeatures = new Map();
  await forEachLine(
    file,
    (text, line) => {
      if (text.length === 0) return;
      const parts = text.split("::");
      if (parts.length !== 3)
        throw new DataFormatError({ file, line }, `expected 3 "::"-separated fields, found ${parts.length}`);
      if (items.has(parts[0]))
        throw new DataFormatError({ file, line, field: "MovieID" }, `duplicate movie id ${quoteValue(parts[0])}`);
      items.set(
        parts[0],
        movieRecord(
          parts[1],
          parts[2].split("|").filter((g) => g.length > 0),
        ),
      );
    },
    "latin1",
  );
  return { log, items };
}
