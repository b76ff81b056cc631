export { selectBackend } from "./backend.js";
export type { BackendPreference, SelectedBackend, Tf } from "./backend.js";
export { registerFastSegmentSum, unsortedSegmentSumInto } from "./segment-sum-kernel.js";
export { buildNormalizedAdjacency, spmm, propagateMean, propagateMeanSparse } from "./adjacency.js";
export type { NormalizedAdjacency } from "./adjacency.js";
export { createPropagation } from "./propagation-op.js";
export { bprLoss } from "./loss.js";
export { gatherRows, scoreMargins } from "./row-ops.js";
export { readValues } from "./read-values.js";
export type { BprBatch } from "./loss.js";
export { initializeEmbeddings } from "./initializers.js";
export type { Initializer, EgoTables } from "./initializers.js";
export { sampleNegatives } from "./negative-sampling.js";
export { sampleRepeatableNegatives } from "./repeatable-negatives.js";
export { isImprovement, roundHalfEven, shouldStop } from "./early-stopping.js";
export type { EarlyStoppingRule } from "./early-stopping.js";
export { createLightGcn, lightgcnDefaults } from "./lightgcn.js";
export type { CfModel } from "./lightgcn.js";
export { createMf, mfDefaults } from "./mf.js";
export { trainModel, modelDefaults } from "./train-model.js";
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
export {
  createLayerwisePropagation,
  propagateMeanLayerwise,
  propagateMeanLayerwiseTransposed,
} from "./layerwise-propagation-op.js";
export { infoNceLoss, sgclLoss, l2NormalizeRows, matMulTransposed, rowLogSumExp } from "./contrastive-loss.js";
export type { InfoNceBatch, SgclBatch } from "./contrastive-loss.js";
export { createSglViews, sglDefaults, sglSslLoss } from "./sgl.js";
export type { SglSslBatch, ViewPropagation } from "./sgl.js";
export { sgclDefaults } from "./sgcl.js";
export type { SslNegatives } from "./types.js";
export { createKernelEngine, sharedProductsFor } from "./kernel-engine.js";
export type { KernelEngineOptions } from "./kernel-engine.js";
export { createTfjsEngine } from "./tfjs-engine.js";
export type { TfjsEngineOptions } from "./tfjs-engine.js";
export type {
  EngineBatch,
  EngineName,
  EngineOptions,
  EnginePreference,
  EngineState,
  TrainingEngine,
} from "./training-engine.js";
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
