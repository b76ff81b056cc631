import type { Csr, Logger, Matrix, ProgressReporter, Rng } from "@llminit/core";
import type { Initializer } from "./initializers.js";
import type { EngineName, EnginePreference } from "./training-engine.js";

/** A registered model's name (`modelNames()` lists them; `llminit models` shows their options). */
export type ModelName = string;

/**
 * What to train: a model and any of its settings. Omitted settings take the model's defaults
 * (`modelDefaults[model]`); model options go beside the shared settings, e.g.
 * `{ model: "sgl", augmentation: "nd" }`. Options of other models are ignored.
 */
export interface TrainConfig {
  model: ModelName;
  /** Embedding size d. */
  dim?: number;
  /** Adam learning rate. */
  learningRate?: number;
  /** λ of the L2 term on the batch's ego rows. */
  regWeight?: number;
  /** (user, positive) pairs per step. */
  batchSize?: number;
  /** Maximum epochs; 0 returns the model's scoring embeddings of the initial table. */
  epochs?: number;
  /** Evaluations without improvement of the validation score before stopping. */
  patience?: number;
  /** Validate every this many epochs (default 1); the last epoch is always validated. */
  evalEvery?: number;
  /** The model's own options (see its definition), e.g. `layers`, `temperature`. */
  [option: string]: number | string | undefined;
}

/** Node embeddings used for scoring: FINAL (propagated, for LightGCN) ones unless said otherwise. */
export interface Embeddings {
  user: Matrix;
  item: Matrix;
}

/** One line of training history; JSON-serialisable. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean batch loss of the epoch (the model's training loss). */
  loss: number;
  /** Wall-clock seconds of the epoch's training steps (validation excluded). */
  seconds: number;
  /** Validation score, when this epoch was validated. */
  valid?: number;
  /** True when these are the parameters kept so far (always true without a validate callback). */
  best: boolean;
}

/** Everything `trainModel` needs. */
export interface TrainOptions {
  /** Train interactions, users × items. */
  train: Csr;
  config: TrainConfig;
  init: Initializer;
  /** Drives everything: children "init" and "epoch-<n>" (with "shuffle", "sampling", "views", "noise"). */
  rng: Rng;
  /** Validation score of the given final embeddings; higher is better (e.g. valid NDCG@10). */
  validate?: (embeddings: Embeddings, epoch: number) => Promise<number>;
  onEpoch?: (record: EpochRecord) => void;
  /**
   * "kernels" (this project's wasm SIMD kernels, the fast CPU path), "tfjs" (TensorFlow.js ops
   * on the backend below; the GPU path) or "auto" (default): tfjs when `backend` names a tfjs
   * backend or `@tensorflow/tfjs-node-gpu` is installed, kernels otherwise.
   */
  engine?: EnginePreference;
  /** Kernels engine: threads running the kernels (this one plus workers); "auto" = every core; default 1. */
  threads?: number | "auto";
  /** tfjs backend preference passed to `selectBackend` (tfjs engine only); default "auto". */
  backend?: string;
  progress?: ProgressReporter;
  logger?: Logger;
  signal?: AbortSignal;
}

/** What training produced; embeddings are those of the best epoch. */
export interface TrainResult {
  /** The model's scoring embeddings (propagated for the graph models). */
  final: Embeddings;
  /** Ego (layer-0) embeddings. */
  ego: Embeddings;
  /** Epoch whose parameters are returned (0 = the initialisation). */
  bestEpoch: number;
  epochsRun: number;
  history: EpochRecord[];
  /** Mean training seconds per epoch (0 when no epoch ran). */
  secondsPerEpoch: number;
  /** What ran the arithmetic: the tfjs backend as named by `selectBackend`, or "kernels (wasm SIMD, N threads)". */
  backend: string;
  /** The engine that trained. */
  engine: EngineName;
  /** What trained: the model's settings, its defaults under the config's values. */
  settings: Readonly<Record<string, number | string>>;
  stoppedEarly: boolean;
  /** Best validation score, when validated. */
  bestValid?: number;
}
