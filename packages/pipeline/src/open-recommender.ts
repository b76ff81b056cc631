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
  type Rng,
} from "@llminit/core";
import { checkEncoderSpec } from "./check-inputs.js";
import { createEncoder, encodeCatalog, type TextEncoder } from "@llminit/encoders";
import { kernelDotProductScorer, topKIndices } from "@llminit/metrics";
import { readColdStartFiles, type KnnChoice, type MapChoice } from "./cold-start-files.js";
import { knnGrid, knnLeaveOneOutErrors } from "./knn-map.js";
import { RIDGE_RELATIVE_GRID, ridgePath, type RidgePath } from "./ridge-map.js";
import {
  COLD_START_METHODS,
  coldStartSpace,
  contentUserVectors,
  methodUnavailable,
  type ColdStartContext,
  type ColdStartMethod,
} from "./cold-start-methods.js";
import { checkRunDir, readIdList, readMatrix, readTrainMask, type Recommendation } from "./recommend-from-run.js";
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

/**
 * Opens a run folder written by `runExperiment` (it needs `cold-start/`: an LLM init or
 * `coldItems`). `map`, `map-knn` and `content-knn` read the catalogue's LLM vectors through the
 * run's encoder and embedding cache (cache hits when the run's cache is still there; the encoder
 * runs over the catalogue otherwise). `map` is fitted here: at the λ the run chose on its cold
 * validation items, or with λ by GCV on the catalogue; `map-knn`'s k likewise (leave-one-out).
 */
export async function openRecommender(runDir: string, options: RecommenderOptions = {}): Promise<Recommender> {
  const method = options.method ?? "map";
  if (!COLD_START_METHODS.includes(method))
    throw new ConfigError("method", `"${String(method)}" is not one of ${COLD_START_METHODS.join(", ")}`);
  const logger = options.logger ?? silentLogger;
  const progress = options.progress ?? silentProgress;
  await checkRunDir(runDir);
  const configPath = join(runDir, "config.json");
  const config = (await readJson(configPath)) as { cacheDir?: string; modelDir?: string };
  const [userIds, itemIds, user, item, train] = await Promise.all([
    readIdList(join(runDir, "users.txt")),
    readIdList(join(runDir, "items.txt")),
    readMatrix(join(runDir, "user.npy")),
    readMatrix(join(runDir, "item.npy")),
    readTrainMask(runDir),
  ]);
  const { model, itemTexts } = await readColdStartFiles(runDir, itemIds.length);
  if (user.rows !== userIds.length || item.rows !== itemIds.length)
    throw new DataFormatError(
      { file: join(runDir, "item.npy") },
      `user.npy (${user.rows} rows) and item.npy (${item.rows}) do not match users.txt (${userIds.length}) ` +
        `and items.txt (${itemIds.length})`,
    );
  const context: ColdStartContext = {
    user,
    item,
    dimension: model.dimension,
    train: { rows: userIds.length, cols: itemIds.length, ...train },
    selectedColumns: model.selectedColumns === null ? undefined : Int32Array.from(model.selectedColumns),
    isolatedScale: model.isolatedScale,
  };
  if (method === "direct") {
    const reason = methodUnavailable(method, context);
    if (reason !== undefined) throw new ConfigError("method", `${method} for ${runDir}: ${reason}`);
  }
  const cacheDir = options.cacheDir ?? config.cacheDir;
  const modelDir = options.modelDir ?? config.modelDir;
  const encoders = new Map<string, TextEncoder>();
  const encoderFor = async (spec: string): Promise<TextEncoder> => {
    let encoder = encoders.get(spec);
    if (encoder === undefined) {
      encoder = await createEncoder(spec, { modelDir, logger });
      encoders.set(spec, encoder);
    }
    return encoder;
  };
  const disposeEncoders = async () => {
    for (const encoder of encoders.values()) await encoder.dispose();
    encoders.clear();
  };
  if (options.encoder !== undefined && options.encoder !== model.encoder) {
    // Refused before any model loads or API call: the cold-start methods work in the space of the
    // run's encoder, so only precomputed vectors (file:) of that model can stand in for it.
    if (!options.encoder.startsWith("file:"))
      throw new ConfigError(
        "encoder",
        `${options.encoder} is not the encoder of ${runDir} (${model.encoder}, ${model.dimension}-d): another ` +
          `model's vectors are not in the space the run's cold-start methods use; leave --encoder out, or give ` +
          `file:VECTORS.npy holding the new items' vectors from ${model.encoder}`,
      );
    checkEncoderSpec(options.encoder, "encoder");
    const dimension = (await encoderFor(options.encoder)).dimension();
    if (dimension !== undefined && dimension !== model.dimension) {
      await disposeEncoders();
      throw new ConfigError(
        "encoder",
        `${options.encoder} holds ${dimension}-d vectors; ${runDir} was trained with ${model.dimension}-d ones ` +
          `from ${model.encoder}`,
      );
    }
  }
  const encode = async (spec: string, items: Array<{ id: string; text: string }>, signal?: AbortSignal) => {
    const encoded = await encodeCatalog(await encoderFor(spec), items, { cacheDir, logger, progress, signal });
    if (encoded.matrix.cols !== model.dimension)
      throw new ConfigError(
        "encoder",
        `${spec} gives ${encoded.matrix.cols}-d vectors, the run was trained with ${model.dimension}-d ones (${model.encoder})`,
      );
    return { vectors: model.normalize ? normalizeRowsL2(encoded.matrix) : encoded.matrix, cached: encoded.cached };
  };

  let contentUsers: Matrix | undefined;
  try {
    if (method === "map" || method === "map-knn" || method === "content-knn") {
      const catalogue = await encode(
        model.encoder,
        itemIds.map((id, i) => ({ id, text: itemTexts[i] })),
      );
      logger.log("info", `catalogue vectors: ${itemIds.length} items, ${catalogue.cached} from the embedding cache`, {
        items: itemIds.length,
        cached: catalogue.cached,
      });
      context.itemVectors = catalogue.vectors;
    }
    if (method === "map") {
      const started = performance.now();
      const path = ridgePath(context.itemVectors!, item);
      const choice = model.map ?? chooseRidgeByGcv(path);
      context.map = path.fit(choice.lambda);
      logger.log(
        "info",
        `map: ridge λ = ${choice.lambda.toPrecision(3)} (${choice.selectedBy}), fitted in ` +
          `${Math.round(performance.now() - started)} ms`,
        { lambda: choice.lambda },
      );
    }
    if (method === "map-knn") {
      const choice =
        model.mapKnn ??
        chooseNeighboursByLeaveOneOut(context, createRng(model.seed).child("cold-start").child("map-knn-queries"));
      context.neighbours = choice.k;
      logger.log("info", `map-knn: k = ${choice.k} (${choice.selectedBy})`, { k: choice.k });
    }
    const reason = methodUnavailable(method, context);
    if (reason !== undefined) throw new ConfigError("method", `${method} for ${runDir}: ${reason}`);
    if (method === "content-knn") contentUsers = contentUserVectors(context);
  } catch (error) {
    await disposeEncoders();
    throw error;
  }
  const space = coldStartSpace(
    method,
    context,
    { rows: 0, cols: model.dimension, data: new Float32Array(0) },
    { rng: createRng(model.seed), contentUsers },
  );
  const userIndex = new Map(userIds.map((id, i) => [id, i]));
  const known = new Set(itemIds);
  const added: { ids: string[]; rows: Float32Array[] } = { ids: [], rows: [] };
  const newItemEncoder = options.encoder ?? model.encoder;
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
      const { vectors } = await encode(
        newItemEncoder,
        items.map(({ id, text }) => ({ id, text })),
        addOptions.signal,
      );
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
      const numItems = itemIds.length + added.ids.length;
      if (!Number.isSafeInteger(k) || k <= 0) throw new ConfigError("k", `must be a positive integer, got ${k}`);
      if (k > numItems) throw new ConfigError("k", `must be ≤ the ${numItems} items (with the new ones), got ${k}`);
      if (users.length === 0) throw new ConfigError("users", "lists no user ids");
      const unknown = users.filter((u) => !userIndex.has(u));
      if (unknown.length > 0)
        throw new ConfigError(
          "users",
          `not in this run: ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ""}`,
        );
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
      await disposeEncoders();
    },
  };
}

/** `map`'s λ without cold validation items: the GCV minimiser over {@link RIDGE_RELATIVE_GRID}. */
export function chooseRidgeByGcv(path: RidgePath): MapChoice {
  const grid = RIDGE_RELATIVE_GRID.map((relativeLambda) => {
    const lambda = relativeLambda * path.scale;
    return { relativeLambda, lambda, score: path.gcv(lambda) };
  });
  const best = grid.reduce((a, b) => (b.score <= a.score ? b : a));
  return { ...best, selectedBy: "generalised cross-validation on the warm items", grid };
}

/** `map-knn`'s k without cold validation items: the leave-one-out squared error minimiser. */
function chooseNeighboursByLeaveOneOut(context: ColdStartContext, rng: Rng): KnnChoice {
  const ks = knnGrid(context.item.rows);
  const errors = knnLeaveOneOutErrors(context.itemVectors!, context.item, ks, rng);
  const grid = ks.map((k, i) => ({ k, score: errors[i] }));
  const best = grid.reduce((a, b) => (b.score < a.score ? b : a));
  return { k: best.k, selectedBy: "leave-one-out squared error on the warm items", grid };
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
