import type { TrainConfig } from "./types.js";

/**
 * SGCL defaults as in the LLMInit authors' `SGCL.yaml` / `sgcl.py` for RecBole: LightGCN
 * encoder, K = 2, τ = 0.2, d = 128, no L2 term (λ = 0: their `calculate_loss` returns the
 * contrastive loss alone). Optimiser settings as LightGCN (the LLMInit runs use batch 256).
 */
export const sgclDefaults: Partial<TrainConfig> = {
  model: "sgcl",
  dim: 128,
  layers: 2,
  learningRate: 1e-3,
  regWeight: 0,
  batchSize: 2048,
  epochs: 300,
  patience: 10,
  evalEvery: 1,
  temperature: 0.2,
};
