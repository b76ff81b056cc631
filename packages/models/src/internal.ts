/**
 * `@llminit/models/internal`: the machinery behind `trainModel` (engines and their building blocks, propagation,
 * losses, samplers, early stopping, memory planning), for this repository's pipeline, benchmarks and tests and
 * for contributors. No stability promise: names and signatures change with the models. Users: import from
 * `@llminit/models` (training) or `@llminit/models/define` (a model of your own).
 */
export { unsortedSegmentSumInto } from "./segment-sum-kernel.js";
export { buildNormalizedAdjacency, spmm, propagateMean, propagateMeanSparse } from "./adjacency.js";
export type { NormalizedAdjacency } from "./adjacency.js";
export { readValues } from "./read-values.js";
export { initializeEmbeddings } from "./initializers.js";
export type { EgoTables } from "./initializers.js";
export { sampleNegatives } from "./negative-sampling.js";
export { sampleRepeatableNegatives } from "./repeatable-negatives.js";
export { isImprovement, roundHalfEven, shouldStop } from "./early-stopping.js";
export { isolatedItemScale, resolveTrainConfig } from "./model-registry.js";
export { sampleAugmentedView, edgeDropout, nodeDropout } from "./augmentation.js";
export type { AugmentedView } from "./augmentation.js";
export { infoNceLoss, pairContrastLoss, l2NormalizeRows, matMulTransposed, rowLogSumExp } from "./contrastive-loss.js";
export type { InfoNceBatch } from "./contrastive-loss.js";
export { createKernelEngine, sharedProductsFor } from "./kernel-engine.js";
export type { KernelEngineOptions } from "./kernel-engine.js";
export { createTfjsEngine } from "./tfjs-engine.js";
export type { TfjsEngineOptions } from "./tfjs-engine.js";
export type { SparseOps } from "./tfjs-graph.js";
export type { EngineOptions, TrainingEngine } from "./training-engine.js";
export { KernelPropagation, allocateKernelCsr, copyIntoKernelCsr } from "./kernel-propagation.js";
export type { KernelCsr } from "./kernel-propagation.js";
export { ContrastiveWorkspace, bprLossAndGradient } from "./kernel-losses.js";
export { WASM32_MEMORY_LIMIT_BYTES, checkKernelEngineMemory, planKernelEngine } from "./kernel-memory.js";
export type { KernelEngineRun, KernelEnginePlan } from "./kernel-memory.js";
