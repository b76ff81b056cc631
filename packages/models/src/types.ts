import type { Csr, Logger, Matrix, ProgressReporter, Rng } from "@llminit/core";
import type { EarlyStoppingRule } from "./early-stopping.js";
import type { Initializer } from "./initializers.js";
import type { ModelDefinition } from "./model-definition.js";
import type { EngineName, EnginePreference, EngineState } from "./training-engine.js";

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
  /**
   * Training negatives: "exclude-train" (default) rejects every train item of the user;
   * "exclude-positive" rejects only the current positive (RecBole's `repeatable: True`, the
   * official LLMInit code; see `sampleRepeatableNegatives`).
   */
  negatives?: "exclude-train" | "exclude-positive";
  /** When a validation score is a new best and when to stop; default "strict" (see `EarlyStoppingRule`). */
  earlyStopping?: EarlyStoppingRule;
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
  /**
   * Models of your own (`defineModel` from `@llminit/models/define`) that `config.model` may name beside the
   * registered ones; a name must be new.
   */
  models?: readonly ModelDefinition[];
  init: Initializer;
  /** Drives everything: children "init" and "epoch-<n>" (with "shuffle", "sampling", "views", "noise"). */
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
