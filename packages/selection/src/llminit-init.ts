import {
  csrColumnDegrees,
  gatherColumns,
  normalizeRowsL2,
  ShapeError,
  type Csr,
  type Matrix,
  type Rng,
} from "@llminit/core";
import { initUsersFromItems, type EmptyUserFallback } from "./init-users.js";
import { selectColumns, type SelectionStrategy } from "./select-columns.js";

export interface LlminitInitOptions {
  strategy: SelectionStrategy;
  /** CF embedding size d (the paper: 128). */
  dim: number;
  /** Seeded generator for `rand`; a child "selection" is derived. */
  rng?: Rng;
  /** L2-normalise each item's full encoder vector before selecting (default true). */
  normalize?: boolean;
  popularRatio?: number;
  withReplacement?: boolean;
  emptyUserFallback?: EmptyUserFallback;
}

export interface LlminitInit {
  /** The chosen encoder dimensions. */
  columns: Int32Array;
  /** [items × d] initial item embeddings. */
  item: Matrix;
  /** [users × d] initial user embeddings: mean of their training items. */
  user: Matrix;
}

/**
 * The whole LLMInit initialisation: (optionally normalise) → select d columns of the encoder's
 * item matrix by `strategy` → users as the mean of their training items. `train` is users × items
 * and defines the item degrees used by `var`. The input matrix is never modified.
 */
export function llminitInit(encoded: Matrix, train: Csr, options: LlminitInitOptions): LlminitInit {
  if (encoded.rows !== train.cols) {
    throw new ShapeError(`encoder gave ${encoded.rows} item vectors but the train graph has ${train.cols} items`);
  }
  const source = options.normalize === false ? encoded : normalizeRowsL2({ ...encoded, data: encoded.data.slice() });
  const columns = selectColumns(options.strategy, source, options.dim, {
    rng: options.rng?.child("selection"),
    itemDegrees: csrColumnDegrees(train),
    popularRatio: options.popularRatio,
    withReplacement: options.withReplacement,
  });
  const item = gatherColumns(source, columns);
  const user = initUsersFromItems(item, train, options.emptyUserFallback);
  return { columns, item, user };
}
