import { ConfigError, csrFromPairs, silentLogger } from "@llminit/core";
import type { Csr, Logger, Rng, Vocab } from "@llminit/core";
import { compareTimes } from "./filters.js";
import type { InteractionLog } from "./interaction-log.js";

/** Train / valid / test interactions as users × items CSR matrices (rows sorted, implicit ones). */
export interface Split {
  users: Vocab;
  items: Vocab;
  train: Csr;
  valid: Csr;
  test: Csr;
}

/** How to split: see {@link splitInteractions}. */
export type SplitMethod = "random-loo" | "temporal-loo" | "ratio";

/** Options of {@link splitInteractions}. */
export interface SplitOptions {
  method: SplitMethod;
  /** Seeded generator; the split draws from `rng.child("split")`. Required for random orders. */
  rng: Rng;
  /** For "ratio": train : valid : test weights (default [8, 1, 1]). */
  ratios?: readonly [number, number, number];
  /** For "ratio": order each user's interactions randomly (default) or by time. */
  order?: "random" | "time";
  logger?: Logger;
}

/** Per-user interaction positions (stable: input order within a user). */
function groupByUser(log: InteractionLog): { start: Int32Array; order: Int32Array } {
  const users = log.users.size;
  const start = new Int32Array(users + 1);
  for (let k = 0; k < log.length; k++) start[log.user[k] + 1]++;
  for (let u = 0; u < users; u++) start[u + 1] += start[u];
  const cursor = start.slice(0, users);
  const order = new Int32Array(log.length);
  for (let k = 0; k < log.length; k++) order[cursor[log.user[k]]++] = k;
  return { start, order };
}

/**
 * RecBole's per-user counts for a ratio split: `floor(ratio × n)` for valid and test, and
 * one more to a valid/test part whose share is positive but below one interaction, as long as
 * train keeps more than one; train gets the rest.
 */
export function ratioCounts(n: number, ratios: readonly [number, number, number]): [number, number, number] {
  const total = ratios[0] + ratios[1] + ratios[2];
  const r = ratios.map((x) => x / total);
  const counts: [number, number, number] = [0, Math.floor(r[1] * n), Math.floor(r[2] * n)];
  counts[0] = n - counts[1] - counts[2];
  for (const i of [2, 1]) {
    if (counts[0] <= 1) break;
    if (r[i] * n > 0 && r[i] * n < 1) {
      counts[i]++;
      counts[0]--;
    }
  }
  return counts;
}

/**
 * Splits each user's interactions (the log must be compacted: dense ids) into train / valid / test.
 * - `random-loo`: the user's interactions in a random order (one seeded stream, users in index
 *   order); the last one is test, the one before valid, the rest train.
 * - `temporal-loo`: the same on interactions sorted by timestamp (ties: input order; a missing timestamp sorts
 *   last, so drop those first: `filterInteractions`' `requireTimestamp`); the latest is test.
 * - `ratio`: per user, counts from {@link ratioCounts}; train is the first part of the order
 *   (random or by time), then valid, then test.
 * Leave-one-out rule: a user with fewer than 3 interactions keeps all of them in train
 * (counted and logged), so every valid/test row has exactly one item otherwise.
 * Repeated (user, item) pairs should be removed first; within one part they are merged.
 */
export function splitInteractions(log: InteractionLog, options: SplitOptions): Split {
  const logger = options.logger ?? silentLogger;
  const { method } = options;
  if (method !== "random-loo" && method !== "temporal-loo" && method !== "ratio") {
    throw new ConfigError("split", `unknown split method "${String(method)}" (random-loo, temporal-loo or ratio)`);
  }
  const byTime = method === "temporal-loo" || (method === "ratio" && options.order === "time");
  if (byTime && log.timestamp === undefined)
    throw new ConfigError("split", `"${method}" by time needs timestamps, and the data has none`);
  const ratios = options.ratios ?? [8, 1, 1];
  if (
    method === "ratio" &&
    (ratios.length !== 3 || ratios.some((x) => !(x >= 0 && Number.isFinite(x))) || !(ratios[0] > 0))
  ) {
    throw new ConfigError("ratios", `expected three non-negative weights with train > 0, got [${ratios.join(", ")}]`);
  }
  const rng = options.rng.child("split");
  const { start, order } = groupByUser(log);
  const part = new Uint8Array(log.length); // 0 train, 1 valid, 2 test
  const time = log.timestamp;
  let tooFew = 0;
  for (let u = 0; u < log.users.size; u++) {
    const s = start[u];
    const n = start[u + 1] - s;
    if (n === 0) continue;
    const mine = order.subarray(s, s + n);
    if (byTime) {
      const sorted = Array.from(mine).sort((a, b) => compareTimes(time![a], time![b]) || a - b);
      mine.set(sorted);
    } else {
      rng.shuffle(mine);
    }
    if (method === "ratio") {
      const [train, valid] = ratioCounts(n, ratios);
      for (let j = 0; j < n; j++) part[mine[j]] = j < train ? 0 : j < train + valid ? 1 : 2;
    } else if (n < 3) {
      tooFew++;
    } else {
      part[mine[n - 2]] = 1;
      part[mine[n - 1]] = 2;
    }
  }
  if (tooFew > 0) {
    logger.log(
      "warn",
      `${tooFew} user(s) with fewer than 3 interactions keep all of them in train (no valid/test item)`,
      { users: tooFew },
    );
  }
  const build = (which: number): Csr => {
    let n = 0;
    for (let k = 0; k < log.length; k++) if (part[k] === which) n++;
    const rows = new Int32Array(n);
    const cols = new Int32Array(n);
    let j = 0;
    for (let k = 0; k < log.length; k++) {
      if (part[k] === which) {
        rows[j] = log.user[k];
        cols[j++] = log.item[k];
      }
    }
    return csrFromPairs(log.users.size, log.items.size, rows, cols);
  };
  const split: Split = { users: log.users, items: log.items, train: build(0), valid: build(1), test: build(2) };
  logger.log(
    "info",
    `split ${method}: train ${split.train.indptr[split.train.rows]}, valid ${split.valid.indptr[split.valid.rows]}, test ${split.test.indptr[split.test.rows]}`,
    {
      method,
      train: split.train.indptr[split.train.rows],
      valid: split.valid.indptr[split.valid.rows],
      test: split.test.indptr[split.test.rows],
    },
  );
  return split;
}
