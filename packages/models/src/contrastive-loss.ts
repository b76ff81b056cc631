import type { Scalar, Tensor, Tensor1D, Tensor2D } from "@tensorflow/tfjs-core";
import { ShapeError } from "@llminit/core";
import type { Tf } from "./backend.js";
import { takeRows } from "./tfjs-graph.js";
import type { SparseOps } from "./tfjs-graph.js";

/** ε of the L2 normalisation on the squared norm: PyTorch's `F.normalize` clamps ‖x‖ at 1e-12. */
const NORM_EPSILON_SQUARED = 1e-24;

/**
 * Row-wise L2 normalisation `x / max(‖x‖, 1e-12)` (PyTorch's `F.normalize`), composed as
 * `x · rsqrt(max(Σx², 1e-24))` since tfjs-core has no such op. Differentiable.
 */
export function l2NormalizeRows(tf: Tf, x: Tensor2D): Tensor2D {
  return tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), 1, true), NORM_EPSILON_SQUARED))) as Tensor2D;
}

/**
 * `a · bᵀ` (`rows(a) × rows(b)`) with a hand-written gradient that never multiplies by a
 * transposed second operand (about 10× slower on wasm): the forward transposes b once, the
 * backward computes `dA = dY · b` and `dB = dYᵀ · a` with explicit transposes.
 */
export function matMulTransposed(tf: Tf, a: Tensor2D, b: Tensor2D): Tensor2D {
  if (a.shape[1] !== b.shape[1])
    throw new ShapeError(`matMulTransposed: ${a.shape.join(" × ")} and ${b.shape.join(" × ")} differ in columns`);
  const op = tf.customGrad((x, y, save) => {
    (save as (tensors: Tensor[]) => void)([x as Tensor2D, y as Tensor2D]);
    const value = tf.matMul(x as Tensor2D, tf.transpose(y as Tensor2D)) as Tensor2D;
    const gradFunc = (dy: Tensor2D, saved: Tensor[]) => [
      tf.matMul(dy, saved[1] as Tensor2D),
      tf.matMul(tf.transpose(dy), saved[0] as Tensor2D),
    ];
    return { value, gradFunc };
  });
  return op(a, b) as Tensor2D;
}

/**
 * Row-wise `log Σ_j exp(x_ij)`, stable (`m_i + log Σ_j exp(x_ij − m_i)`, m_i the row maximum),
 * with a hand-written gradient `dy_i · softmax_ij` from the forward pass's exponentials. The
 * gradient tfjs derives for tf.logSumExp goes through max/equal/broadcast ops and costs ~15×
 * the forward pass on wasm for a 2048 × 4096 logit matrix.
 */
export function rowLogSumExp(tf: Tf, x: Tensor2D): Tensor1D {
  const rows = x.shape[0];
  const op = tf.customGrad((input, save) => {
    const max = tf.max(input as Tensor2D, 1, true);
    const shifted = tf.exp(tf.sub(input as Tensor2D, max)); // every exponent ≤ 0
    const total = tf.sum(shifted, 1);
    const value = tf.add(tf.reshape(max, [rows]), tf.log(total)) as Tensor1D;
    (save as (tensors: Tensor[]) => void)([shifted, total]);
    // softmax_ij · dy_i = shifted_ij · (dy_i / total_i): one broadcast product, no second exp.
    const gradFunc = (dy: Tensor1D, saved: Tensor[]) =>
      tf.mul(saved[0], tf.reshape(tf.div(dy, saved[1]), [rows, 1])) as Tensor2D;
    return { value, gradFunc };
  });
  return op(x) as Tensor1D;
}

/** Inputs of {@link infoNceLoss}. */
export interface InfoNceBatch {
  /** First-view embeddings of the anchor nodes, `S × dim` (not normalised: the loss normalises). */
  view1: Tensor2D;
  /**
   * Second-view embeddings of the candidates, `M × dim` (not normalised). Without `positives`,
   * M = S and candidate s is anchor s's positive (in-batch negatives).
   */
  view2: Tensor2D;
  /** Row of `view2` that is each anchor's positive (length S); omit for the in-batch form. */
  positives?: Int32Array;
  /** τ. */
  temperature: number;
  /** How `positives` are gathered (see `SparseOps`); default "segments". */
  ops?: SparseOps;
}

/**
 * InfoNCE between two views (SGL's self-supervised loss, one node type):
 *
 *   loss = −mean_s log( exp(z1_s · z2_{p(s)} / τ) / Σ_{t=1…M} exp(z1_s · z2_t / τ) )
 *        = mean_s [ logSumExp_t(z1_s · z2_t / τ) − z1_s · z2_{p(s)} / τ ]
 *
 * with z = L2-normalised rows, p(s) = `positives[s]` (or s). Stable: the log-sum-exp form
 * never exponentiates a logit without subtracting the row maximum ({@link rowLogSumExp}).
 * Creates intermediate tensors: call it inside `tf.tidy` or `optimizer.minimize`.
 */
export function infoNceLoss(tf: Tf, batch: InfoNceBatch): Scalar {
  const { view1, view2, positives, temperature, ops = "segments" } = batch;
  const [anchors, dim] = view1.shape;
  if (view2.shape[1] !== dim) throw new ShapeError(`infoNceLoss: views of ${dim} and ${view2.shape[1]} columns`);
  if (positives === undefined ? view2.shape[0] !== anchors : positives.length !== anchors) {
    throw new ShapeError(
      `infoNceLoss: ${anchors} anchors but ${positives === undefined ? `${view2.shape[0]} candidates` : `${positives.length} positives`}`,
    );
  }
  if (!(temperature > 0)) throw new RangeError(`infoNceLoss: temperature must be positive, got ${temperature}`);
  const z1 = l2NormalizeRows(tf, view1);
  const z2 = l2NormalizeRows(tf, view2);
  const matched = positives === undefined ? z2 : takeRows(tf, z2, positives, ops);
  const positive = tf.sum(tf.mul(z1, matched), 1) as Tensor1D;
  const logits = tf.mul(matMulTransposed(tf, z1, z2), 1 / temperature) as Tensor2D;
  return tf.mean(tf.sub(rowLogSumExp(tf, logits), tf.mul(positive, 1 / temperature))) as Scalar;
}

/**
 * SGCL's supervised graph contrastive loss (the LLMInit authors' `sgcl.py`) on B pairs stacked
 * `[a; b]` (`pairs`, 2B × dim; in SGCL the batch's observed (user, item) pairs, repeats kept),
 * L2-normalised:
 *
 *   loss = −mean_k log( exp(a_k·b_k/τ) / (Σ_{k'} exp(a_k·a_{k'}/τ) + Σ_{k'} exp(b_k·b_{k'}/τ)) )
 *
 * Both sums run over all B rows, k' = k included (e^{1/τ}); the positive pair is not in the
 * denominator. Computed as `mean_k [logSumExp_{k'}([AAᵀ | BBᵀ]_k / τ) − a_k·b_k/τ]`. The official
 * code sums over the batch; here it is a mean (Adam is invariant to a constant loss scale up to ε).
 */
export function pairContrastLoss(tf: Tf, pairs: Tensor2D, temperature: number): Scalar {
  if (pairs.shape[0] % 2 !== 0)
    throw new ShapeError(`pairContrastLoss: expected 2B stacked rows, got ${pairs.shape[0]}`);
  if (!(temperature > 0)) throw new RangeError(`pairContrastLoss: temperature must be positive, got ${temperature}`);
  const size = pairs.shape[0] / 2;
  const z = l2NormalizeRows(tf, pairs);
  const u = tf.slice(z, [0, 0], [size, -1]) as Tensor2D;
  const i = tf.slice(z, [size, 0], [size, -1]) as Tensor2D;
  const positive = tf.sum(tf.mul(u, i), 1);
  // logSumExp over the row [UUᵀ | IIᵀ]/τ, as logAddExp of the two halves' (no B × 2B concat).
  const lseUsers = rowLogSumExp(tf, tf.mul(matMulTransposed(tf, u, u), 1 / temperature) as Tensor2D);
  const lseItems = rowLogSumExp(tf, tf.mul(matMulTransposed(tf, i, i), 1 / temperature) as Tensor2D);
  const top = tf.maximum(lseUsers, lseItems);
  const lse = tf.add(top, tf.log(tf.add(tf.exp(tf.sub(lseUsers, top)), tf.exp(tf.sub(lseItems, top)))));
  return tf.mean(tf.sub(lse, tf.mul(positive, 1 / temperature))) as Scalar;
}
