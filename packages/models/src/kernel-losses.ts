import type { KernelBuffer, Kernels } from "@llminit/kernels";

/** PyTorch's `F.normalize` clamps ‖x‖ at this. */
const NORM_EPSILON = 1e-12;

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

function dotRows(a: Float32Array, aBase: number, b: Float32Array, bBase: number, dim: number): number {
  let s = 0;
  for (let c = 0; c < dim; c++) s += a[aBase + c] * b[bBase + c];
  return s;
}

/**
 * BPR on B triples whose final embeddings are stacked `[users; positives; negatives]` in
 * `final` (3B × dim): returns `mean_b softplus(s(u,j) − s(u,i))` and writes its gradient with
 * respect to `final` into `grad` (3B × dim, overwritten). The same loss as `bprLoss` without
 * the L2 term.
 */
export function bprLossAndGradient(final: Float32Array, grad: Float32Array, size: number, dim: number): number {
  let loss = 0;
  const usersAt = 0;
  const positivesAt = size * dim;
  const negativesAt = 2 * size * dim;
  for (let b = 0; b < size; b++) {
    const u = usersAt + b * dim;
    const i = positivesAt + b * dim;
    const j = negativesAt + b * dim;
    const margin = dotRows(final, u, final, j, dim) - dotRows(final, u, final, i, dim);
    loss += softplus(margin);
    const g = sigmoid(margin) / size;
    for (let c = 0; c < dim; c++) {
      const fu = final[u + c];
      grad[u + c] = g * (final[j + c] - final[i + c]);
      grad[i + c] = -g * fu;
      grad[j + c] = g * fu;
    }
  }
  return loss / size;
}

/**
 * `Σ_n ‖x[rows[n]]‖²` over the rows `rows[0 … count)` of x (rows × dim; repeats counted), adding
 * `weight · x[rows[n]]` to `grad` (rows × dim) on the way when `grad` is given: the L2 term
 * `weight · Σ‖·‖² / 2` and its gradient in one pass.
 */
export function addL2(
  x: Float32Array,
  grad: Float32Array | undefined,
  rows: Int32Array,
  count: number,
  dim: number,
  weight: number,
): number {
  let sum = 0;
  if (grad === undefined) {
    for (let n = 0; n < count; n++) {
      const base = rows[n] * dim;
      for (let c = 0; c < dim; c++) sum += x[base + c] * x[base + c];
    }
    return sum;
  }
  for (let n = 0; n < count; n++) {
    const base = rows[n] * dim;
    for (let c = 0; c < dim; c++) {
      const v = x[base + c];
      sum += v * v;
      grad[base + c] += weight * v;
    }
  }
  return sum;
}

/** Rows of `x` (count × dim) divided by max(‖row‖, 1e-12) into `z`; the divisors into `norms`. */
function normalizeRows(
  x: Float32Array,
  xAt: number,
  z: Float32Array,
  zAt: number,
  norms: Float64Array,
  count: number,
  dim: number,
): void {
  for (let n = 0; n < count; n++) {
    const base = n * dim;
    let s = 0;
    for (let c = 0; c < dim; c++) s += x[xAt + base + c] ** 2;
    const norm = Math.max(Math.sqrt(s), NORM_EPSILON);
    norms[n] = norm;
    for (let c = 0; c < dim; c++) z[zAt + base + c] = x[xAt + base + c] / norm;
  }
}

/**
 * Backward of {@link normalizeRows}, in place on `dz`: `dx = (dz − z (z·dz)) / ‖x‖`
 * (`dz / 1e-12` where the norm was clamped).
 */
function normalizeRowsBackward(
  z: Float32Array,
  zAt: number,
  dz: Float32Array,
  dzAt: number,
  norms: Float64Array,
  count: number,
  dim: number,
): void {
  for (let n = 0; n < count; n++) {
    const base = n * dim;
    const norm = norms[n];
    if (norm === NORM_EPSILON) {
      for (let c = 0; c < dim; c++) dz[dzAt + base + c] /= norm;
      continue;
    }
    const along = dotRows(z, zAt + base, dz, dzAt + base, dim);
    for (let c = 0; c < dim; c++) dz[dzAt + base + c] = (dz[dzAt + base + c] - z[zAt + base + c] * along) / norm;
  }
}

/**
 * Scratch for the contrastive losses on kernels memory: normalised rows, logits and their
 * gradients, sized for at most `maxRows` anchors against at most `maxCandidates` candidates.
 * Every float offset and row width passed in must keep 16-byte alignment (dim % 4 == 0).
 */
export class ContrastiveWorkspace {
  private readonly kernels: Kernels;
  private readonly dim: number;
  private readonly z1: KernelBuffer<Float32Array>;
  private readonly z2: KernelBuffer<Float32Array>;
  private readonly dz1: KernelBuffer<Float32Array>;
  private readonly dz2: KernelBuffer<Float32Array>;
  private readonly logits: KernelBuffer<Float32Array>;
  private readonly logits2: KernelBuffer<Float32Array>;
  private readonly norms1: Float64Array;
  private readonly norms2: Float64Array;
  private readonly lse: KernelBuffer<Float32Array>;

  constructor(kernels: Kernels, dim: number, maxRows: number, maxCandidates: number) {
    this.kernels = kernels;
    this.dim = dim;
    const rows = Math.max(maxRows, 1);
    const candidates = Math.max(maxCandidates, rows);
    const [z1, z2, dz1, dz2, logits, logits2, lse] = ContrastiveWorkspace.lengths(dim, maxRows, maxCandidates);
    this.z1 = kernels.f32(z1);
    this.z2 = kernels.f32(z2);
    this.dz1 = kernels.f32(dz1);
    this.dz2 = kernels.f32(dz2);
    this.logits = kernels.f32(logits);
    this.logits2 = kernels.f32(logits2);
    this.norms1 = new Float64Array(rows);
    this.norms2 = new Float64Array(candidates);
    this.lse = kernels.f32(lse);
  }

  /** The float32 buffers (lengths, in allocation order) a workspace of this size takes in kernels memory. */
  static lengths(dim: number, maxRows: number, maxCandidates: number): number[] {
    const rows = Math.max(maxRows, 1);
    const candidates = Math.max(maxCandidates, rows);
    return [rows * dim, candidates * dim, rows * dim, candidates * dim, rows * candidates, rows * rows, rows];
  }

  /**
   * InfoNCE with L2-normalised rows (see `infoNceLoss`): anchors = `rows` rows of `a` from float
   * offset `aAt`, candidates = `candidates` rows of `c` from `cAt`; the positive of anchor s is
   * candidate `positives[s]` (or s when omitted). Returns
   * `mean_s [logSumExp_t(z1_s·z2_t/τ) − z1_s·z2_p(s)/τ]` and ADDS `gradientScale` times its
   * gradients to `da` and `dc` at float offsets `daAt` and `dcAt` (default: `aAt` and `cAt`).
   */
  infoNce(
    a: KernelBuffer<Float32Array>,
    aAt: number,
    rows: number,
    c: KernelBuffer<Float32Array>,
    cAt: number,
    candidates: number,
    positives: Int32Array | undefined,
    temperature: number,
    da: KernelBuffer<Float32Array>,
    dc: KernelBuffer<Float32Array>,
    gradientScale = 1,
    daAt = aAt,
    dcAt = cAt,
  ): number {
    if (rows === 0) return 0;
    const { exports, parallel } = this.kernels;
    const { dim } = this;
    const z1 = this.z1.array;
    const z2 = this.z2.array;
    normalizeRows(a.array, aAt, z1, 0, this.norms1, rows, dim);
    normalizeRows(c.array, cAt, z2, 0, this.norms2, candidates, dim);
    parallel.gemmNT(this.z1.ptr, this.z2.ptr, this.logits.ptr, rows, candidates, dim);
    const logits = this.logits.array;
    const inverseT = 1 / temperature;
    const weight = inverseT / rows;
    let positive = 0;
    for (let s = 0; s < rows; s++) positive += logits[s * candidates + (positives === undefined ? s : positives[s])];
    // Rows become weight · softmax(logits / τ); dLoss/dlogit_st = (softmax_st − 1[t = p(s)]) / (τ · rows).
    parallel.softmaxRows(this.logits.ptr, rows, candidates, inverseT, weight, this.lse.ptr);
    const lse = this.lse.array;
    let loss = -positive * inverseT;
    for (let s = 0; s < rows; s++) {
      loss += lse[s];
      logits[s * candidates + (positives === undefined ? s : positives[s])] -= weight;
    }
    this.dz1.array.fill(0, 0, rows * dim);
    this.dz2.array.fill(0, 0, candidates * dim);
    parallel.gemmNN(this.logits.ptr, 4 * candidates, 4, this.z2.ptr, this.dz1.ptr, rows, candidates, dim, 1);
    parallel.gemmNN(this.logits.ptr, 4, 4 * candidates, this.z1.ptr, this.dz2.ptr, candidates, rows, dim, 1);
    normalizeRowsBackward(z1, 0, this.dz1.array, 0, this.norms1, rows, dim);
    normalizeRowsBackward(z2, 0, this.dz2.array, 0, this.norms2, candidates, dim);
    exports.axpy(da.ptr + 4 * daAt, this.dz1.ptr, rows * dim, gradientScale);
    exports.axpy(dc.ptr + 4 * dcAt, this.dz2.ptr, candidates * dim, gradientScale);
    return loss / rows;
  }

  /**
   * SGCL's loss (see `sgclLoss`, without its L2 term) on B pairs stacked `[users; items]` in
   * `final` (2B × dim, from float offset `finalAt`): `mean_b [log(Σ_b' e^{u_b·u_b'/τ} +
   * Σ_b' e^{i_b·i_b'/τ}) − u_b·i_b/τ]` on normalised rows. Writes its gradient into `grad`
   * (2B × dim from offset 0, overwritten).
   */
  sgcl(
    final: KernelBuffer<Float32Array>,
    size: number,
    temperature: number,
    grad: KernelBuffer<Float32Array>,
    finalAt = 0,
  ): number {
    const { parallel } = this.kernels;
    const { dim } = this;
    const half = size * dim;
    // z1 holds [u; i] normalised (2B rows: the workspace was sized with maxRows ≥ 2B).
    const z = this.z1.array;
    normalizeRows(final.array, finalAt, z, 0, this.norms1, 2 * size, dim);
    const uPtr = this.z1.ptr;
    const iPtr = this.z1.ptr + 4 * half;
    parallel.gemmNT(uPtr, uPtr, this.logits.ptr, size, size, dim);
    parallel.gemmNT(iPtr, iPtr, this.logits2.ptr, size, size, dim);
    const uu = this.logits.array;
    const ii = this.logits2.array;
    const inverseT = 1 / temperature;
    const weight = inverseT / size;
    let loss = 0;
    for (let b = 0; b < size; b++) {
      const base = b * size;
      let max = -Infinity;
      for (let t = 0; t < size; t++) max = Math.max(max, uu[base + t] * inverseT, ii[base + t] * inverseT);
      let total = 0;
      for (let t = 0; t < size; t++) {
        const eu = Math.exp(uu[base + t] * inverseT - max);
        const ei = Math.exp(ii[base + t] * inverseT - max);
        uu[base + t] = eu;
        ii[base + t] = ei;
        total += eu + ei;
      }
      loss += max + Math.log(total) - dotRows(z, b * dim, z, half + b * dim, dim) * inverseT;
      const norm = weight / total;
      for (let t = 0; t < size; t++) {
        uu[base + t] *= norm;
        ii[base + t] *= norm;
      }
    }
    // Logit u_b·u_b' feeds rows b and b': the gradient uses P + Pᵀ (symmetrised in place).
    for (let b = 0; b < size; b++) {
      for (let t = b; t < size; t++) {
        const su = uu[b * size + t] + uu[t * size + b];
        uu[b * size + t] = su;
        uu[t * size + b] = su;
        const si = ii[b * size + t] + ii[t * size + b];
        ii[b * size + t] = si;
        ii[t * size + b] = si;
      }
    }
    const g = grad.array;
    g.fill(0, 0, 2 * half);
    parallel.gemmNN(this.logits.ptr, 4 * size, 4, uPtr, grad.ptr, size, size, dim, 1);
    parallel.gemmNN(this.logits2.ptr, 4 * size, 4, iPtr, grad.ptr + 4 * half, size, size, dim, 1);
    for (let b = 0; b < size; b++) {
      const u = b * dim;
      const i = half + b * dim;
      for (let c = 0; c < dim; c++) {
        const zu = z[u + c];
        g[u + c] -= weight * z[i + c];
        g[i + c] -= weight * zu;
      }
    }
    normalizeRowsBackward(z, 0, g, 0, this.norms1, 2 * size, dim);
    return loss / size;
  }
}
