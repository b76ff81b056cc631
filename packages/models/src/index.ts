export { selectBackend } from "./backend.js";
export type { BackendPreference, SelectedBackend, Tf } from "./backend.js";
export { registerFastSegmentSum, unsortedSegmentSumInto } from "./segment-sum-kernel.js";
export { buildNormalizedAdjacency, spmm, propagateMean, propagateMeanSparse } from "./adjacency.js";
export type { NormalizedAdjacency } from "./adjacency.js";
export { readValues } from "./read-values.js";
export { initializeEmbeddings } from "./initializers.js";
export type { Initializer, EgoTables } from "./initializers.js";
export { sampleNegatives } from "./negative-sampling.js";
export { sampleRepeatableNegatives } from "./repeatable-negatives.js";
export { isImprovement, roundHalfEven, shouldStop } from "./early-stopping.js";
export type { EarlyStoppingRule } from "./early-stopping.js";
export { trainModel } from "./train-model.js";
export { MODELS } from "./models/index.js";
export { getModel, isolatedItemScale, modelDefaults, modelNames, optionProblem } from "./model-registry.js";
export { defineModel } from "./model-definition.js";
export type {
  Blocks,
  Graph,
  InfoNceOptions,
  ModelBatch,
  ModelDefinition,
  ModelOption,
  ModelSettings,
  OptionValues,
  PropagateOptions,
  Propagation,
  Rows,
  Term,
  TrainingDefaults,
  ViewOptions,
} from "./model-definition.js";
export type {
  ModelName,
  TrainConfig,
  Embeddings,
  EpochRecord,
  TrainingCheckpoint,
  TrainOptions,
  TrainResult,
} from "./types.js";
export { sampleAugmentedView, edgeDropout, nodeDropout } from "./augmentation.js";
export type { Augmentation, AugmentedView } from "./augmentation.js";
export { infoNceLoss, pairContrastLoss, l2NormalizeRows, matMulTransposed, rowLogSumExp } from "./contrastive-loss.js";
export type { InfoNceBatch } from "./contrastive-loss.js";
export { createKernelEngine, sharedProductsFor } from "./kernel-engine.js";
export type { KernelEngineOptions } from "./kernel-engine.js";
export { createTfjsEngine } from "./tfjs-engine.js";
export type { TfjsEngineOptions } from "./tfjs-engine.js";
export type { SparseOps } from "./tfjs-graph.js";
export type { EngineName, EngineOptions, EnginePreference, EngineState, TrainingEngine } from "./training-engine.js";
export { KernelPropagation, allocateKernelCsr, copyIntoKernelCsr } from "./kernel-propagation.js";
export type { KernelCsr } from "./kernel-propagation.js";
export { ContrastiveWorkspace, bprLossAndGradient } from "./kernel-losses.js";
export {
  WASM32_MEMORY_LIMIT_BYTES,
  assertKernelEngineFits,
  kernelEngineMemory,
  largestFittingDim,
} from "./kernel-memory.js";
export type { KernelEngineMemory, KernelEngineShape } from "./kernel-memory.js";
