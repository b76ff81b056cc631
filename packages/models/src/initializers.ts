import { ConfigError, ShapeError, createMatrix } from "@llminit/core";
import type { Matrix, Rng } from "@llminit/core";

/**
 * How the ego embeddings start.
 * - `xavier`: Glorot uniform per table, U(−b, b) with b = √(6 / (rows + dim)) — what RecBole's
 *   LightGCN applies (`xavier_uniform_initialization` on each `nn.Embedding`, whose weight is
 *   rows × dim) and the LightGCN paper's baseline.
 * - `normal`: N(0, std²), std default 0.1 (LightGCN-PyTorch's `init.normal_(std=0.1)`).
 * - `pretrained`: the caller's user and item matrices (the LLMInit path), copied.
 */
export type Initializer =
  { kind: "xavier" } | { kind: "normal"; std?: number } | { kind: "pretrained"; user: Matrix; item: Matrix };

/** Ego embedding tables before training. */
export interface EgoTables {
  user: Matrix;
  item: Matrix;
}

function xavierUniform(rows: number, dim: number, rng: Rng): Matrix {
  const bound = Math.sqrt(6 / (rows + dim));
  const data = new Float32Array(rows * dim);
  for (let k = 0; k < data.length; k++) data[k] = (2 * rng.next() - 1) * bound;
  return createMatrix(rows, dim, data);
}

function normal(rows: number, dim: number, std: number, rng: Rng): Matrix {
  const data = new Float32Array(rows * dim);
  for (let k = 0; k < data.length; k++) data[k] = rng.normal() * std;
  return createMatrix(rows, dim, data);
}

function checkPretrained(name: "user" | "item", matrix: Matrix, rows: number, dim: number): Matrix {
  if (matrix.rows !== rows || matrix.cols !== dim) {
    throw new ShapeError(
      `init.${name}: pretrained ${name} embeddings are ${matrix.rows} × ${matrix.cols}, expected ${rows} × ${dim}`,
    );
  }
  if (matrix.data.length !== rows * dim) {
    throw new ShapeError(`init.${name}: data has ${matrix.data.length} values, expected ${rows * dim}`);
  }
  for (let k = 0; k < matrix.data.length; k++) {
    if (!Number.isFinite(matrix.data[k])) {
      throw new ShapeError(`init.${name}: value at row ${Math.floor(k / dim)}, column ${k % dim} is ${matrix.data[k]}`);
    }
  }
  return createMatrix(rows, dim, matrix.data.slice());
}

/** Creates the ego tables; random kinds draw from `rng.child("user")` and `rng.child("item")`. */
export function initializeEmbeddings(
  init: Initializer,
  users: number,
  items: number,
  dim: number,
  rng: Rng,
): EgoTables {
  switch (init.kind) {
    case "xavier":
      return { user: xavierUniform(users, dim, rng.child("user")), item: xavierUniform(items, dim, rng.child("item")) };
    case "normal": {
      const std = init.std ?? 0.1;
      if (!(std > 0) || !Number.isFinite(std))
        throw new ConfigError("init.std", `must be a positive number, got ${std}`);
      return { user: normal(users, dim, std, rng.child("user")), item: normal(items, dim, std, rng.child("item")) };
    }
    case "pretrained":
      return {
        user: checkPretrained("user", init.user, users, dim),
        item: checkPretrained("item", init.item, items, dim),
      };
    default:
      throw new ConfigError(
        "init.kind",
        `unknown initializer ${JSON.stringify((init as { kind: unknown }).kind)}; expected xavier, normal or pretrained`,
      );
  }
}
