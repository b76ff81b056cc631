import { join, resolve } from "node:path";
import { gatherRows, normalizeRowsL2, type Csr, type Logger, type Matrix, type Rng } from "@llminit/core";
import { createKernelRanking, evaluateFullRanking, type KernelRanking, type RankFunction } from "@llminit/metrics";
import type { Embeddings } from "@llminit/models";
import { COLD_START_DIR, writeColdStartFiles, type ColdStartModelFile } from "./cold-start-files.js";
import {
  COLD_START_METHODS,
  coldStartSpace,
  contentUserVectors,
  isolatedItemScale,
  methodUnavailable,
  type ColdStartContext,
  type ColdStartMethod,
  type ScoringSpace,
} from "./cold-start-methods.js";
import type { Split } from "@llminit/data";
import type { ColdItemsSplit } from "./cold-items-split.js";
import { KNN_GRID, knnLeaveOneOutErrors, knnMapEmbeddingsForEach } from "./knn-map.js";
import { RIDGE_RELATIVE_GRID, ridgePath, type RidgeMap } from "./ridge-map.js";
import type { RunConfig } from "./run-config.js";
import type { RunFolder } from "./run-folder.js";

/** One method's results in the cold-start evaluation. */
export interface ColdMethodResult {
  method: ColdStartMethod;
  applicable: boolean;
  /** Why not, when not applicable. */
  reason?: string;
  /** Cold setting on the cold validation items (what picks λ for `map`). */
  valid?: Record<string, number>;
  /** Cold setting: the cold test items ranked alone. */
  cold?: Record<string, number>;
  /** Hybrid setting: warm and cold test items ranked together; truth = warm test item + cold test interactions. */
  hybrid?: Record<string, number>;
  /** Mean share of cold items in the users' hybrid top-K lists, "coldShare@20". */
  coldShare?: Record<string, number>;
}

/** The `coldStart` part of a run's summary (runs with `coldItems`). */
export interface ColdStartSummary {
  ratio: number;
  items: { warm: number; coldValid: number; coldTest: number };
  interactions: { coldValid: number; coldTest: number };
  /** Users evaluated (with at least one truth item) in each setting. */
  users: { coldValid: number; coldTest: number; hybrid: number };
  map: ColdStartModelFile["map"];
  mapKnn: ColdStartModelFile["mapKnn"];
  methods: ColdMethodResult[];
  seconds: number;
}

/** What the run hands over once the model is trained. */
export interface ColdStartInputs {
  folder: RunFolder;
  config: RunConfig;
  /** The encoder's vectors (not normalised) of every item of the prepared split, warm and cold. */
  vectors: Matrix;
  /** The held-out items, with `coldItems`. */
  cold?: ColdItemsSplit;
  /** The split the model used: the warm items (train possibly thinned by the sparse setting). */
  split: Split;
  final: Embeddings;
  selectedColumns?: readonly number[];
  textTemplate: string;
  /** The run's `rng.child("cold-start")`. */
  rng: Rng;
  logger: Logger;
  signal?: AbortSignal;
}

const VALID_METRIC = "ndcg@10";

/** The encoder spec with a `file:` path made absolute, so that the run folder works from any directory. */
export function absoluteEncoderSpec(spec: string): string {
  return spec.startsWith("file:") ? `file:${resolve(spec.slice(5))}` : spec;
}

/**
 * After training: fits the ridge map from the warm items' LLM vectors to their trained (final)
 * embeddings, writes `cold-start/` so that `recommend --new-items` can score new items later and,
 * with cold items held out, evaluates every method in the cold and hybrid settings. λ is the
 * cold-valid NDCG@10 maximiser when there are cold items (largest λ on ties), else the GCV
 * minimiser on the warm items. Early stopping is untouched: the model never sees a cold item.
 */
export async function finishColdStart(inputs: ColdStartInputs): Promise<ColdStartSummary | undefined> {
  const started = performance.now();
  const { config, cold, final, vectors } = inputs;
  const { train, valid, test } = inputs.split;
  // Normalised as the init normalises (gatherRows copies, so the encoder's matrix is untouched).
  const rowsOf = (items: ArrayLike<number>): Matrix => {
    const m = gatherRows(vectors, items);
    return config.normalize ? normalizeRowsL2(m) : m;
  };
  const itemVectors = rowsOf(cold?.warmItems ?? Int32Array.from({ length: vectors.rows }, (_, i) => i));
  const selectedColumns = inputs.selectedColumns === undefined ? undefined : Int32Array.from(inputs.selectedColumns);
  const context: ColdStartContext = {
    user: final.user,
    item: final.item,
    itemVectors,
    train,
    selectedColumns,
    isolatedScale: isolatedItemScale(config.model, config.layers),
  };
  const path = ridgePath(itemVectors, final.item);
  const threads = config.threads === 0 ? "auto" : config.threads;
  const ranking = createKernelRanking({ threads });
  try {
    const validVectors = cold === undefined ? undefined : rowsOf(cold.coldValidItems);
    const testVectors = cold === undefined ? undefined : rowsOf(cold.coldTestItems);
    let map: RidgeMap;
    let mapInfo: ColdStartModelFile["map"];
    if (cold === undefined || validVectors === undefined) {
      const grid = RIDGE_RELATIVE_GRID.map((c) => ({ relativeLambda: c, lambda: c * path.scale, score: 0 }));
      for (const point of grid) point.score = path.gcv(point.lambda);
      const best = grid.reduce((a, b) => (b.score <= a.score ? b : a));
      map = path.fit(best.lambda);
      mapInfo = { ...best, selectedBy: "generalised cross-validation on the warm items", grid };
    } else {
      const grid = [];
      let bestMap: RidgeMap | undefined;
      let best = { relativeLambda: NaN, lambda: NaN, score: -Infinity };
      for (const c of RIDGE_RELATIVE_GRID) {
        const candidate = path.fit(c * path.scale);
        const space = coldStartSpace("map", { ...context, map: candidate }, validVectors, { rng: inputs.rng });
        const result = await evaluateSpace(ranking, space, "cold", cold.coldValid, [], config, inputs.signal, {
          quick: true,
        });
        const point = { relativeLambda: c, lambda: candidate.lambda, score: result.metrics[VALID_METRIC] };
        grid.push(point);
        if (point.score >= best.score || bestMap === undefined) {
          best = point;
          bestMap = candidate;
        }
      }
      map = bestMap!;
      mapInfo = { ...best, selectedBy: `cold-valid ${VALID_METRIC}`, grid };
    }
    inputs.logger.log("info", `map: ridge λ = ${mapInfo.lambda.toPrecision(3)} (${mapInfo.selectedBy})`, {
      lambda: mapInfo.lambda,
      relativeLambda: mapInfo.relativeLambda,
    });
    const ks = KNN_GRID.filter((k) => k < final.item.rows);
    if (ks.length === 0) ks.push(Math.max(1, final.item.rows - 1));
    let mapKnn: ColdStartModelFile["mapKnn"];
    if (cold === undefined || validVectors === undefined) {
      const errors = knnLeaveOneOutErrors(itemVectors, final.item, ks, inputs.rng.child("map-knn-queries"));
      const grid = ks.map((k, i) => ({ k, score: errors[i] }));
      const best = grid.reduce((a, b) => (b.score < a.score ? b : a));
      mapKnn = { k: best.k, selectedBy: "leave-one-out squared error on the warm items", grid };
    } else {
      const grid: Array<{ k: number; score: number }> = [];
      const candidates = knnMapEmbeddingsForEach(itemVectors, final.item, validVectors, ks);
      for (let i = 0; i < ks.length; i++) {
        const space = { user: final.user, warm: final.item, cold: candidates[i] };
        const result = await evaluateSpace(ranking, space, "cold", cold.coldValid, [], config, inputs.signal, {
          quick: true,
        });
        grid.push({ k: ks[i], score: result.metrics[VALID_METRIC] });
      }
      const best = grid.reduce((a, b) => (b.score >= a.score ? b : a));
      mapKnn = { k: best.k, selectedBy: `cold-valid ${VALID_METRIC}`, grid };
    }
    inputs.logger.log("info", `map-knn: k = ${mapKnn.k} (${mapKnn.selectedBy})`, { k: mapKnn.k });
    await writeColdStartFiles(
      inputs.folder,
      {
        format: "llminit-cold-start/1",
        encoder: absoluteEncoderSpec(config.encoder),
        dimension: vectors.cols,
        normalize: config.normalize,
        textTemplate: inputs.textTemplate,
        selectedColumns: selectedColumns === undefined ? null : Array.from(selectedColumns),
        model: config.model,
        layers: config.layers,
        isolatedScale: context.isolatedScale,
        map: mapInfo,
        mapKnn,
        seed: config.seed,
      },
      itemVectors,
      map,
    );
    if (cold === undefined || validVectors === undefined || testVectors === undefined) return undefined;

    const idsOf = (indices: Int32Array) => Array.from(indices, (i) => cold.items.idOf(i));
    await inputs.folder.writeIds(join(COLD_START_DIR, "cold-valid-items.txt"), idsOf(cold.coldValidItems));
    await inputs.folder.writeIds(join(COLD_START_DIR, "cold-test-items.txt"), idsOf(cold.coldTestItems));

    const withMap: ColdStartContext = { ...context, map, neighbours: mapKnn.k };
    const contentUsers = contentUserVectors(withMap);
    const numWarm = final.item.rows;
    const numColdTest = cold.coldTestItems.length;
    const hybridTruth = hstack(test, cold.coldTest);
    const hybridExclude = [widen(train, numWarm + numColdTest), widen(valid, numWarm + numColdTest)];
    const users = { coldValid: 0, coldTest: 0, hybrid: 0 };
    const methods: ColdMethodResult[] = [];
    for (const method of COLD_START_METHODS) {
      const reason = methodUnavailable(method, withMap);
      if (reason !== undefined) {
        methods.push({ method, applicable: false, reason });
        continue;
      }
      const options = { rng: inputs.rng.child(method), contentUsers };
      const validSpace = coldStartSpace(method, withMap, validVectors, options);
      const testSpace = coldStartSpace(method, withMap, testVectors, options);
      const onValid = await evaluateSpace(ranking, validSpace, "cold", cold.coldValid, [], config, inputs.signal);
      const onCold = await evaluateSpace(ranking, testSpace, "cold", cold.coldTest, [], config, inputs.signal);
      const onHybrid = await evaluateSpace(
        ranking,
        testSpace,
        "hybrid",
        hybridTruth,
        hybridExclude,
        config,
        inputs.signal,
      );
      users.coldValid = onValid.users;
      users.coldTest = onCold.users;
      users.hybrid = onHybrid.users;
      methods.push({
        method,
        applicable: true,
        valid: onValid.metrics,
        cold: onCold.metrics,
        hybrid: onHybrid.metrics,
        coldShare: onHybrid.coldShare,
      });
      inputs.logger.log(
        "info",
        `cold start ${method}: cold recall@20 ${fmt(onCold.metrics["recall@20"])}, hybrid recall@20 ${fmt(onHybrid.metrics["recall@20"])}, cold share@20 ${fmt(onHybrid.coldShare["coldShare@20"])}`,
      );
    }
    return {
      ratio: config.coldItems!,
      items: {
        warm: numWarm,
        coldValid: cold.coldValidItems.length,
        coldTest: numColdTest,
      },
      interactions: { coldValid: cold.coldValid.indices.length, coldTest: cold.coldTest.indices.length },
      users,
      map: mapInfo,
      mapKnn,
      methods,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    ranking.dispose();
  }
}

function fmt(value: number | undefined): string {
  return value === undefined ? "?" : value.toFixed(4);
}

/**
 * Full-ranking metrics of a scoring space: over the cold items alone, or over warm then cold
 * items (hybrid), with the share of cold items in each top-K list.
 */
async function evaluateSpace(
  ranking: KernelRanking,
  space: ScoringSpace,
  setting: "cold" | "hybrid",
  truth: Csr,
  exclude: Csr[],
  config: RunConfig,
  signal: AbortSignal | undefined,
  options: { quick?: boolean } = {},
): Promise<{ metrics: Record<string, number>; users: number; coldShare: Record<string, number> }> {
  const items = setting === "cold" ? space.cold : stackRows(space.warm, space.cold);
  const firstCold = setting === "cold" ? 0 : space.warm.rows;
  const ks = options.quick ? [10] : [...new Set(config.ks)].sort((a, b) => a - b);
  const inner = ranking.ranker(space.user, items);
  const shares = new Float64Array(ks.length);
  let listed = 0;
  const rank: RankFunction = async (users, k, excluded, out, counts) => {
    await inner(users, k, excluded, out, counts);
    for (let i = 0; i < users.length; i++) {
      const length = counts[i];
      if (length === 0) continue;
      listed++;
      ks.forEach((cut, c) => {
        const n = Math.min(cut, length);
        let coldCount = 0;
        for (let p = 0; p < n; p++) if (out[i * k + p] >= firstCold) coldCount++;
        shares[c] += coldCount / n;
      });
    }
  };
  const result = await evaluateFullRanking({
    numUsers: space.user.rows,
    numItems: items.rows,
    rank,
    truth,
    exclude,
    metrics: options.quick ? ["ndcg"] : undefined,
    ks,
    chunkSize: config.evalChunk,
    signal,
  });
  const coldShare: Record<string, number> = {};
  ks.forEach((cut, c) => (coldShare[`coldShare@${cut}`] = listed === 0 ? NaN : shares[c] / listed));
  return { metrics: result.metrics, users: result.users, coldShare };
}

function stackRows(a: Matrix, b: Matrix): Matrix {
  const data = new Float32Array((a.rows + b.rows) * a.cols);
  data.set(a.data);
  data.set(b.data, a.data.length);
  return { rows: a.rows + b.rows, cols: a.cols, data };
}

/** users × (a.cols + b.cols): a's columns, then b's shifted by a.cols. */
function hstack(a: Csr, b: Csr): Csr {
  const indptr = new Int32Array(a.rows + 1);
  const indices = new Int32Array(a.indices.length + b.indices.length);
  let n = 0;
  for (let u = 0; u < a.rows; u++) {
    for (let p = a.indptr[u]; p < a.indptr[u + 1]; p++) indices[n++] = a.indices[p];
    for (let p = b.indptr[u]; p < b.indptr[u + 1]; p++) indices[n++] = a.cols + b.indices[p];
    indptr[u + 1] = n;
  }
  return { rows: a.rows, cols: a.cols + b.cols, indptr, indices };
}

/** The same entries in a matrix with more columns. */
function widen(csr: Csr, cols: number): Csr {
  return { rows: csr.rows, cols, indptr: csr.indptr, indices: csr.indices };
}
