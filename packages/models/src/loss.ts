import type { Scalar, Tensor2D } from "@tensorflow/tfjs-core";
import { ShapeError } from "@llminit/core";
import type { Tf } from "./backend.js";
import { scoreMargins } from "./row-ops.js";

/**
 * Inputs of {@link bprLoss}: B (user, positive, negative) triples, each table stacked as
 * `[users; positives; negatives]` (3B rows).
 */
export interface BprBatch {
  /** Final (propagated) embeddings of the triples, `3B × dim`; scored. */
  final: Tensor2D;
  /** Ego (layer-0, trainable) embeddings of the same triples, `3B × dim`; regularised. */
  ego: Tensor2D;
  /** λ in the formula below. */
  regWeight: number;
}

/**
 * BPR loss with squared L2 regularisation on the batch's ego embeddings, the LightGCN paper's
 * form (RecBole's `EmbLoss` computes it only with `require_pow: True`; RecBole's default and the
 * official LLMInit config set `require_pow: False`, i.e. unsquared norms):
 *
 *   loss = mean_b softplus(s(u_b, j_b) − s(u_b, i_b)) + λ · (‖E⁰_U‖² + ‖E⁰_I+‖² + ‖E⁰_I−‖²) / 2 / B
 *
 * where s(u, i) = ⟨e_u, e_i⟩ on the final embeddings, E⁰_· are the B ego rows of the batch's
 * users, positives and negatives (repeats counted), ‖·‖² the squared Frobenius norm and B the
 * batch size. `softplus(neg − pos)` equals `−log σ(pos − neg)` and, unlike tf.logSigmoid, has a
 * usable gradient. The margins come from {@link scoreMargins} (JS, exact gradient).
 * Creates intermediate tensors: call it inside `tf.tidy` or `optimizer.minimize`.
 */
export function bprLoss(tf: Tf, batch: BprBatch): Scalar {
  const { final, ego, regWeight } = batch;
  if (final.shape[0] % 3 !== 0 || ego.shape[0] !== final.shape[0] || ego.shape[1] !== final.shape[1]) {
    throw new ShapeError(
      `bprLoss: final and ego must both be 3B × dim, got ${final.shape.join(" × ")} and ${ego.shape.join(" × ")}`,
    );
  }
  const batchSize = final.shape[0] / 3;
  const ranking = tf.mean(tf.softplus(scoreMargins(tf, final)));
  if (regWeight === 0) return ranking as Scalar;
  return tf.add(ranking, tf.mul(tf.sum(tf.square(ego)), regWeight / 2 / batchSize)) as Scalar;
}
