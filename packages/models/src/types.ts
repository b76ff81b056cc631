import type { Csr, Logger, Matrix, ProgressReporter, Rng } from "@llminit/core";
import type { Augmentation } from "./augmentation.js";
import type { EarlyStoppingRule } from "./early-stopping.js";
import type { Initializer } from "./initializers.js";
import type { EngineName, EnginePreference, EngineState } from "./training-engine.js";

/** The models this package trains. */
export type ModelName = "lightgcn" | "mf" | "sgl" | "sgcl";

/** SGL's negatives for InfoNCE: the other anchors of the batch, or every node of the type. */
export type SslNegatives = "batch" | "all";

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
  /**
   * Training negatives: "exclude-train" (default) rejects every train item of the user;
   * "exclude-positive" rejects only the current positive (RecBole's `repeatable: True`, the
   * official LLMInit code; see `sampleRepeatableNegatives`).
   */
  negatives?: "exclude-train" | "exclude-positive";
  /** When a validation score is a new best and when to stop; default "strict" (see `EarlyStoppingRule`). */
  earlyStopping?: EarlyStoppingRule;
  /** τ of the contrastive losses (SGL's InfoNCE, SGCL); default 0.2. */
  temperature?: number;
  /** SGL: weight of the InfoNCE terms next to BPR; default 0.05. */
  sslWeight?: number;
  /** SGL: share of edges (ED, RW) or of users and items (ND) dropped per view; in [0, 1); default 0.1. */
  dropRatio?: number;
  /** SGL: how views are drawn; default "ed". */
  augmentation?: Augmentation;
  /**
   * SGL: InfoNCE negatives; "all" (default) = every user / item of the second view, as RecBole's
   * `calc_ssl_loss` and the SGL paper; "batch" = the batch's other unique users / items.
   */
  sslNegatives?: SslNegatives;
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
  /** Mean batch loss of the epoch (the model's training loss: BPR + L2, + SSL for SGL, SGCL's loss). */
  loss: number;
  /** Wall-clock seconds of the epoch's training steps (validation excluded). */
  seconds: number;
  /** Validation score, when this epoch was validated. */
  valid?: number;
  /** True when these are the parameters kept so far (always true without a validate callback). */
  best: boolean;
}

/**
 * Everything training needs to continue bitwise after a finished epoch (see
 * `TrainOptions.onCheckpoint` and `TrainOptions.resumeFrom`). The random streams need no state:
 * epoch n draws from `rng.child("epoch-<n>")`.
 */
export interface TrainingCheckpoint {
  /** Epochs finished (≥ 1). */
  epoch: number;
  /** The engine that trained; a checkpoint continues on the same engine only. */
  engine: EngineName;
  /** Ego table, Adam's moments and step count after epoch `epoch`. */
  state: EngineState;
  /** Ego table of the best epoch so far (the initial one when no epoch was kept yet), nodes × dim. */
  bestEgo: Float32Array;
  /** Epoch whose parameters `bestEgo` holds (0 = the initialisation). */
  bestEpoch: number;
  bestValid?: number;
  /** Evaluations since the best one (early stopping). */
  sinceBest: number;
  /** The rule that counted `bestValid` and `sinceBest` (`TrainConfig.earlyStopping`); a resume must use the same. */
  earlyStopping: EarlyStoppingRule;
  /** One record per finished epoch. */
  history: EpochRecord[];
}

/** Everything `trainModel` needs. */
export interface TrainOptions {
  /** Train interactions, users × items. */
  train: Csr;
  config: TrainConfig;
  init: Initializer;
  /** Drives everything: children "init" and "epoch-<n>" (with "shuffle", "sampling" and, for SGL, "views"). */
  rng: Rng;
  /** Validation score of the given final embeddings; higher is better (e.g. valid NDCG@10). */
  validate?: (embeddings: Embeddings, epoch: number) => Promise<number>;
  onEpoch?: (record: EpochRecord) => void;
  /**
   * Called after every epoch (after `onEpoch`) with what a later `resumeFrom` needs; awaited
   * before the next epoch. Its arrays are fresh copies the callee may keep.
   */
  onCheckpoint?: (checkpoint: TrainingCheckpoint) => Promise<void> | void;
  /**
   * Continue from this checkpoint instead of the first epoch: with the same train graph, config,
   * seed and engine, training ends bitwise where an uninterrupted run would (the kernels engine
   * gives the same bits for any thread count).
   */
  resumeFrom?: TrainingCheckpoint;
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
  /** What ran the arithmetic: the tfjs backend as named by `selectBackend`, or "kernels (wasm SIMD, N threads)". */
  backend: string;
  /** The engine that trained. */
  engine: EngineName;
  stoppedEarly: boolean;
  /** Best validation score, when validated. */
  bestValid?: number;
}
