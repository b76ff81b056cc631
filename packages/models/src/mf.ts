import type { Tensor2D } from "@tensorflow/tfjs-core";
import type { Tf } from "./backend.js";
import type { TrainConfig } from "./types.js";
import type { CfModel } from "./lightgcn.js";
import { gatherRows } from "./row-ops.js";

/** MF-BPR defaults (Rendle et al. 2009, as RecBole's BPR): same optimiser settings as LightGCN. */
export const mfDefaults: Partial<TrainConfig> = {
  model: "mf",
  dim: 64,
  layers: 0,
  learningRate: 1e-3,
  regWeight: 1e-4,
  batchSize: 2048,
  epochs: 300,
  patience: 10,
  evalEvery: 1,
};

/** Matrix factorisation: the final embeddings are the ego embeddings. */
export function createMf(tf: Tf): CfModel {
  return {
    final: (ego: Tensor2D, rows?: ArrayLike<number>) =>
      rows === undefined ? ego : gatherRows(tf, ego, rows instanceof Int32Array ? rows : Int32Array.from(rows)),
    finalFromEgo: (ego) => ego.slice(),
  };
}
