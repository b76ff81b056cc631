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
 */
export function bprLoss(tf: Tf, batch: BprBatch): Scalar {
  return tf.tidy(() => {
    const { final, ego, users, positives, negatives, regWeight } = batch;
    const u = tf.gather(final, users);
    const pos = tf.sum(tf.mul(u, tf.gather(final, positives)), 1);
    const neg = tf.sum(tf.mul(u, tf.gather(final, negatives)), 1);
    const ranking = tf.mean(tf.softplus(tf.sub(neg, pos)));
    if (regWeight === 0) return ranking as Scalar;
    const squares = tf.addN([
      tf.sum(tf.square(tf.gather(ego, users))),
      tf.sum(tf.square(tf.gather(ego, positives))),
      tf.sum(tf.square(tf.gather(ego, negatives))),
    ]);
    const batchSize = users.shape[0];
    return tf.add(ranking, tf.mul(squares, regWeight / 2 / batchSize)) as Scalar;
  });
}
