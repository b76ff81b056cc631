/**
 * `@llminit/models`: train the registered models (LightGCN, MF-BPR, SGL, SGCL, SimGCL, XSimGCL) with `trainModel`;
 * read the registry with `modelNames`, `getModel` and `modelDefaults`; check a kernels-engine run's wasm memory
 * before loading data. Runs in Node and in browsers (the kernels engine); the TensorFlow.js engine needs the
 * optional peer packages named in the README. Other entry points: `@llminit/models/define` (write a model of
 * your own), `@llminit/models/tfjs` (choose a tfjs backend yourself), `@llminit/models/internal` (engines and
 * blocks, no stability promise).
 */
export { trainModel } from "./train-model.js";
export { getModel, modelDefaults, modelNames } from "./model-registry.js";
export { assertKernelEngineFits, kernelEngineMemory, largestFittingDim } from "./kernel-memory.js";
export type { KernelEngineMemory, KernelEngineShape } from "./kernel-memory.js";
export type {
  ModelName,
  TrainConfig,
  TrainOptions,
  TrainResult,
  Embeddings,
  EpochRecord,
  TrainingCheckpoint,
} from "./types.js";
export type { Initializer } from "./initializers.js";
export type { EarlyStoppingRule } from "./early-stopping.js";
export type { EngineName, EnginePreference, EngineState } from "./training-engine.js";
export type { ModelDefinition, ModelOption, TrainingDefaults } from "./model-definition.js";
