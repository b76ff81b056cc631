import type { Tensor2D } from "@tensorflow/tfjs-core";
import type { Csr } from "@llminit/core";
import type { Tf } from "./backend.js";
import { buildNormalizedAdjacency, propagateMean } from "./adjacency.js";
import { createPropagation } from "./propagation-op.js";
import type { TrainConfig } from "./types.js";

/**
 * LightGCN defaults (He et al. 2020, squared L2 as in the paper, see `bprLoss`): d = 64, K = 2,
 * Adam lr 1e-3, λ = 1e-4, batch 2048, early stopping after 10 evaluations. (RecBole's LightGCN,
 * and the official LLMInit code, use `require_pow: False`: unsquared norms, λ = 1e-5.)
 */
export const lightgcnDefaults: Partial<TrainConfig> = {
  model: "lightgcn",
  dim: 64,
  layers: 2,
  learningRate: 1e-3,
  regWeight: 1e-4,
  batchSize: 2048,
  epochs: 300,
  patience: 10,
  evalEvery: 1,
};

/** A trainable model over one `nodes × dim` ego table (users first, then items). */
export interface CfModel {
  /** Final embeddings as a differentiable tensor op: all rows, or only `rows` in that order. */
  final(ego: Tensor2D, rows?: ArrayLike<number>): Tensor2D;
  /** The same map on plain arrays (validation, results). */
  finalFromEgo(ego: Float32Array, dim: number): Float32Array;
}

/** LightGCN over the train graph: final = mean of layers 0…K of Â-propagation. */
export function createLightGcn(tf: Tf, train: Csr, layers: number): CfModel {
  const adjacency = buildNormalizedAdjacency(train);
  const propagate = createPropagation(tf, adjacency, layers);
  return {
    final: propagate,
    finalFromEgo: (ego, dim) => propagateMean(adjacency, ego, dim, layers),
  };
}
