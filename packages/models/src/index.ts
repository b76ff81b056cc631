/**
 * `@llminit/models`: train LightGCN, MF-BPR, SGL and SGCL (`trainModel`, defaults in `modelDefaults`). Runs in
 * Node and in browsers (the kernels engine); the TensorFlow.js engine needs the optional peer packages named in
 * the README. Choosing a tfjs backend by hand: `@llminit/models/tfjs`. Building blocks (engines, losses,
 * propagation) are in `@llminit/models/internal`, with no stability promise.
 */
export { trainModel, modelDefaults } from "./train-model.js";
export type {
  ModelName,
  TrainConfig,
  TrainOptions,
  TrainResult,
  Embeddings,
  EpochRecord,
  SslNegatives,
} from "./types.js";
export type { Initializer } from "./initializers.js";
export type { Augmentation } from "./augmentation.js";
export type { EngineName, EnginePreference } from "./training-engine.js";
