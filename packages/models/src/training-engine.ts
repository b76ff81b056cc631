import type { Csr, Rng } from "@llminit/core";
import type { ModelBatch, ModelDefinition, ModelSettings } from "./model-definition.js";

/** Where training runs: tfjs ops on the selected tfjs backend, or this project's wasm SIMD kernels. */
export type EngineName = "tfjs" | "kernels";

/** Which engine to use; "auto" = kernels unless a GPU tfjs backend is installed. */
export type EnginePreference = "auto" | EngineName;

/**
 * What an engine carries from one step to the next: enough to continue training bitwise where it
 * stopped. Every engine trains the ego table with Adam, so this is the same for all of them and a
 * checkpoint does not depend on the engine's own layout (padding, tensors).
 */
export interface EngineState {
  /** The ego table, (users + items) × dim, users first. */
  ego: Float32Array;
  /** Adam's first moment (m) of the ego table, same shape. */
  moment1: Float32Array;
  /** Adam's second moment (v) of the ego table, same shape. */
  moment2: Float32Array;
  /** Adam steps taken so far (the bias corrections depend on it). */
  step: number;
}

/**
 * The part of training that touches parameters: one engine per training run. Every engine
 * implements the same building blocks (see `Blocks`), Adam and random streams, and runs the
 * model's loss on them; results differ only by floating-point rounding.
 */
export interface TrainingEngine {
  readonly name: EngineName;
  /** What runs the arithmetic, for logs and reports ("wasm", "tfjs-node-gpu", "kernels (wasm SIMD, 2 threads)"…). */
  readonly backend: string;
  /** Kernels engine: bytes of its wasm memory in use (the allocator's top), for memory reports and checks. */
  wasmBytes?(): number;
  /** Called before each epoch's steps with the epoch's random stream (augmented views, noise). */
  beginEpoch(epochRng: Rng): void;
  /** One Adam step on the model's loss for the batch; returns the batch's loss. */
  step(batch: ModelBatch): number;
  /** A copy of the ego table (nodes × dim). */
  readEgo(): Float32Array;
  /** A copy of the training state (ego table, Adam's moments and step count), for a checkpoint. */
  exportState(): Promise<EngineState>;
  /**
   * Continues from an exported state: call it on a fresh engine of the same model, settings,
   * graph and dim, before the first step.
   */
  importState(state: EngineState): Promise<void>;
  /** The model's scoring embeddings (`embed`) of an ego table, nodes × dim. */
  finalFromEgo(ego: Float32Array): Float32Array;
  dispose(): void;
}

/** What every engine is made from; the trainer fills it from its config. */
export interface EngineOptions {
  model: ModelDefinition;
  /** The model's options and training settings, defaults filled in. */
  settings: ModelSettings;
  train: Csr;
  /** Initial ego table, (users + items) × dim, users first. */
  egoInit: Float32Array;
  dim: number;
  /** Pairs per step at most. */
  batchSize: number;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}
