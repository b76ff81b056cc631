import { ConfigError, LlminitError, silentLogger } from "@llminit/core";
import type { Logger } from "@llminit/core";
import { compactLog, selectInteractions } from "./interaction-log.js";
import type { InteractionLog } from "./interaction-log.js";

/** Size of the data after one filtering stage. Users/items count those with ≥ 1 interaction. */
export interface StageStats {
  stage: string;
  users: number;
  items: number;
  interactions: number;
  /** interactions / (users × items); 0 when empty. */
  density: number;
  /** Interactions this stage removed. */
  dropped: number;
  /** Value filters: how many of the dropped interactions had no value (missing counts as failing the filter). */
  missing?: number;
}

/** Filtering removed every interaction; `stage` names the filter that did it. */
export class EmptyDatasetError extends LlminitError {
  readonly stage: string;
  /** Every stage up to and including the one that left nothing (set by {@link filterInteractions}). */
  stats: StageStats[] = [];
  constructor(stage: string, before: StageStats) {
    super(
      "E_EMPTY_DATASET",
      `nothing left after filter stage "${stage}" (before it: ${before.users} users, ${before.items} items, ${before.interactions} interactions); loosen that filter`,
    );
    this.stage = stage;
  }
}

/** Counts active users, items and interactions. */
export function computeStats(log: InteractionLog, stage: string, dropped = 0): StageStats {
  const userSeen = new Uint8Array(log.users.size);
  const itemSeen = new Uint8Array(log.items.size);
  let users = 0;
  let items = 0;
  for (let k = 0; k < log.length; k++) {
    if (userSeen[log.user[k]] === 0) {
      userSeen[log.user[k]] = 1;
      users++;
    }
    if (itemSeen[log.item[k]] === 0) {
      itemSeen[log.item[k]] = 1;
      items++;
    }
  }
  const density = users > 0 && items > 0 ? log.length / (users * items) : 0;
  return { stage, users, items, interactions: log.length, density, dropped };
}

/** A filter's output: the kept interactions (vocabularies unchanged) and how many were removed. */
export interface FilterResult {
  log: InteractionLog;
  dropped: number;
  /** Value filters: how many of the dropped had no value (NaN). */
  missing?: number;
}

/**
 * Keeps interactions whose `field` lies in [min, max] (both inclusive, either optional). A missing value (NaN)
 * fails the filter, as in RecBole's `val_interval`; `missing` counts those.
 */
export function filterByValue(
  log: InteractionLog,
  options: { field: "rating" | "timestamp"; min?: number; max?: number },
): FilterResult {
  const values = options.field === "rating" ? log.rating : log.timestamp;
  if (values === undefined)
    throw new ConfigError(options.field, `the data has no ${options.field} column to filter on`);
  const min = options.min ?? -Infinity;
  const max = options.max ?? Infinity;
  if (Number.isNaN(min) || Number.isNaN(max) || min > max)
    throw new ConfigError(options.field, `empty interval [${min}, ${max}]`);
  const keep = new Uint8Array(log.length);
  let dropped = 0;
  let missing = 0;
  for (let k = 0; k < log.length; k++) {
    const v = values[k];
    if (v >= min && v <= max) keep[k] = 1;
    else {
      dropped++;
      if (Number.isNaN(v)) missing++;
    }
  }
  return { log: dropped === 0 ? log : selectInteractions(log, keep), dropped, missing };
}

/** Drops interactions without a timestamp (NaN): an order by time cannot place them. */
export function requireTimestamps(log: InteractionLog): FilterResult {
  const time = log.timestamp;
  if (time === undefined) return { log, dropped: 0 };
  const keep = new Uint8Array(log.length);
  let dropped = 0;
  for (let k = 0; k < log.length; k++) {
    if (Number.isNaN(time[k])) dropped++;
    else keep[k] = 1;
  }
  return { log: dropped === 0 ? log : selectInteractions(log, keep), dropped };
}

/** Orders two timestamps with a missing one (NaN) after every present one, like pandas' `na_position="last"`. */
export function compareTimes(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a - b;
}

/**
 * Removes repeated (user, item) pairs. `keep: "first"` keeps the earliest interaction of a
 * pair, `"last"` the latest — by timestamp when the log has one (a missing timestamp counts as
 * later than any present one), ties (and logs without timestamps) by position in the input.
 * Kept interactions stay in input order.
 */
export function removeDuplicates(log: InteractionLog, keep: "first" | "last" = "first"): FilterResult {
  const best = new Map<number, number>();
  const items = log.items.size;
  const time = log.timestamp;
  for (let k = 0; k < log.length; k++) {
    const key = log.user[k] * items + log.item[k];
    const previous = best.get(key);
    if (previous === undefined) {
      best.set(key, k);
      continue;
    }
    const order = time === undefined ? 0 : compareTimes(time[k], time[previous]);
    // Input order breaks ties: the earlier position is "first", the later one "last".
    const replace = keep === "first" ? order < 0 : order >= 0;
    if (replace) best.set(key, k);
  }
  const dropped = log.length - best.size;
  if (dropped === 0) return { log, dropped };
  const mask = new Uint8Array(log.length);
  for (const k of best.values()) mask[k] = 1;
  return { log: selectInteractions(log, mask), dropped };
}

/**
 * Iterative k-core: repeatedly removes every interaction whose user has fewer than
 * `user` or whose item has fewer than `item` remaining interactions, until nothing changes.
 * The result is the unique maximal sub-log in which every user and item meets its threshold.
 */
export function kCore(
  log: InteractionLog,
  thresholds: { user: number; item: number },
): FilterResult & { rounds: number } {
  for (const key of ["user", "item"] as const) {
    const t = thresholds[key];
    if (!Number.isInteger(t) || t < 0)
      throw new ConfigError(`kCore.${key}`, `must be a non-negative integer, got ${t}`);
  }
  const alive = new Uint8Array(log.length).fill(1);
  const userDegree = new Int32Array(log.users.size);
  const itemDegree = new Int32Array(log.items.size);
  for (let k = 0; k < log.length; k++) {
    userDegree[log.user[k]]++;
    itemDegree[log.item[k]]++;
  }
  let remaining = log.length;
  let rounds = 0;
  for (;;) {
    const removeUser = new Uint8Array(log.users.size);
    const removeItem = new Uint8Array(log.items.size);
    let any = false;
    for (let u = 0; u < userDegree.length; u++) {
      if (userDegree[u] > 0 && userDegree[u] < thresholds.user) {
        removeUser[u] = 1;
        any = true;
      }
    }
    for (let i = 0; i < itemDegree.length; i++) {
      if (itemDegree[i] > 0 && itemDegree[i] < thresholds.item) {
        removeItem[i] = 1;
        any = true;
      }
    }
    if (!any) break;
    rounds++;
    for (let k = 0; k < log.length; k++) {
      if (alive[k] && (removeUser[log.user[k]] || removeItem[log.item[k]])) {
        alive[k] = 0;
        userDegree[log.user[k]]--;
        itemDegree[log.item[k]]--;
        remaining--;
      }
    }
  }
  const dropped = log.length - remaining;
  return { log: dropped === 0 ? log : selectInteractions(log, alive), dropped, rounds };
}

/** Options of {@link filterInteractions}; a stage runs only when its option is set. */
export interface FilterOptions {
  /** Keep ratings (the log's `rating` column, whatever `ratingField` it came from) ≥ this (inclusive). */
  minRating?: number;
  /** Keep ratings ≤ this (inclusive). */
  maxRating?: number;
  /**
   * Drop interactions without a timestamp, in a stage "timestamp present" that appears only when it drops some
   * (for splits by time, which cannot place them).
   */
  requireTimestamp?: boolean;
  /** Remove repeated (user, item) pairs, keeping the first or last by timestamp. Default "first". */
  duplicates?: "first" | "last" | "keep";
  /** Iterative k-core thresholds: one number for both sides, or separate ones. */
  kCore?: number | { user: number; item: number };
  logger?: Logger;
}

/**
 * Runs value filter → (timestamp present) → duplicate removal → iterative k-core → compaction to dense ids.
 * Every stage's statistics are returned and logged with the number of interactions it dropped.
 * The value filter's stage is named after the log's rating column (`rating >= 4`, `play_count >= 5`).
 * @throws EmptyDatasetError naming the stage that left nothing, with `stats` up to it.
 */
export function filterInteractions(
  log: InteractionLog,
  options: FilterOptions = {},
): { log: InteractionLog; stats: StageStats[] } {
  const logger = options.logger ?? silentLogger;
  const stats: StageStats[] = [];
  const record = (
    next: InteractionLog,
    stage: string,
    dropped: number,
    extra: Record<string, unknown> = {},
    missing?: number,
  ) => {
    const before = stats[stats.length - 1];
    const s = computeStats(next, stage, dropped);
    if (missing !== undefined && missing > 0) s.missing = missing;
    stats.push(s);
    const note = s.missing === undefined ? "" : `, ${s.missing} of them without a value`;
    logger.log(
      "info",
      `${stage}: ${s.users} users, ${s.items} items, ${s.interactions} interactions (dropped ${dropped}${note})`,
      { ...s, ...extra },
    );
    if (s.interactions === 0) {
      const error = new EmptyDatasetError(stage, before ?? s);
      error.stats = stats;
      throw error;
    }
    return next;
  };
  let current = record(log, "raw", 0);
  if (options.minRating !== undefined || options.maxRating !== undefined) {
    const r = filterByValue(current, { field: "rating", min: options.minRating, max: options.maxRating });
    const field = log.ratingField ?? "rating";
    const label = [
      options.minRating !== undefined ? `${field} >= ${options.minRating}` : "",
      options.maxRating !== undefined ? `${field} <= ${options.maxRating}` : "",
    ]
      .filter(Boolean)
      .join(", ");
    current = record(r.log, label, r.dropped, {}, r.missing);
  }
  if (options.requireTimestamp) {
    const r = requireTimestamps(current);
    if (r.dropped > 0) current = record(r.log, "timestamp present", r.dropped);
  }
  const duplicates = options.duplicates ?? "first";
  if (duplicates !== "keep") {
    const r = removeDuplicates(current, duplicates);
    current = record(r.log, `duplicates (keep ${duplicates})`, r.dropped);
  }
  if (options.kCore !== undefined) {
    const t = typeof options.kCore === "number" ? { user: options.kCore, item: options.kCore } : options.kCore;
    const r = kCore(current, t);
    current = record(
      r.log,
      t.user === t.item ? `iterative ${t.user}-core` : `iterative k-core (users ${t.user}, items ${t.item})`,
      r.dropped,
      {
        rounds: r.rounds,
      },
    );
  }
  return { log: compactLog(current), stats };
}
