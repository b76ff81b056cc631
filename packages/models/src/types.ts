import type { Csr, Logger, Matrix, ProgressReporter, Rng } from "@llminit/core";
import type { Initializer } from "./initializers.js";

/** The models this package trains. */
export type ModelName = "lightgcn" | "mf";

/** Training hyper-parameters (see `modelDefaults` for per-model defaults). */
export interface TrainConfig {
  model: ModelName;
  /** Embedding size d. */
  dim: number;
  /** LightGCN propagation layers K (ignored by MF). */
  layers: number;
  /** Adam learning rate. */
  learningRate: number;
  /** λ of the L2 term on the batch's ego embeddings (see `bprLoss`). */
  regWeight: number;
  /** (user, positive) pairs per step. */
  batchSize: number;
  /** Maximum epochs; 0 returns the (propagated) initial embeddings. */
  epochs: number;
  /** Evaluations without improvement of the validation score before stopping. */
  patience: number;
  /** Validate every this many epochs (default 1); the last epoch is always validated. */
  evalEvery?: number;
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
  /** Mean batch loss (BPR + L2) of the epoch. */
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
  /** Drives everything: children "init" and "epoch-<n>" (with "shuffle" and "sampling"). */
  rng: Rng;
  /** Validation score of the given final embeddings; higher is better (e.g. valid NDCG@10). */
  validate?: (embeddings: Embeddings, epoch: number) => Promise<number>;
  onEpoch?: (record: EpochRecord) => void;
  /** Backend preference passed to `selectBackend`; default "auto". */
  backend?: string;
  progress?: ProgressReporter;
  logger?: Logger;
  signal?: AbortSignal;
}

/** What training produced; embeddings are those of the best epoch. */
export interface TrainResult {
  /** Final embeddings for scoring (propagated for LightGCN). */
  final: Embeddings;
  /** Ego (layer-0) embeddings. */
  ego: Embeddings;
  /** Epoch whose parameters are returned (0 = the initialisation). */
  bestEpoch: number;
  epochsRun: number;
  history: EpochRecord[];
  /** Mean training seconds per epoch (0 when no epoch ran). */
  secondsPerEpoch: number;
  /** The backend that ran, as named by `selectBackend`. */
  backend: string;
  stoppedEarly: boolean;
  /** Best validation score, when validated. */
  bestValid?: number;
}
