import type { Scalar, Tensor2D } from "@tensorflow/tfjs-core";
import type { Csr, Rng } from "@llminit/core";
import type { Tf } from "./backend.js";
import { sampleAugmentedView } from "./augmentation.js";
import type { Augmentation } from "./augmentation.js";
import { infoNceLoss } from "./contrastive-loss.js";
import { createLayerwisePropagation } from "./layerwise-propagation-op.js";
import { createPropagation } from "./propagation-op.js";
import type { SslNegatives, TrainConfig } from "./types.js";

/**
 * SGL defaults (Wu et al. SIGIR 2021) as in the LLMInit authors' `SGL.yaml` for RecBole:
 * SGL-ED, K = 2, τ = 0.2, SSL weight 0.05, drop ratio 0.1, d = 128, λ = 1e-5; InfoNCE against
 * all nodes of the second view, as RecBole's `calc_ssl_loss`. Optimiser settings as LightGCN
 * (the LLMInit runs use batch 256).
 */
export const sglDefaults: Partial<TrainConfig> = {
  model: "sgl",
  dim: 128,
  layers: 2,
  learningRate: 1e-3,
  regWeight: 1e-5,
  batchSize: 2048,
  epochs: 300,
  patience: 10,
  evalEvery: 1,
  temperature: 0.2,
  sslWeight: 0.05,
  dropRatio: 0.1,
  augmentation: "ed",
  sslNegatives: "all",
};

/** A view's LightGCN propagation as a differentiable op: all rows, or `rows` in order. */
export type ViewPropagation = (ego: Tensor2D, rows?: ArrayLike<number>) => Tensor2D;

/**
 * Draws SGL's two augmented views of the train graph (children "view-1" and "view-2" of
 * `rng`; pass a child per epoch) and returns their propagation ops: the row-pruned
 * {@link createPropagation} for ED/ND, {@link createLayerwisePropagation} for RW.
 */
export function createSglViews(
  tf: Tf,
  train: Csr,
  augmentation: Augmentation,
  dropRatio: number,
  layers: number,
  rng: Rng,
): [ViewPropagation, ViewPropagation] {
  const make = (name: string): ViewPropagation => {
    const view = sampleAugmentedView(train, augmentation, dropRatio, layers, rng.child(name));
    return augmentation === "rw"
      ? createLayerwisePropagation(tf, view.layers)
      : createPropagation(tf, view.layers[0], layers);
  };
  return [make("view-1"), make("view-2")];
}

function allRows(nodes: number): Int32Array {
  const rows = new Int32Array(nodes);
  for (let r = 0; r < nodes; r++) rows[r] = r;
  return rows;
}

/** Inputs of {@link sglSslLoss}. */
export interface SglSslBatch {
  /** The whole ego table, `(users + items) × dim`, users first. */
  ego: Tensor2D;
  views: [ViewPropagation, ViewPropagation];
  /** Number of users (item i is node users + i). */
  users: number;
  /** The batch's distinct users (node ids). */
  anchorUsers: Int32Array;
  /** The batch's distinct positive items (item ids, not node ids). */
  anchorItems: Int32Array;
  negatives: SslNegatives;
  temperature: number;
}

/**
 * SGL's self-supervised term `InfoNCE(users) + InfoNCE(items)` (see {@link infoNceLoss}) on the
 * batch's distinct users and distinct positive items, view 1 against view 2. With
 * `negatives: "all"` the candidates are every user (resp. item) of view 2; with "batch" the
 * anchors of the same type.
 */
export function sglSslLoss(tf: Tf, batch: SglSslBatch): Scalar {
  const { ego, views, users, anchorUsers, anchorItems, negatives, temperature } = batch;
  const nu = anchorUsers.length;
  const ni = anchorItems.length;
  const anchors = new Int32Array(nu + ni);
  anchors.set(anchorUsers, 0);
  for (let k = 0; k < ni; k++) anchors[nu + k] = users + anchorItems[k];
  const z1 = views[0](ego, anchors);
  const z1Users = tf.slice(z1, [0, 0], [nu, -1]) as Tensor2D;
  const z1Items = tf.slice(z1, [nu, 0], [ni, -1]) as Tensor2D;
  if (negatives === "batch") {
    const z2 = views[1](ego, anchors);
    const z2Users = tf.slice(z2, [0, 0], [nu, -1]) as Tensor2D;
    const z2Items = tf.slice(z2, [nu, 0], [ni, -1]) as Tensor2D;
    return tf.add(
      infoNceLoss(tf, { view1: z1Users, view2: z2Users, temperature }),
      infoNceLoss(tf, { view1: z1Items, view2: z2Items, temperature }),
    ) as Scalar;
  }
  // All rows, requested explicitly: the op's row path writes its output straight into the wasm
  // heap (its all-rows path builds the tensor from a JS array, several times slower there).
  const z2 = views[1](ego, allRows(ego.shape[0]));
  const z2Users = tf.slice(z2, [0, 0], [users, -1]) as Tensor2D;
  const z2Items = tf.slice(z2, [users, 0], [ego.shape[0] - users, -1]) as Tensor2D;
  return tf.add(
    infoNceLoss(tf, { view1: z1Users, view2: z2Users, positives: anchorUsers, temperature }),
    infoNceLoss(tf, { view1: z1Items, view2: z2Items, positives: anchorItems, temperature }),
  ) as Scalar;
}
