import { ConfigError } from "@llminit/core";
import { reportIssue } from "./data-issues.js";
import type { ReadOptions } from "./data-issues.js";
import type { LoadedDataset } from "./load-dataset.js";

/** The paper's threshold: keep ratings ≥ 4. */
export const DEFAULT_MIN_RATING = 4;

/**
 * The value filter a run applies to a loaded dataset: `{ field, min }`, or null when it is off. `minRating: null`
 * turns it off; left undefined (the default 4), a log without a rating column (implicit feedback: clicks, plays,
 * purchases) turns it off too, with one `no-rating-column` notice. A threshold given explicitly on such a log is a
 * ConfigError: the filter asked for cannot apply. A `ratingField` that names a missing column never gets here: the
 * readers refuse it.
 */
export function valueFilterFor(
  loaded: Pick<LoadedDataset, "name" | "log">,
  minRating: number | null | undefined,
  options: Pick<ReadOptions, "logger" | "onIssue"> = {},
): { field: string; min: number } | null {
  const min = minRating === undefined ? DEFAULT_MIN_RATING : minRating;
  if (min === null) return null;
  const field = loaded.log.ratingField ?? "rating";
  if (loaded.log.rating === undefined && minRating !== undefined)
    throw new ConfigError(
      "--min-rating",
      `${min} cannot apply: dataset "${loaded.name}" has no "${field}" column (implicit feedback); give ` +
        `--rating-field NAME for another numeric column, or --min-rating none (leaving it out turns the filter off ` +
        `with a notice)`,
    );
  if (loaded.log.rating === undefined) {
    reportIssue(options, {
      level: "warn",
      kind: "no-rating-column",
      field,
      count: 1,
      message:
        `dataset "${loaded.name}" has no "${field}" column: read as implicit feedback, the rating filter ` +
        `(minRating ${min}) is off; ratingField can name another numeric column to filter on`,
    });
    return null;
  }
  return { field, min };
}

/**
 * Refuses a value-filter column (`ratingField`) that is the user or item id column: an id is no
 * threshold, and reading it as a number would fail or filter at random.
 */
export function checkRatingFieldNotId(field: string, ids: { user: string; item: string }, file: string): void {
  if (field !== ids.user && field !== ids.item) return;
  throw new ConfigError(
    "--rating-field",
    `"${field}" is the ${field === ids.user ? "user" : "item"} id column of ${file}: name a numeric interaction ` +
      `column to filter on, such as a rating or a count`,
  );
}
