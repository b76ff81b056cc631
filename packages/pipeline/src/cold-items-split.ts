import { ConfigError, csrFromPairs, silentLogger, type Csr, type Logger, type Rng, type Vocab } from "@llminit/core";
import type { Split } from "@llminit/data";

/**
 * The item cold-start split: the usual split with a share of the items held out together with
 * every interaction they have. Item indices of `warm` are new (0 … warm items − 1); the cold
 * matrices have one column per cold item of their half.
 */
export interface ColdItemsSplit {
  /** The usual split restricted to the warm items (items re-indexed in their old order). */
  warm: Split;
  /** The item vocabulary of the split given: the "old" indices below are its indices. */
  items: Vocab;
  /** Old item index of each warm item, ascending. */
  warmItems: Int32Array;
  /** Old item indices of the cold validation items, ascending. */
  coldValidItems: Int32Array;
  /** Old item indices of the cold test items, ascending. */
  coldTestItems: Int32Array;
  /** users × cold validation items: every interaction (train, valid or test) with them. */
  coldValid: Csr;
  /** users × cold test items: every interaction with them. */
  coldTest: Csr;
}

/** Options of {@link holdOutColdItems}. */
export interface ColdItemsOptions {
  /** Share of the items held out, in (0, 1). */
  ratio: number;
  /** Draws the cold items; give the run's `rng.child("cold-items")` so that no other stream shifts. */
  rng: Rng;
  logger?: Logger;
}

/**
 * Holds out `round(ratio × items)` items drawn uniformly (a seeded shuffle), with all their
 * interactions; the first half of the draw (rounded down) is cold validation, the rest cold test.
 * The warm items keep the split exactly as it was: their train, valid and test entries are
 * unchanged, so a user whose leave-one-out valid or test item was drawn cold has none in the
 * warm split (it is still trained, and evaluated on its cold interactions).
 */
export function holdOutColdItems(split: Split, options: ColdItemsOptions): ColdItemsSplit {
  const { ratio, rng } = options;
  const logger = options.logger ?? silentLogger;
  if (!(ratio > 0 && ratio < 1)) throw new ConfigError("--cold-items", `must be in (0, 1), got ${ratio}`);
  const numItems = split.items.size;
  const numCold = Math.round(ratio * numItems);
  if (numCold < 2 || numCold > numItems - 1) {
    throw new ConfigError(
      "--cold-items",
      `${ratio} of ${numItems} items gives ${numCold} cold items; need at least 2 (one validation, one test) and one warm item`,
    );
  }
  const order = rng.shuffle(Int32Array.from({ length: numItems }, (_, i) => i));
  const numValid = Math.floor(numCold / 2);
  const coldValidItems = order.slice(0, numValid).sort();
  const coldTestItems = order.slice(numValid, numCold).sort();
  // Each old item's column in its cold matrix (−1: warm), and its new index when warm (−1: cold).
  const coldColumn = new Int32Array(numItems).fill(-1);
  const isTest = new Uint8Array(numItems);
  coldValidItems.forEach((item, c) => (coldColumn[item] = c));
  coldTestItems.forEach((item, c) => {
    coldColumn[item] = c;
    isTest[item] = 1;
  });
  const keep = Uint8Array.from({ length: numItems }, (_, i) => (coldColumn[i] < 0 ? 1 : 0));
  const { vocab: warmVocab, remap: warmIndex } = split.items.subset(keep);
  const warmItems = Int32Array.from({ length: warmVocab.size });
  for (let i = 0; i < numItems; i++) if (warmIndex[i] >= 0) warmItems[warmIndex[i]] = i;

  const users = split.users.size;
  const restrict = (csr: Csr): Csr => {
    const rows: number[] = [];
    const cols: number[] = [];
    for (let u = 0; u < csr.rows; u++)
      for (let p = csr.indptr[u]; p < csr.indptr[u + 1]; p++) {
        const w = warmIndex[csr.indices[p]];
        if (w >= 0) {
          rows.push(u);
          cols.push(w);
        }
      }
    return csrFromPairs(users, warmVocab.size, rows, cols);
  };
  const cold = {
    valid: { rows: [] as number[], cols: [] as number[] },
    test: { rows: [] as number[], cols: [] as number[] },
  };
  for (const csr of [split.train, split.valid, split.test])
    for (let u = 0; u < csr.rows; u++)
      for (let p = csr.indptr[u]; p < csr.indptr[u + 1]; p++) {
        const item = csr.indices[p];
        if (coldColumn[item] < 0) continue;
        const side = isTest[item] === 1 ? cold.test : cold.valid;
        side.rows.push(u);
        side.cols.push(coldColumn[item]);
      }
  const result: ColdItemsSplit = {
    warm: {
      users: split.users,
      items: warmVocab,
      train: restrict(split.train),
      valid: restrict(split.valid),
      test: restrict(split.test),
    },
    items: split.items,
    warmItems,
    coldValidItems,
    coldTestItems,
    coldValid: csrFromPairs(users, coldValidItems.length, cold.valid.rows, cold.valid.cols),
    coldTest: csrFromPairs(users, coldTestItems.length, cold.test.rows, cold.test.cols),
  };
  logger.log(
    "info",
    `cold items: ${coldValidItems.length} validation + ${coldTestItems.length} test items held out with ` +
      `${cold.valid.rows.length} + ${cold.test.rows.length} interactions; ${warmVocab.size} warm items`,
    {
      warmItems: warmVocab.size,
      coldValidItems: coldValidItems.length,
      coldTestItems: coldTestItems.length,
      coldValidInteractions: cold.valid.rows.length,
      coldTestInteractions: cold.test.rows.length,
    },
  );
  return result;
}
