import { ShapeError } from "@llminit/core";

/**
 * A symmetric matrix A reduced to tridiagonal form T = Qᵀ A Q by Householder reflections
 * Q = H₀ H₁ … H₍ₙ₋₃₎, with the reflections kept (not multiplied out): shifted systems
 * (T + λI) z = b then cost O(n) per right-hand side, and Q or Qᵀ is applied in O(n²) per column.
 */
export interface Tridiagonal {
  n: number;
  /** T's diagonal (n). */
  diagonal: Float64Array;
  /** T's off-diagonal (n − 1): `offDiagonal[i]` = T[i][i + 1] = T[i + 1][i]. */
  offDiagonal: Float64Array;
  /** Reflection k is H_k = I − β_k u_k u_kᵀ; u_k is row k, entries k + 1 … n − 1 (n × n, row-major). */
  reflectors: Float64Array;
  /** β_k of each reflection; 0 when reflection k is the identity. */
  betas: Float64Array;
}

/**
 * Householder tridiagonalisation of a symmetric n × n matrix (row-major, float64; only read).
 * O(n³) with a small constant: one symmetric matrix-vector product and one rank-2 update per
 * column, and no accumulation of Q.
 */
export function tridiagonalize(matrix: Float64Array, n: number): Tridiagonal {
  if (matrix.length !== n * n) throw new ShapeError(`tridiagonalize: ${matrix.length} values for ${n} × ${n}`);
  const a = Float64Array.from(matrix);
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(Math.max(n - 1, 0));
  const reflectors = new Float64Array(n * n);
  const betas = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const row = k * n;
    diagonal[k] = a[row + k];
    // x = A[k + 1 …, k] (the lower triangle is the one kept up to date).
    let norm = 0;
    for (let i = k + 1; i < n; i++) norm += a[i * n + k] * a[i * n + k];
    norm = Math.sqrt(norm);
    const x0 = a[(k + 1) * n + k];
    if (norm === 0) {
      offDiagonal[k] = 0;
      continue;
    }
    // u = x + sign(x₀)‖x‖e₁ (no cancellation); H x = −sign(x₀)‖x‖e₁.
    const sign = x0 >= 0 ? 1 : -1;
    const u = reflectors.subarray(row, row + n);
    for (let i = k + 1; i < n; i++) u[i] = a[i * n + k];
    u[k + 1] += sign * norm;
    const beta = 1 / (norm * (norm + Math.abs(x0)));
    betas[k] = beta;
    offDiagonal[k] = -sign * norm;
    // p = β A₂₂ u, then w = p − (β/2)(pᵀu) u, and A₂₂ −= u wᵀ + w uᵀ. Only the lower triangle of
    // A₂₂ is read and kept: each row's entries left of the diagonal serve both products.
    p.fill(0, k + 1, n);
    for (let i = k + 1; i < n; i++) {
      const r = i * n;
      const ui = u[i];
      let s = 0;
      for (let j = k + 1; j < i; j++) {
        const aij = a[r + j];
        s += aij * u[j];
        p[j] += aij * ui;
      }
      p[i] += s + a[r + i] * ui;
    }
    let pu = 0;
    for (let i = k + 1; i < n; i++) {
      p[i] *= beta;
      pu += p[i] * u[i];
    }
    const half = (beta / 2) * pu;
    for (let i = k + 1; i < n; i++) p[i] -= half * u[i];
    for (let i = k + 1; i < n; i++) {
      const r = i * n;
      const ui = u[i];
      const wi = p[i];
      for (let j = k + 1; j <= i; j++) a[r + j] -= ui * p[j] + wi * u[j];
    }
  }
  if (n >= 2) {
    diagonal[n - 2] = a[(n - 2) * n + n - 2];
    offDiagonal[n - 2] = a[(n - 1) * n + n - 2];
  }
  if (n >= 1) diagonal[n - 1] = a[n * n - 1];
  return { n, diagonal, offDiagonal, reflectors, betas };
}

/** One reflection applied to the rows k + 1 … of an n × cols matrix (row-major), in place. */
function reflect(t: Tridiagonal, k: number, m: Float64Array, cols: number, sums: Float64Array): void {
  const beta = t.betas[k];
  if (beta === 0) return;
  const { n, reflectors } = t;
  const u = k * n;
  sums.fill(0);
  for (let i = k + 1; i < n; i++) {
    const ui = reflectors[u + i];
    const r = i * cols;
    for (let j = 0; j < cols; j++) sums[j] += ui * m[r + j];
  }
  for (let j = 0; j < cols; j++) sums[j] *= beta;
  for (let i = k + 1; i < n; i++) {
    const ui = reflectors[u + i];
    const r = i * cols;
    for (let j = 0; j < cols; j++) m[r + j] -= ui * sums[j];
  }
}

/** M ← Qᵀ M for an n × cols matrix (row-major), in place. */
export function applyQTranspose(t: Tridiagonal, m: Float64Array, cols: number): void {
  if (m.length !== t.n * cols) throw new ShapeError(`applyQTranspose: ${m.length} values for ${t.n} × ${cols}`);
  const sums = new Float64Array(cols);
  for (let k = 0; k < t.n - 2; k++) reflect(t, k, m, cols, sums);
}

/** M ← Q M for an n × cols matrix (row-major), in place. */
export function applyQ(t: Tridiagonal, m: Float64Array, cols: number): void {
  if (m.length !== t.n * cols) throw new ShapeError(`applyQ: ${m.length} values for ${t.n} × ${cols}`);
  const sums = new Float64Array(cols);
  for (let k = t.n - 3; k >= 0; k--) reflect(t, k, m, cols, sums);
}

/**
 * Solves (T + shift·I) Z = B for an n × cols B (row-major) by the Thomas algorithm, which needs
 * no pivoting when T + shift·I is positive definite (a Gram matrix plus λ > 0).
 */
export function solveShifted(t: Tridiagonal, shift: number, b: Float64Array, cols: number): Float64Array {
  const { n, diagonal, offDiagonal } = t;
  if (b.length !== n * cols) throw new ShapeError(`solveShifted: ${b.length} values for ${n} × ${cols}`);
  const z = Float64Array.from(b);
  if (n === 0) return z;
  // Forward elimination: upper[i] = off[i] / pivot[i]; rows scaled by their pivot.
  const upper = new Float64Array(n);
  let pivot = diagonal[0] + shift;
  for (let j = 0; j < cols; j++) z[j] /= pivot;
  for (let i = 1; i < n; i++) {
    upper[i - 1] = offDiagonal[i - 1] / pivot;
    pivot = diagonal[i] + shift - offDiagonal[i - 1] * upper[i - 1];
    const r = i * cols;
    const above = r - cols;
    const sub = offDiagonal[i - 1];
    for (let j = 0; j < cols; j++) z[r + j] = (z[r + j] - sub * z[above + j]) / pivot;
  }
  for (let i = n - 2; i >= 0; i--) {
    const r = i * cols;
    const below = r + cols;
    const c = upper[i];
    for (let j = 0; j < cols; j++) z[r + j] -= c * z[below + j];
  }
  return z;
}

/** Σ over columns of zᵀ T z for an n × cols Z (row-major). */
export function quadraticForm(t: Tridiagonal, z: Float64Array, cols: number): number {
  const { n, diagonal, offDiagonal } = t;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const r = i * cols;
    const d = diagonal[i];
    for (let j = 0; j < cols; j++) sum += d * z[r + j] * z[r + j];
    if (i === n - 1) continue;
    const off = 2 * offDiagonal[i];
    for (let j = 0; j < cols; j++) sum += off * z[r + j] * z[r + cols + j];
  }
  return sum;
}

/**
 * The eigenvalues of T, ascending: the implicit QL method with Wilkinson shifts on the
 * tridiagonal alone (EISPACK's tql1), O(n²).
 */
export function tridiagonalEigenvalues(t: Tridiagonal): Float64Array {
  const n = t.n;
  const d = Float64Array.from(t.diagonal);
  // e[i] couples d[i] and d[i + 1]; e[n − 1] = 0.
  const e = new Float64Array(n);
  e.set(t.offDiagonal);
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      for (let iteration = 0; ; iteration++) {
        if (iteration > 60 * n) throw new RangeError("tridiagonalEigenvalues: the QL iteration did not converge");
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l]) > eps * tst1)) break;
      }
    }
    d[l] += f;
    e[l] = 0;
  }
  return d.sort();
}
