import type { Scalar, Tensor2D, Variable } from "@tensorflow/tfjs-core";
import type { Rng } from "@llminit/core";
import type { Tf } from "./backend.js";
import { createLightGcn } from "./lightgcn.js";
import type { CfModel } from "./lightgcn.js";
import { bprLoss } from "./loss.js";
import { createMf } from "./mf.js";
import { gatherRows } from "./row-ops.js";
import { readValues } from "./read-values.js";
import { sgclLoss } from "./contrastive-loss.js";
import { createSglViews, sglSslLoss } from "./sgl.js";
import type { ViewPropagation } from "./sgl.js";
import type { EngineBatch, EngineOptions, TrainingEngine } from "./training-engine.js";

/** Everything the tfjs engine needs. */
export interface TfjsEngineOptions extends EngineOptions {
  tf: Tf;
  /** The tfjs backend's name, as `selectBackend` gave it. */
  backend: string;
}

/**
 * Training with TensorFlow.js ops and `tf.train.adam` on the active tfjs backend (the path
 * for `@tensorflow/tfjs-node-gpu`). Propagation is a custom op over the CSR adjacency.
 */
export function createTfjsEngine(options: TfjsEngineOptions): TrainingEngine {
  const { tf, model: modelName, train, dim, layers, regWeight, temperature, sslWeight } = options;
  const users = train.rows;
  const nodes = users + train.cols;
  const model: CfModel = modelName === "mf" ? createMf(tf) : createLightGcn(tf, train, layers);
  const egoVar: Variable = tf.tidy(() =>
    tf.variable(tf.tensor2d(options.egoInit, [nodes, dim], "float32"), true, undefined, "float32"),
  );
  const optimizer = tf.train.adam(options.learningRate, options.beta1, options.beta2, options.epsilon);
  let views: [ViewPropagation, ViewPropagation] | undefined;

  return {
    name: "tfjs",
    backend: options.backend,
    beginEpoch(epochRng: Rng): void {
      // SGL: two augmented views per epoch, from the epoch's own random stream.
      if (modelName === "sgl")
        views = createSglViews(tf, train, options.augmentation, options.dropRatio, layers, epochRng.child("views"));
    },
    step(batch: EngineBatch): number {
      const { stacked, anchorUsers, anchorItems } = batch;
      const lossT = optimizer.minimize(
        () => {
          const ego = gatherRows(tf, egoVar as Tensor2D, stacked);
          const final = modelName === "mf" ? ego : model.final(egoVar as Tensor2D, stacked);
          if (modelName === "sgcl") return sgclLoss(tf, { final, ego, temperature, regWeight });
          const bpr = bprLoss(tf, { final, ego, regWeight });
          if (views === undefined || anchorUsers === undefined || anchorItems === undefined || sslWeight === 0)
            return bpr;
          const ssl = sglSslLoss(tf, {
            ego: egoVar as Tensor2D,
            views,
            users,
            anchorUsers,
            anchorItems,
            negatives: options.sslNegatives,
            temperature,
          });
          return tf.add(bpr, tf.mul(ssl, sslWeight)) as Scalar;
        },
        true,
        [egoVar],
      );
      const loss = lossT === null ? Number.NaN : lossT.dataSync()[0];
      lossT?.dispose();
      return loss;
    },
    readEgo: () => new Float32Array(readValues(tf, egoVar)),
    finalFromEgo: (ego: Float32Array) => model.finalFromEgo(ego, dim),
    dispose(): void {
      egoVar.dispose();
      optimizer.dispose();
    },
  };
}
