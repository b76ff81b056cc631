import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  ConfigError,
  createRng,
  DataFormatError,
  normalizeRowsL2,
  silentLogger,
  silentProgress,
  type Logger,
  type Matrix,
  type ProgressReporter,
} from "@llminit/core";
import { createEncoder, encodeCatalog, type TextEncoder } from "@llminit/encoders";
import { kernelDotProductScorer, topKIndices } from "@llminit/metrics";
import { readColdStartFiles } from "./cold-start-files.js";
import {
  COLD_START_METHODS,
  coldStartSpace,
  contentUserVectors,
  methodUnavailable,
  type ColdStartContext,
  type ColdStartMethod,
} from "./cold-start-methods.js";
import { readIdList, readMatrix, readTrainMask, type Recommendation } from "./recommend-from-run.js";
import type { NewItem } from "./read-new-items.js";

/** Options of {@link openRecommender}. */
export interface RecommenderOptions {
  /** How new items are embedded (default `map`); `content-knn` scores the whole catalogue by content. */
  method?: ColdStartMethod;
  /**
   * Encoder spec to use instead of the run's (say a `file:` with the new items' precomputed
   * vectors). It must be the run's model: only its dimension can be checked.
   */
  encoder?: string;
  /** Embedding cache and local model folders (default: the run's). */
  cacheDir?: string;
  modelDir?: string;
  logger?: Logger;
  progress?: ProgressReporter;
}

/**
 * A trained run that takes new items at run time: `addItems` embeds them with the run's encoder
 * and the chosen method, `recommend` ranks the catalogue and every added item together (a user's
 * training items masked). Call `dispose` to free the encoder.
 */
export interface Recommender {
  readonly runDir: string;
  readonly method: ColdStartMethod;
  /** The run's item-text template: how `readNewItems` renders a new item's fields into its text. */
  readonly textTemplate: string;
  /** Items that can be recommended: the run's catalogue plus those added. */
  readonly items: number;
  addItems(items: readonly NewItem[], options?: { signal?: AbortSignal }): Promise<void>;
  recommend(users: readonly string[], k?: number): Promise<Recommendation[]>;
  dispose(): Promise<void>;
}

/** Opens a run folder written by `runExperiment` (it needs `cold-start/`: an LLM init or `coldItems`). */
export async function openRecommender(runDir: string, options: RecommenderOptions = {}): Promise<Recommender> {
  const method = options.method ?? "map";
  if (!COLD_START_METHODS.includes(method))
    throw new ConfigError("method", `"${String(method)}" is not one of ${COLD_START_METHODS.join(", ")}`);
  const logger = options.logger ?? silentLogger;
  const configPath = join(runDir, "config.json");
  const config = (await readJson(configPath)) as { encoder?: string; cacheDir?: string; modelDir?: string };
  const [{ model, itemVectors, map }, userIds, itemIds, user, item, train] = await Promise.all([
    readColdStartFiles(runDir),
    readIdList(join(runDir, "users.txt")),
    readIdList(join(runDir, "items.txt")),
    readMatrix(join(runDir, "user.npy")),
    readMatrix(join(runDir, "item.npy")),
    readTrainMask(runDir),
  ]);
  if (user.rows !== userIds.length || item.rows !== itemIds.length || itemVectors.rows !== itemIds.length)
    throw new DataFormatError(
      { file: join(runDir, "item.npy") },
      `user.npy (${user.rows} rows), item.npy (${item.rows}) and cold-start/item-vectors.npy (${itemVectors.rows}) ` +
        `do not match users.txt (${userIds.length}) and items.txt (${itemIds.length})`,
    );
  const context: ColdStartContext = {
    user,
    item,
    itemVectors,
    train: { rows: userIds.length, cols: itemIds.length, ...train },
    selectedColumns: model.selectedColumns === null ? undefined : Int32Array.from(model.selectedColumns),
    isolatedScale: model.isolatedScale,
    map,
    neighbours: model.mapKnn.k,
  };
  const reason = methodUnavailable(method, context);
  if (reason !== undefined) throw new ConfigError("method", `${method} for ${runDir}: ${reason}`);
  const contentUsers = method === "content-knn" ? contentUserVectors(context) : undefined;
  const space = coldStartSpace(
    method,
    context,
    { rows: 0, cols: model.dimension, data: new Float32Array(0) },
    {
      rng: createRng(model.seed),
      contentUsers,
    },
  );
  const userIndex = new Map(userIds.map((id, i) => [id, i]));
  const known = new Set(itemIds);
  const added: { ids: string[]; rows: Float32Array[] } = { ids: [], rows: [] };
  const encoderSpec = options.encoder ?? model.encoder;
  let encoder: TextEncoder | undefined;
  let batches = 0;

  return {
    runDir,
    method,
    textTemplate: model.textTemplate,
    get items() {
      return itemIds.length + added.ids.length;
    },
    async addItems(items, addOptions = {}) {
      if (items.length === 0) return;
      const batch = new Set<string>();
      items.forEach((it, i) => {
        const where = it.source ?? { file: "<new items>", line: i + 1 };
        const field = it.source === undefined ? `items[${i}].id` : "item_id";
        if (typeof it.id !== "string" || it.id.trim() === "")
          throw new DataFormatError({ ...where, field }, "empty item id");
        if (known.has(it.id))
          throw new DataFormatError({ ...where, field }, `item "${it.id}" is already in the catalogue of ${runDir}`);
        if (batch.has(it.id)) throw new DataFormatError({ ...where, field }, `item "${it.id}" is given twice`);
        batch.add(it.id);
        if (typeof it.text !== "string" || it.text.trim() === "")
          throw new DataFormatError(
            { ...where, field: it.source === undefined ? `items[${i}].text` : "text" },
            `item "${it.id}" has an empty text`,
          );
      });
      encoder ??= await createEncoder(encoderSpec, {
        modelDir: options.modelDir ?? config.modelDir,
        logger,
      });
      const encoded = await encodeCatalog(
        encoder,
        items.map(({ id, text }) => ({ id, text })),
        {
          cacheDir: options.cacheDir ?? config.cacheDir,
          logger,
          progress: options.progress ?? silentProgress,
          signal: addOptions.signal,
        },
      );
      if (encoded.matrix.cols !== model.dimension)
        throw new ConfigError(
          "encoder",
          `${encoderSpec} gives ${encoded.matrix.cols}-d vectors, the run was trained with ${model.dimension}-d ones (${model.encoder})`,
        );
      const vectors: Matrix = model.normalize ? normalizeRowsL2(encoded.matrix) : encoded.matrix;
      const cold = coldStartSpace(method, context, vectors, {
        rng: createRng(model.seed).child("recommender").child(`batch-${++batches}`),
        contentUsers,
      }).cold;
      for (let r = 0; r < cold.rows; r++) {
        added.ids.push(items[r].id);
        added.rows.push(cold.data.slice(r * cold.cols, (r + 1) * cold.cols));
        known.add(items[r].id);
      }
      logger.log("info", `added ${items.length} new item(s) with ${method}`, { items: items.length, method });
    },
    async recommend(users, k = 10) {
      if (!Number.isInteger(k) || k <= 0) throw new ConfigError("k", `must be a positive integer, got ${k}`);
      const unknown = users.filter((u) => !userIndex.has(u));
      if (unknown.length > 0)
        throw new ConfigError(
          "users",
          `not in this run: ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ""}`,
        );
      const numItems = itemIds.length + added.ids.length;
      const dim = space.warm.cols;
      const all = new Float32Array(numItems * dim);
      all.set(space.warm.data);
      added.rows.forEach((row, r) => all.set(row, (itemIds.length + r) * dim));
      const rows = Int32Array.from(users, (u) => userIndex.get(u)!);
      const scores = new Float32Array(rows.length * numItems);
      await kernelDotProductScorer(space.user, { rows: numItems, cols: dim, data: all })(rows, scores);
      const mask = new Uint8Array(numItems);
      return users.map((id, i) => {
        const u = rows[i];
        mask.fill(0);
        for (let p = train.indptr[u]; p < train.indptr[u + 1]; p++) mask[train.indices[p]] = 1;
        const row = scores.subarray(i * numItems, (i + 1) * numItems);
        const top = topKIndices(row, k, mask);
        return {
          user: id,
          items: Array.from(top, (j) =>
            j < itemIds.length
              ? { item: itemIds[j], score: row[j] }
              : { item: added.ids[j - itemIds.length], score: row[j], new: true },
          ),
        };
      });
    },
    async dispose() {
      await encoder?.dispose();
      encoder = undefined;
    },
  };
}

/**
 * One call: opens the run, adds `items`, returns the top-k of each user over the catalogue and
 * the new items together, and frees the encoder.
 */
export async function scoreNewItems(
  runDir: string,
  items: readonly NewItem[],
  options: RecommenderOptions & { users: readonly string[]; k?: number; signal?: AbortSignal },
): Promise<Recommendation[]> {
  const recommender = await openRecommender(runDir, options);
  try {
    await recommender.addItems(items, { signal: options.signal });
    return await recommender.recommend(options.users, options.k);
  } finally {
    await recommender.dispose();
  }
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, "utf8").catch((error: unknown) => {
    throw new DataFormatError({ file: path }, `cannot read (${(error as Error).message}); is this a run folder?`);
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DataFormatError({ file: path }, `not JSON: ${(error as Error).message}`);
  }
}
