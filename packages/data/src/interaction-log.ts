import { Vocab } from "@llminit/core";

/**
 * Interactions in columnar form. `user[k]`/`item[k]` index into `users`/`items` (original ids).
 * Only the first `length` entries of each column are meaningful. After {@link compactLog}
 * every vocabulary entry has at least one interaction.
 */
export interface InteractionLog {
  readonly users: Vocab;
  readonly items: Vocab;
  readonly user: Int32Array;
  readonly item: Int32Array;
  /**
   * Explicit rating, when the source has one, or the values of the numeric column named by `ratingField` (a play
   * count, a click count…): what a value filter (`minRating`) compares. NaN = missing.
   */
  readonly rating?: Float32Array;
  /** The column `rating` was read from, when it is not "rating" (e.g. "play_count"); names the filter stage. */
  readonly ratingField?: string;
  /** Unix time in seconds, when the source has one. NaN = missing. */
  readonly timestamp?: Float64Array;
  readonly length: number;
}

/** Item side information by original item id: field name → text value. */
export type ItemFeatures = Map<string, Record<string, string>>;

/**
 * A copy of `text` that does not share memory with the string it was cut from. V8 keeps
 * long substrings as views of their parent, so an id cut from a 1 MB read chunk would keep
 * the whole chunk alive for as long as the vocabulary lives.
 */
function ownString(text: string): string {
  // Browsers (no Buffer) read small dropped-in files: the view costs little there.
  // eslint-disable-next-line no-restricted-globals -- guarded by the typeof check
  return text.length < 13 || typeof Buffer === "undefined" ? text : Buffer.from(text, "utf8").toString("utf8");
}

/** Appends interactions into growable typed arrays; {@link build} trims them. */
export class InteractionLogBuilder {
  readonly users: Vocab;
  readonly items: Vocab;
  private userIds = new Int32Array(1024);
  private itemIds = new Int32Array(1024);
  private ratings: Float32Array | undefined;
  private times: Float64Array | undefined;
  private count = 0;
  private readonly ratingField: string | undefined;

  /**
   * @param columns which optional columns the log has; `ratingField` names the rating column when it is not "rating".
   * @param vocabs existing vocabularies to extend (e.g. to keep an item order).
   */
  constructor(
    columns: { rating: boolean; timestamp: boolean; ratingField?: string },
    vocabs: { users?: Vocab; items?: Vocab } = {},
  ) {
    this.ratingField = columns.rating && columns.ratingField !== "rating" ? columns.ratingField : undefined;
    this.users = vocabs.users ?? new Vocab();
    this.items = vocabs.items ?? new Vocab();
    if (columns.rating) this.ratings = new Float32Array(1024);
    if (columns.timestamp) this.times = new Float64Array(1024);
  }

  get length(): number {
    return this.count;
  }

  /** Adds one interaction; `rating`/`timestamp` are ignored for columns the log lacks. */
  add(userId: string, itemId: string, rating = Number.NaN, timestamp = Number.NaN): void {
    if (this.count === this.userIds.length) this.grow();
    const k = this.count++;
    this.userIds[k] = this.users.get(userId) ?? this.users.add(ownString(userId));
    this.itemIds[k] = this.items.get(itemId) ?? this.items.add(ownString(itemId));
    if (this.ratings !== undefined) this.ratings[k] = rating;
    if (this.times !== undefined) this.times[k] = timestamp;
  }

  private grow(): void {
    const size = this.userIds.length * 2;
    const resize = <T extends Int32Array | Float32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.userIds = resize(this.userIds, (n) => new Int32Array(n));
    this.itemIds = resize(this.itemIds, (n) => new Int32Array(n));
    if (this.ratings !== undefined) this.ratings = resize(this.ratings, (n) => new Float32Array(n));
    if (this.times !== undefined) this.times = resize(this.times, (n) => new Float64Array(n));
  }

  build(): InteractionLog {
    const n = this.count;
    return {
      users: this.users,
      items: this.items,
      user: this.userIds.slice(0, n),
      item: this.itemIds.slice(0, n),
      rating: this.ratings?.slice(0, n),
      ...(this.ratingField === undefined ? {} : { ratingField: this.ratingField }),
      timestamp: this.times?.slice(0, n),
      length: n,
    };
  }
}

/** The log restricted to the interactions where `keep[k]` is non-zero (vocabularies unchanged). */
export function selectInteractions(log: InteractionLog, keep: Uint8Array): InteractionLog {
  let n = 0;
  for (let k = 0; k < log.length; k++) if (keep[k]) n++;
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  const rating = log.rating === undefined ? undefined : new Float32Array(n);
  const timestamp = log.timestamp === undefined ? undefined : new Float64Array(n);
  let j = 0;
  for (let k = 0; k < log.length; k++) {
    if (!keep[k]) continue;
    user[j] = log.user[k];
    item[j] = log.item[k];
    if (rating !== undefined) rating[j] = log.rating![k];
    if (timestamp !== undefined) timestamp[j] = log.timestamp![k];
    j++;
  }
  return { users: log.users, items: log.items, user, item, rating, ratingField: log.ratingField, timestamp, length: n };
}

/**
 * Renumbers users and items densely (in order of their index in the old vocabularies),
 * dropping vocabulary entries without interactions. Original ids are kept in the new Vocabs.
 */
export function compactLog(log: InteractionLog): InteractionLog {
  const userSeen = new Uint8Array(log.users.size);
  const itemSeen = new Uint8Array(log.items.size);
  for (let k = 0; k < log.length; k++) {
    userSeen[log.user[k]] = 1;
    itemSeen[log.item[k]] = 1;
  }
  const users = log.users.subset(userSeen);
  const items = log.items.subset(itemSeen);
  const user = new Int32Array(log.length);
  const item = new Int32Array(log.length);
  for (let k = 0; k < log.length; k++) {
    user[k] = users.remap[log.user[k]];
    item[k] = items.remap[log.item[k]];
  }
  return {
    users: users.vocab,
    items: items.vocab,
    user,
    item,
    rating: log.rating?.slice(0, log.length),
    ratingField: log.ratingField,
    timestamp: log.timestamp?.slice(0, log.length),
    length: log.length,
  };
}
