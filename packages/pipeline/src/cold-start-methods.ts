import { ConfigError, gatherColumns, normalizeRowsL2, type Csr, type Matrix, type Rng } from "@llminit/core";
import { initUsersFromItems } from "@llminit/selection";
import { knnMapEmbeddings } from "./knn-map.js";
import { applyRidgeMap, type RidgeMap } from "./ridge-map.js";

/**
 * How an item without interactions gets scored:
 * - `direct`: its selected LLM dimensions, as LLMInit initialises an item (needs an LLM init);
 * - `map`: a ridge regression from the full LLM vector to the trained item embedding;
 * - `map-knn`: the similarity-weighted mean embedding of the k warm items nearest in LLM space
 *   (Gantner et al., ICDM 2010);
 * - `content-knn`: no CF; cosine between the user's mean LLM vector and the item's LLM vector
 *   (every item, warm ones too, is scored that way);
 * - `random`: a random point of the warm items' embedding distribution, the floor.
 */
export type ColdStartMethod = "direct" | "map" | "map-knn" | "content-knn" | "random";

export const COLD_START_METHODS: readonly ColdStartMethod[] = ["direct", "map", "map-knn", "content-knn", "random"];

/** What a run learned that the methods read. LLM vectors are normalised as the run's init normalised them. */
export interface ColdStartContext {
  /** Final (as scored) user and warm item embeddings of the trained model. */
  user: Matrix;
  item: Matrix;
  /** Encoder dimension D of the LLM vectors. */
  dimension: number;
  /** LLM vectors of the warm items, rows aligned with `item` (needed by map-knn and content-knn). */
  itemVectors?: Matrix;
  /** users × warm items training graph (for the users' mean LLM vectors). */
  train: Csr;
  /** Encoder dimensions the LLM init selected; undefined for init none. */
  selectedColumns?: Int32Array;
  /** Final embedding of an item without edges per unit of ego embedding (`isolatedItemScale` in @llminit/models). */
  isolatedScale: number;
  /** The fitted ridge map for `map`. */
  map?: RidgeMap;
  /** Neighbours k of `map-knn`. */
  neighbours?: number;
}

/** A user matrix and an item matrix to score by dot product: warm items first, then the new ones. */
export interface ScoringSpace {
  user: Matrix;
  warm: Matrix;
  cold: Matrix;
}

/** Why a method cannot run on this context, or undefined when it can. */
export function methodUnavailable(method: ColdStartMethod, context: ColdStartContext): string | undefined {
  if (method === "direct" && context.selectedColumns === undefined)
    return "not applicable: init none selects no LLM dimensions, and a xavier-trained space has no relation to them";
  if (method === "direct" && context.isolatedScale === 0)
    return "not applicable: the model scores an item without edges as zero (its scores average propagated layers only)";
  if (method === "direct" && context.selectedColumns!.length !== context.item.cols)
    return `not applicable: ${context.selectedColumns!.length} selected dimensions for ${context.item.cols}-d embeddings`;
  if (method === "map" && context.map === undefined) return "not available: no ridge map was fitted";
  if (method === "map-knn" && context.neighbours === undefined) return "not available: no number of neighbours k";
  if ((method === "map-knn" || method === "content-knn") && context.itemVectors === undefined)
    return "not available: no LLM vectors of the catalogue";
  return undefined;
}

/** Rows of `m`, L2-normalised, in a new matrix. */
function normalizedCopy(m: Matrix): Matrix {
  return normalizeRowsL2({ rows: m.rows, cols: m.cols, data: m.data.slice() });
}

/**
 * The users' content vectors for `content-knn`: the mean of their training items' LLM vectors,
 * L2-normalised (users without training items get the mean item), so that dot products are cosines.
 */
export function contentUserVectors(context: ColdStartContext): Matrix {
  if (context.itemVectors === undefined) throw new ConfigError("method", "content-knn needs the catalogue's vectors");
  return normalizedCopy(initUsersFromItems(context.itemVectors, context.train, "item-mean"));
}

/**
 * The scoring space of `method` for new items with LLM vectors `coldVectors` (normalised like
 * the run's). `rng` draws `random`'s points; `contentUsers` may pass {@link contentUserVectors}
 * computed once.
 */
export function coldStartSpace(
  method: ColdStartMethod,
  context: ColdStartContext,
  coldVectors: Matrix,
  options: { rng: Rng; contentUsers?: Matrix },
): ScoringSpace {
  const reason = methodUnavailable(method, context);
  if (reason !== undefined) throw new ConfigError("method", `${method}: ${reason}`);
  if (coldVectors.cols !== context.dimension)
    throw new ConfigError(
      "encoder",
      `new items have ${coldVectors.cols}-d vectors, the run's catalogue ${context.dimension}-d: not the run's encoder`,
    );
  switch (method) {
    case "direct": {
      const cold = gatherColumns(coldVectors, context.selectedColumns!);
      for (let k = 0; k < cold.data.length; k++) cold.data[k] *= context.isolatedScale;
      return { user: context.user, warm: context.item, cold };
    }
    case "map":
      return { user: context.user, warm: context.item, cold: applyRidgeMap(context.map!, coldVectors) };
    case "map-knn":
      return {
        user: context.user,
        warm: context.item,
        cold: knnMapEmbeddings(context.itemVectors!, context.item, coldVectors, context.neighbours!),
      };
    case "content-knn":
      return {
        user: options.contentUsers ?? contentUserVectors(context),
        warm: normalizedCopy(context.itemVectors!),
        cold: normalizedCopy(coldVectors),
      };
    case "random":
      return { user: context.user, warm: context.item, cold: randomLike(context.item, coldVectors.rows, options.rng) };
    default:
      throw new ConfigError("method", `unknown method "${String(method)}" (expected ${COLD_START_METHODS.join(", ")})`);
  }
}

/** `rows` points drawn from N(mean, std²) of each column of `items`. */
function randomLike(items: Matrix, rows: number, rng: Rng): Matrix {
  const d = items.cols;
  const mean = new Float64Array(d);
  const squares = new Float64Array(d);
  for (let r = 0; r < items.rows; r++)
    for (let c = 0; c < d; c++) {
      const v = items.data[r * d + c];
      mean[c] += v;
      squares[c] += v * v;
    }
  const std = new Float64Array(d);
  for (let c = 0; c < d; c++) {
    mean[c] /= items.rows;
    std[c] = Math.sqrt(Math.max(squares[c] / items.rows - mean[c] * mean[c], 0));
  }
  const data = new Float32Array(rows * d);
  for (let r = 0; r < rows; r++) for (let c = 0; c < d; c++) data[r * d + c] = mean[c] + std[c] * rng.normal();
  return { rows, cols: d, data };
}
