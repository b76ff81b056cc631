/** A file of a dataset's original public distribution. */
export interface RemoteFile {
  url: string;
  /** File name in the cache folder. */
  file: string;
  /**
   * sha256 of the file when known. None is recorded yet: GroupLens publishes only MD5 sums
   * and the Amazon 2014 files have no published checksum, so downloads are not verified by
   * hash (the readers still validate every line).
   */
  sha256?: string;
}

/** Raw formats the loader understands. */
export type RawFormat = "movielens-100k" | "movielens-1m" | "amazon";

/** A known dataset. */
export interface DatasetEntry {
  name: string;
  description: string;
  format: RawFormat;
  /** The original distribution's files. */
  remote: RemoteFile[];
  /** Item-text template for the raw files' fields. */
  textTemplate: string;
}

const AMAZON_2014 = "http://snap.stanford.edu/data/amazon/productGraph/categoryFiles";

function amazon2014(name: string, category: string, label: string): DatasetEntry {
  return {
    name,
    description: `Amazon ${label} (McAuley 2014 5-core reviews + metadata)`,
    format: "amazon",
    remote: [
      { url: `${AMAZON_2014}/reviews_${category}_5.json.gz`, file: `reviews_${category}_5.json.gz` },
      { url: `${AMAZON_2014}/meta_${category}.json.gz`, file: `meta_${category}.json.gz` },
    ],
    textTemplate: "{title}. {category}. {brand}",
  };
}

/** The built-in datasets (the paper's four Amazon categories and two MovieLens sets). */
export const DATASETS: readonly DatasetEntry[] = Object.freeze([
  {
    name: "ml-100k",
    description: "MovieLens 100K: 100,000 ratings by 943 users on 1,682 movies (GroupLens)",
    format: "movielens-100k",
    remote: [{ url: "https://files.grouplens.org/datasets/movielens/ml-100k.zip", file: "ml-100k.zip" }],
    textTemplate: "{movie_title} {release_year}. {class}",
  },
  {
    name: "ml-1m",
    description: "MovieLens 1M: 1,000,209 ratings by 6,040 users on 3,706 movies (GroupLens)",
    format: "movielens-1m",
    remote: [{ url: "https://files.grouplens.org/datasets/movielens/ml-1m.zip", file: "ml-1m.zip" }],
    textTemplate: "{movie_title} {release_year}. {class}",
  },
  amazon2014("amazon-beauty", "Beauty", "Beauty"),
  amazon2014("amazon-office-products", "Office_Products", "Office Products"),
  amazon2014("amazon-toys-games", "Toys_and_Games", "Toys and Games"),
  amazon2014("amazon-tools-home-improvement", "Tools_and_Home_Improvement", "Tools and Home Improvement"),
]);

/**
 * A template for item features whose field names are known: `text` alone (e.g. the Office
 * atomic file), MovieLens fields, Amazon fields, else every field in order.
 */
export function defaultTextTemplate(fieldNames: Iterable<string>): string {
  const names = new Set(fieldNames);
  if (names.has("text")) return "{text}";
  if (names.has("movie_title")) return "{movie_title} {release_year}. {class}";
  if (names.has("title")) return "{title}. {category}. {brand}";
  if (names.size === 0) return "{title}";
  return [...names].map((n) => `{${n}}`).join(". ");
}
