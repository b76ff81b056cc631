// The demo's experiment, the same in a page (src/worker.ts) and in Node (src/node-speed.ts): filter and split
// the data, turn items into texts, initialise LightGCN with LLMInit var or xavier, train both, evaluate.
import { createRng, csrRow } from "@llminit/core";
import type { Matrix } from "@llminit/core";
import { buildItemTexts, filterInteractions, splitInteractions } from "@llminit/data/browser";
import type { Split, StageStats } from "@llminit/data/browser";
import { createKernelRanking, evaluateFullRanking, topKIndices } from "@llminit/metrics";
import { modelDefaults, trainModel } from "@llminit/models";
import type { EpochRecord, Initializer, TrainConfig, TrainResult } from "@llminit/models";
import { llminitInit } from "@llminit/selection";
import type { LoadedData } from "./parse-files.js";

/** The two initialisations the demo compares. */
export type DemoInit = "var" | "xavier";
export const DEMO_INITS: readonly DemoInit[] = ["var", "xavier"];

/**
 * LightGCN as the demo trains it, in the page and in Node alike: d 64, 2 layers, the paper's batch 256 and
 * learning rate 1e-3, at most 40 epochs with early stopping on valid NDCG@10 (patience 10).
 */
export const DEMO_CONFIG = {
  ...modelDefaults.lightgcn,
  dim: 64,
  layers: 2,
  batchSize: 256,
  learningRate: 1e-3,
  epochs: 40,
  patience: 10,
} satisfies TrainConfig;

/** A demo configuration: a LightGCN config whose size and length are given. */
export type DemoConfig = TrainConfig & { dim: number; layers: number; batchSize: number; epochs: number };

/** The demo's seed (the paper's). */
export const DEMO_SEED = 2020;

/** Filtered and split data with one text and one display title per item. */
export interface PreparedData {
  name: string;
  split: Split;
  itemTexts: string[];
  titles: string[];
  stats: StageStats[];
}

/**
 * Rating ≥ 4 where the data has ratings, iterative 5-core, random leave-one-out (the paper's protocol), item
 * texts from the template (the item id where an item has no fields).
 */
export function prepareData(data: LoadedData, seed = DEMO_SEED): PreparedData {
  const hasRatings = data.log.rating !== undefined;
  const { log, stats } = filterInteractions(data.log, { minRating: hasRatings ? 4 : undefined, kCore: 5 });
  const split = splitInteractions(log, { method: "random-loo", rng: createRng(seed) });
  const texts = buildItemTexts(split.items, data.features, data.textTemplate);
  const itemTexts = texts.map((text, i) => (text === "" ? split.items.idOf(i) : text));
  const titles = itemTexts.map((text, i) => {
    const record = data.features.get(split.items.idOf(i));
    return (data.titleField === undefined ? undefined : record?.[data.titleField]) ?? text;
  });
  return { name: data.name, split, itemTexts, titles, stats };
}

/** Options of {@link trainBoth}. */
export interface TrainBothOptions {
  /** Kernels threads per training (1 without cross-origin isolation). */
  threads: number;
  config?: DemoConfig;
  seed?: number;
  onEpoch?: (init: DemoInit, record: EpochRecord) => void;
  signal?: AbortSignal;
}

/** Valid NDCG@10 by full ranking, train items masked. */
function validator(split: Split, threads: number) {
  const ranking = createKernelRanking({ threads });
  return {
    async validate(final: { user: Matrix; item: Matrix }): Promise<number> {
      const result = await evaluateFullRanking({
        numUsers: split.train.rows,
        numItems: split.train.cols,
        rank: ranking.ranker(final.user, final.item),
        truth: split.valid,
        exclude: [split.train],
        ks: [10],
        metrics: ["ndcg"],
      });
      return result.metrics["ndcg@10"];
    },
    dispose: () => ranking.dispose(),
  };
}

/**
 * Trains LightGCN twice on the kernels engine, side by side: from LLMInit var (`encoded`: the items' encoder
 * vectors) and from xavier. The two runs interleave epoch by epoch (each yields between epochs).
 */
export async function trainBoth(
  data: PreparedData,
  encoded: Matrix,
  options: TrainBothOptions,
): Promise<Record<DemoInit, TrainResult>> {
  const config = options.config ?? DEMO_CONFIG;
  const rng = createRng(options.seed ?? DEMO_SEED);
  const { split } = data;
  const selected = llminitInit(encoded, split.train, { strategy: "var", dim: config.dim, rng: rng.child("init") });
  const inits: Record<DemoInit, Initializer> = {
    var: { kind: "pretrained", user: selected.user, item: selected.item },
    xavier: { kind: "xavier" },
  };
  const runs = DEMO_INITS.map(async (init) => {
    const check = validator(split, options.threads);
    try {
      return await trainModel({
        train: split.train,
        config,
        init: inits[init],
        rng: rng.child("train"),
        engine: "kernels",
        threads: options.threads,
        validate: check.validate,
        onEpoch: (record) => options.onEpoch?.(init, record),
        signal: options.signal,
      });
    } finally {
      check.dispose();
    }
  });
  const [varResult, xavierResult] = await Promise.all(runs);
  return { var: varResult, xavier: xavierResult };
}

/** Test NDCG@10 and Recall@10 of a trained model (valid and train items masked). */
export async function testMetrics(data: PreparedData, result: TrainResult): Promise<Record<string, number>> {
  const ranking = createKernelRanking();
  try {
    const evaluation = await evaluateFullRanking({
      numUsers: data.split.train.rows,
      numItems: data.split.train.cols,
      rank: ranking.ranker(result.final.user, result.final.item),
      truth: data.split.test,
      exclude: [data.split.train, data.split.valid],
      ks: [10],
      metrics: ["ndcg", "recall"],
    });
    return evaluation.metrics;
  } finally {
    ranking.dispose();
  }
}

/** The `k` best items for `user` by ⟨user, item⟩ of the final embeddings, the user's train items masked. */
export function recommend(data: PreparedData, result: TrainResult, user: number, k = 10): number[] {
  const { user: users, item: items } = result.final;
  const dim = users.cols;
  const scores = new Float32Array(items.rows);
  for (let j = 0; j < items.rows; j++) {
    let sum = 0;
    for (let c = 0; c < dim; c++) sum += users.data[user * dim + c] * items.data[j * dim + c];
    scores[j] = sum;
  }
  const masked = new Uint8Array(items.rows);
  for (const j of csrRow(data.split.train, user)) masked[j] = 1;
  return Array.from(topKIndices(scores, k, masked));
}
