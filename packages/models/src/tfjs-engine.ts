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
import { checkEngineState, float32PowerByProducts } from "./engine-state.js";
import type { EngineBatch, EngineOptions, EngineState, TrainingEngine } from "./training-engine.js";

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
    async exportState(): Promise<EngineState> {
      // [iterations, m, v]; the moments exist once a step has run.
      const [iterations, ...moments] = await optimizer.getWeights();
      const step = (await iterations.tensor.data())[0];
      iterations.tensor.dispose();
      const read = async (k: number) =>
        moments.length === 2 ? new Float32Array(await moments[k].tensor.data()) : new Float32Array(nodes * dim);
      return { ego: new Float32Array(readValues(tf, egoVar)), moment1: await read(0), moment2: await read(1), step };
    },
    async importState(state: EngineState): Promise<void> {
      checkEngineState(state, nodes, dim, "tfjs engine");
      tf.tidy(() => egoVar.assign(tf.tensor2d(state.ego, [nodes, dim], "float32")));
      const weights = [
        { name: "iter", tensor: tf.scalar(state.step, "int32") },
        { name: `${egoVar.name}/m`, tensor: tf.tensor2d(state.moment1, [nodes, dim], "float32") },
        { name: `${egoVar.name}/v`, tensor: tf.tensor2d(state.moment2, [nodes, dim], "float32") },
      ];
      await optimizer.setWeights(weights);
      tf.dispose(weights.map((w) => w.tensor)); // the optimiser's variables keep their own reference
      // setWeights sets β^t as pow(β, t + 1); the optimiser then multiplies by β once per step in
      // float32, which can differ in the last bit: restore the product for a bitwise resume.
      const powers = optimizer as unknown as Partial<Record<"accBeta1" | "accBeta2", Variable>>;
      if (typeof powers.accBeta1?.assign !== "function" || typeof powers.accBeta2?.assign !== "function")
        throw new Error("tfjs engine: this @tensorflow/tfjs-core's Adam keeps no accBeta1/accBeta2 to restore");
      const { accBeta1, accBeta2 } = powers;
      tf.tidy(() => {
        accBeta1.assign(tf.scalar(float32PowerByProducts(options.beta1, state.step), "float32"));
        accBeta2.assign(tf.scalar(float32PowerByProducts(options.beta2, state.step), "float32"));
      });
    },
    finalFromEgo: (ego: Float32Array) => model.finalFromEgo(ego, dim),
    dispose(): void {
      egoVar.dispose();
      optimizer.dispose();
    },
  };
}
