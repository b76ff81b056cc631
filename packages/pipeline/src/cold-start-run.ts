import { join, resolve } from "node:path";
import {
  csrColumnDegrees,
  csrRowDegrees,
  gatherRows,
  normalizeRowsL2,
  type Csr,
  type Logger,
  type Matrix,
  type Rng,
} from "@llminit/core";
import type { Split } from "@llminit/data";
import {
  ACCURACY_METRICS,
  BEYOND_ACCURACY_METRICS,
  createKernelRanking,
  evaluateFullRanking,
  type EvaluationResult,
  type KernelRanking,
  type RankingMetric,
} from "@llminit/metrics";
import type { Embeddings } from "@llminit/models";
import { isolatedItemScale } from "@llminit/models/internal";
import type { ColdItemsSplit } from "./cold-items-split.js";
import { coldShareMetric } from "./cold-share-metric.js";
import {
  COLD_START_DIR,
  writeColdStartFiles,
  type ColdStartModelFile,
  type KnnChoice,
  type MapChoice,
} from "./cold-start-files.js";
import {
  COLD_START_METHODS,
  coldStartSpace,
  contentUserVectors,
  methodUnavailable,
  type ColdStartContext,
  type ColdStartMethod,
  type ScoringSpace,
} from "./cold-start-methods.js";
import { knnGrid, knnMapEmbeddingsForEach } from "./knn-map.js";
import { trainConfigOf } from "./model-options.js";
import { PROTOCOLS } from "./protocol.js";
import { RIDGE_RELATIVE_GRID, ridgePath, type RidgeMap } from "./ridge-map.js";
import type { RunConfig } from "./run-config.js";
import type { RunFolder } from "./run-folder.js";
import { writeUserMetrics } from "./user-metrics-file.js";

/** One method's results in the cold-start evaluation. */
export interface ColdMethodResult {
  method: ColdStartMethod;
  applicable: boolean;
  /** Why not, when not applicable. */
  reason?: string;
  /** Cold setting on the cold validation items. */
  valid?: Record<string, number>;
  /** Cold setting: the cold test items ranked alone (accuracy and coverage). */
  cold?: Record<string, number>;
  /**
   * Hybrid setting: warm and cold test items ranked together; truth = the warm test item and the
   * cold test interactions. Accuracy, novelty, ARP, coverage and `coldShare@k`, the mean share of
   * cold items in the top k.
   */
  hybrid?: Record<string, number>;
}

/** The `coldStart` part of a run's summary (runs with `coldItems`). */
export interface ColdStartSummary {
  ratio: number;
  items: { warm: number; coldValid: number; coldTest: number };
  interactions: { coldValid: number; coldTest: number };
  /** Users evaluated (with at least one truth item) in each setting. */
  users: { coldValid: number; coldTest: number; hybrid: number };
  map: MapChoice;
  mapKnn: KnnChoice;
  methods: ColdMethodResult[];
  /** The per-user metrics written to `user-metrics/` (`cold-<method>`, `hybrid-<method>`). */
  userMetrics: string[];
  seconds: number;
}

/** What the run hands over once the model is trained. */
export interface ColdStartInputs {
  folder: RunFolder;
  config: RunConfig;
  /** The encoder's vectors (not normalised) of every item of the prepared split, warm and cold. */
  vectors: Matrix;
  /** The rendered text of every item of the prepared split, rows as `vectors`. */
  itemTexts: readonly string[];
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
/** The cold setting ranks items that no one trained on: popularity-based metrics say nothing there. */
const COLD_METRICS: readonly string[] = [...ACCURACY_METRICS, "coverage"];
const HYBRID_METRICS: readonly string[] = [...ACCURACY_METRICS, ...BEYOND_ACCURACY_METRICS];

/** The encoder spec with a `file:` path made absolute, so that the run folder works from any directory. */
export function absoluteEncoderSpec(spec: string): string {
  return spec.startsWith("file:") ? `file:${resolve(spec.slice(5))}` : spec;
}

/**
 * After training, for runs that encoded their item texts: writes `cold-start/` (model.json and
 * the catalogue's texts), which is all `recommend --new-items` needs. Without cold items that is
 * all: the recommender fits `map` (λ by GCV) and picks `map-knn`'s k when a method first needs
 * them. With cold items, it also picks λ and k on the cold validation items (NDCG@10; largest λ
 * on ties) and evaluates every method in the cold and hybrid settings under the run's protocol,
 * writing the per-user test metrics beside the standard ones. Early stopping is untouched: the
 * model never sees a cold item.
 */
export async function finishColdStart(inputs: ColdStartInputs): Promise<ColdStartSummary | undefined> {
  const started = performance.now();
  const { config, cold, final, vectors } = inputs;
  const warmItems = cold?.warmItems;
  const selectedColumns = inputs.selectedColumns === undefined ? undefined : Int32Array.from(inputs.selectedColumns);
  const model: ColdStartModelFile = {
    format: "llminit-cold-start/2",
    encoder: absoluteEncoderSpec(config.encoder),
    dimension: vectors.cols,
    normalize: config.normalize,
    textTemplate: inputs.textTemplate,
    selectedColumns: selectedColumns === undefined ? null : Array.from(selectedColumns),
    model: config.model,
    ...(typeof config.layers === "number" ? { layers: config.layers } : {}),
    isolatedScale: isolatedItemScale(trainConfigOf(config)),
    map: null,
    mapKnn: null,
    seed: config.seed,
  };
  const texts = warmItems === undefined ? inputs.itemTexts : Array.from(warmItems, (i) => inputs.itemTexts[i]);
  if (cold === undefined) {
    await writeColdStartFiles(inputs.folder, model, texts);
    return undefined;
  }

  // Normalised as the init normalises (gatherRows copies, so the encoder's matrix is untouched).
  const rowsOf = (items: ArrayLike<number>): Matrix => {
    const m = gatherRows(vectors, items);
    return config.normalize ? normalizeRowsL2(m) : m;
  };
  const itemVectors = rowsOf(cold.warmItems);
  const validVectors = rowsOf(cold.coldValidItems);
  const testVectors = rowsOf(cold.coldTestItems);
  const { train, test } = inputs.split;
  const context: ColdStartContext = {
    user: final.user,
    item: final.item,
    dimension: vectors.cols,
    itemVectors,
    train,
    selectedColumns,
    isolatedScale: model.isolatedScale,
  };
  const threads = config.threads === 0 ? "auto" : config.threads;
  const ranking = createKernelRanking({ threads });
  const evaluator = new ColdEvaluator(ranking, config, inputs.signal);
  try {
    const { map, choice: mapChoice } = await chooseRidge(context, validVectors, cold.coldValid, evaluator);
    inputs.logger.log("info", `map: ridge λ = ${mapChoice.lambda.toPrecision(3)} (${mapChoice.selectedBy})`, {
      lambda: mapChoice.lambda,
      relativeLambda: mapChoice.relativeLambda,
    });
    const knnChoice = await chooseNeighbours(context, validVectors, cold.coldValid, evaluator);
    inputs.logger.log("info", `map-knn: k = ${knnChoice.k} (${knnChoice.selectedBy})`, { k: knnChoice.k });
    await writeColdStartFiles(inputs.folder, { ...model, map: mapChoice, mapKnn: knnChoice }, texts);
    const idsOf = (indices: Int32Array) => Array.from(indices, (i) => cold.items.idOf(i));
    await inputs.folder.writeIds(join(COLD_START_DIR, "cold-valid-items.txt"), idsOf(cold.coldValidItems));
    await inputs.folder.writeIds(join(COLD_START_DIR, "cold-test-items.txt"), idsOf(cold.coldTestItems));

    const withMap: ColdStartContext = { ...context, map, neighbours: knnChoice.k };
    const contentUsers = contentUserVectors(withMap);
    const numWarm = final.item.rows;
    const numColdTest = cold.coldTestItems.length;
    // The hybrid setting masks as the run's protocol masks the warm test. The cold setting needs no
    // mask under any protocol: every interaction with a cold item is in its truth.
    const hybridTruth = hstack(test, cold.coldTest);
    const hybridExclude = PROTOCOLS[config.protocol]
      .testExclude(inputs.split)
      .map((csr) => widen(csr, numWarm + numColdTest));
    const hybridPopularity = new Int32Array(numWarm + numColdTest);
    hybridPopularity.set(csrColumnDegrees(train));
    const userIds = inputs.split.users.toArray();
    const userDegrees = csrRowDegrees(train);
    const users = { coldValid: 0, coldTest: 0, hybrid: 0 };
    const methods: ColdMethodResult[] = [];
    const userMetrics: string[] = [];
    for (const method of COLD_START_METHODS) {
      const reason = methodUnavailable(method, withMap);
      if (reason !== undefined) {
        methods.push({ method, applicable: false, reason });
        continue;
      }
      const options = { rng: inputs.rng.child(method), contentUsers };
      const validSpace = coldStartSpace(method, withMap, validVectors, options);
      const testSpace = coldStartSpace(method, withMap, testVectors, options);
      const onValid = await evaluator.cold(validSpace, cold.coldValid, { metrics: COLD_METRICS });
      const onCold = await evaluator.cold(testSpace, cold.coldTest, { metrics: COLD_METRICS, perUser: true });
      const onHybrid = await evaluator.hybrid(testSpace, hybridTruth, hybridExclude, hybridPopularity);
      for (const [setting, result] of [
        ["cold", onCold],
        ["hybrid", onHybrid],
      ] as const) {
        if (result.perUser === undefined) continue;
        await writeUserMetrics(inputs.folder.dir, `${setting}-${method}`, result.perUser, userIds, userDegrees);
        userMetrics.push(`${setting}-${method}`);
      }
      users.coldValid = onValid.users;
      users.coldTest = onCold.users;
      users.hybrid = onHybrid.users;
      methods.push({
        method,
        applicable: true,
        valid: onValid.metrics,
        cold: onCold.metrics,
        hybrid: onHybrid.metrics,
      });
      const k = Math.min(...config.ks);
      inputs.logger.log(
        "info",
        `cold start ${method}: cold recall@${k} ${fmt(onCold.metrics[`recall@${k}`])}, hybrid recall@${k} ` +
          `${fmt(onHybrid.metrics[`recall@${k}`])}, cold share@${k} ${fmt(onHybrid.metrics[`coldShare@${k}`])}`,
      );
    }
    return {
      ratio: config.coldItems!,
      items: { warm: numWarm, coldValid: cold.coldValidItems.length, coldTest: numColdTest },
      interactions: { coldValid: cold.coldValid.indices.length, coldTest: cold.coldTest.indices.length },
      users,
      map: mapChoice,
      mapKnn: knnChoice,
      methods,
      userMetrics,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    ranking.dispose();
  }
}

/**
 * `map`'s ridge λ: the cold-valid NDCG@10 maximiser over {@link RIDGE_RELATIVE_GRID} (largest λ
 * on ties; the first when no user has a cold validation item). One tridiagonalisation serves
 * every λ, and the cold validation items' predictions need no weights (`RidgePath.predictor`).
 */
async function chooseRidge(
  context: ColdStartContext,
  validVectors: Matrix,
  coldValid: Csr,
  evaluator: ColdEvaluator,
): Promise<{ map: RidgeMap; choice: MapChoice }> {
  const path = ridgePath(context.itemVectors!, context.item);
  const predict = path.predictor(validVectors);
  const grid: MapChoice["grid"] = [];
  let best = 0;
  for (const relativeLambda of RIDGE_RELATIVE_GRID) {
    const lambda = relativeLambda * path.scale;
    const space = { user: context.user, warm: context.item, cold: predict(lambda) };
    const result = await evaluator.cold(space, coldValid, { quick: true });
    grid.push({ relativeLambda, lambda, score: result.metrics[VALID_METRIC] });
    if (grid[grid.length - 1].score >= grid[best].score) best = grid.length - 1;
  }
  const choice = { ...grid[best], selectedBy: `cold-valid ${VALID_METRIC}`, grid };
  return { map: path.fit(choice.lambda), choice };
}

/** `map-knn`'s k: the cold-valid NDCG@10 maximiser over {@link KNN_GRID} (largest k on ties). */
async function chooseNeighbours(
  context: ColdStartContext,
  validVectors: Matrix,
  coldValid: Csr,
  evaluator: ColdEvaluator,
): Promise<KnnChoice> {
  const ks = knnGrid(context.item.rows);
  const candidates = knnMapEmbeddingsForEach(context.itemVectors!, context.item, validVectors, ks);
  const grid: KnnChoice["grid"] = [];
  for (let i = 0; i < ks.length; i++) {
    const space = { user: context.user, warm: context.item, cold: candidates[i] };
    const result = await evaluator.cold(space, coldValid, { quick: true });
    grid.push({ k: ks[i], score: result.metrics[VALID_METRIC] });
  }
  const best = grid.reduce((a, b) => (b.score >= a.score ? b : a));
  return { k: best.k, selectedBy: `cold-valid ${VALID_METRIC}`, grid };
}

function fmt(value: number | undefined): string {
  return value === undefined ? "?" : value.toFixed(4);
}

/** Full-ranking evaluations of scoring spaces through the metric registry, one ranking for all. */
class ColdEvaluator {
  constructor(
    private readonly ranking: KernelRanking,
    private readonly config: RunConfig,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** The cold items ranked alone (nothing to mask: see `finishColdStart`). */
  cold(
    space: ScoringSpace,
    truth: Csr,
    options: { quick?: boolean; metrics?: readonly string[]; perUser?: boolean },
  ): Promise<EvaluationResult> {
    return evaluateFullRanking({
      numUsers: space.user.rows,
      numItems: space.cold.rows,
      rank: this.ranking.ranker(space.user, space.cold),
      truth,
      exclude: [],
      metrics: options.quick ? ["ndcg"] : options.metrics,
      ks: options.quick ? [10] : this.config.ks,
      chunkSize: this.config.evalChunk,
      perUser: options.perUser === true,
      signal: this.signal,
    });
  }

  /** Warm then cold items ranked together, with the share of cold items in each list. */
  hybrid(space: ScoringSpace, truth: Csr, exclude: Csr[], itemPopularity: Int32Array): Promise<EvaluationResult> {
    const items = stackRows(space.warm, space.cold);
    const metrics: Array<string | RankingMetric> = [...HYBRID_METRICS, coldShareMetric(space.warm.rows)];
    return evaluateFullRanking({
      numUsers: space.user.rows,
      numItems: items.rows,
      rank: this.ranking.ranker(space.user, items),
      truth,
      exclude,
      metrics,
      ks: this.config.ks,
      chunkSize: this.config.evalChunk,
      itemPopularity,
      perUser: true,
      signal: this.signal,
    });
  }
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
