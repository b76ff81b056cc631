import type { Scalar, Tensor1D, Tensor2D } from "@tensorflow/tfjs-core";
import type { Tf } from "./backend.js";

/** Inputs of {@link bprLoss}: row indices into the node tables (items offset by the user count). */
export interface BprBatch {
  /** Final (propagated) embeddings used for scoring, `nodes × dim`. */
  final: Tensor2D;
  /** Ego (layer-0, trainable) embeddings, `nodes × dim`; regularised. */
  ego: Tensor2D;
  users: Tensor1D;
  positives: Tensor1D;
  negatives: Tensor1D;
  /** λ in the formula below. */
  regWeight: number;
}

/**
 * BPR loss with L2 regularisation on the batch's ego embeddings (LightGCN paper and RecBole
 * with `require_pow: True`):
 *
 *   loss = mean_b softplus(s(u_b, j_b) − s(u_b, i_b)) + λ · (‖E⁰_U‖² + ‖E⁰_I+‖² + ‖E⁰_I−‖²) / 2 / B
 *
 * where s(u, i) = ⟨e_u, e_i⟩ on the final embeddings, E⁰_· are the B ego rows of the batch's
 * users, positives and negatives, ‖·‖² the squared Frobenius norm and B the batch size.
 * `softplus(neg − pos)` equals `−log σ(pos − neg)` and, unlike tf.logSigmoid, has a usable gradient.
 * Creates intermediate tensors: call it inside `tf.tidy` or `optimizer.minimize`.
 */
export function bprLoss(tf: Tf, batch: BprBatch): Scalar {
  const { final, ego, users, positives, negatives, regWeight } = batch;
  // One gather per table (its gradient is one segment sum over the whole table), then split.
  const indices = tf.concat([users, positives, negatives]);
  const [u, pos, neg] = tf.split(tf.gather(final, indices), 3);
  const ranking = tf.mean(tf.softplus(tf.sub(tf.sum(tf.mul(u, neg), 1), tf.sum(tf.mul(u, pos), 1))));
  if (regWeight === 0) return ranking as Scalar;
  const batchSize = users.shape[0];
  const squares = tf.sum(tf.square(tf.gather(ego, indices)));
  return tf.add(ranking, tf.mul(squares, regWeight / 2 / batchSize)) as Scalar;
}
