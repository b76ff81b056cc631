import { ConfigError, csrFromPairs } from "@llminit/core";
import type { Csr, Rng } from "@llminit/core";

/** Size and shape of a generated user–item graph. */
export interface PowerLawGraphOptions {
  users: number;
  items: number;
  /** Distinct (user, item) pairs to generate; between max(users, items) and users × items. */
  interactions: number;
  /** Zipf exponent s of the degree weights `1 / rank^s` (default 0.8 for users and items). */
  exponent?: number;
  rng: Rng;
}

/** A generated train graph and what was actually generated. */
export interface PowerLawGraph {
  train: Csr;
  users: number;
  items: number;
  interactions: number;
  /** Pairs drawn that were already present and were drawn again (deduplication). */
  duplicateDraws: number;
}

/** Draws ranks 0 … n-1 with weight 1 / (rank + 1)^s by binary search over the cumulative weights. */
function zipfSampler(n: number, exponent: number, rng: Rng): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) cumulative[i] = total += 1 / Math.pow(i + 1, exponent);
  return () => {
    const x = rng.next() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/**
 * A set of non-negative integer keys below 2^53 in one Float64Array (open addressing, linear
 * probing): a JS `Set` holds at most 2^24 entries, and MovieLens-20M's size needs 20 M.
 */
class IntegerKeySet {
  private readonly slots: Float64Array;
  private readonly mask: number;
  constructor(capacity: number) {
    let size = 16;
    while (size < 2 * capacity) size *= 2;
    this.slots = new Float64Array(size).fill(-1);
    this.mask = size - 1;
  }
  /** Adds `key`; false when it was there already. */
  add(key: number): boolean {
    const low = key % 0x100000000;
    const high = (key - low) / 0x100000000;
    let h = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 13;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const held = this.slots[slot];
      if (held === key) return false;
      if (held === -1) {
        this.slots[slot] = key;
        return true;
      }
    }
  }
}

/**
 * A user–item graph with power-law (Zipf-like) degrees on both sides, exactly `interactions`
 * distinct pairs, every user and every item with at least one interaction. Popularity ranks are
 * shuffled onto ids, so id 0 is not always the most popular. Steps: each user gets one Zipf
 * item; each item still without a user gets one Zipf user; then (Zipf user, Zipf item) pairs are
 * drawn until the count is reached, repeats redrawn (and counted). Deterministic for the Rng:
 * children "user-ranks", "item-ranks", "users", "items".
 */
export function generatePowerLawGraph(options: PowerLawGraphOptions): PowerLawGraph {
  const { users, items, interactions, rng } = options;
  const exponent = options.exponent ?? 0.8;
  for (const [key, value] of [
    ["users", users],
    ["items", items],
    ["interactions", interactions],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0) throw new ConfigError(key, `must be a positive integer, got ${value}`);
  }
  if (!(exponent >= 0) || !Number.isFinite(exponent))
    throw new ConfigError("exponent", `must be a non-negative number, got ${exponent}`);
  if (interactions < Math.max(users, items)) {
    throw new ConfigError(
      "interactions",
      `${interactions} cannot give each of ${users} users and ${items} items an interaction`,
    );
  }
  if (interactions > users * items)
    throw new ConfigError("interactions", `${interactions} exceeds users × items = ${users * items}`);

  const userIds = rng.child("user-ranks").shuffle(Int32Array.from({ length: users }, (_, k) => k));
  const itemIds = rng.child("item-ranks").shuffle(Int32Array.from({ length: items }, (_, k) => k));
  const drawUserRank = zipfSampler(users, exponent, rng.child("users"));
  const drawItemRank = zipfSampler(items, exponent, rng.child("items"));
  const drawUser = () => userIds[drawUserRank()];
  const drawItem = () => itemIds[drawItemRank()];

  const rows = new Int32Array(interactions);
  const cols = new Int32Array(interactions);
  const seen = new IntegerKeySet(interactions);
  const itemCovered = new Uint8Array(items);
  let count = 0;
  const add = (u: number, i: number): boolean => {
    if (!seen.add(u * items + i)) return false;
    rows[count] = u;
    cols[count] = i;
    count++;
    itemCovered[i] = 1;
    return true;
  };
  for (let u = 0; u < users; u++) add(u, drawItem());
  for (let i = 0; i < items; i++) if (itemCovered[i] === 0) add(drawUser(), i);
  let duplicateDraws = 0;
  // Dense graphs may need many redraws; the bound only guards against a loop that cannot finish.
  const maxDraws = 1000 * interactions;
  let draws = 0;
  while (count < interactions) {
    if (++draws > maxDraws)
      throw new ConfigError(
        "interactions",
        `could not draw ${interactions} distinct pairs in ${maxDraws} draws (graph too dense for exponent ${exponent})`,
      );
    if (!add(drawUser(), drawItem())) duplicateDraws++;
  }
  const train = csrFromPairs(users, items, rows, cols);
  return { train, users, items, interactions: train.indptr[users], duplicateDraws };
}
