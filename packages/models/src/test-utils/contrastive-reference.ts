// Float64 references straight from the formulas; gradients by central differences on them.

export function normalizedRows(x: ArrayLike<number>, rows: number, dim: number): Float64Array {
  const z = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < dim; c++) s += x[r * dim + c] ** 2;
    const norm = Math.max(Math.sqrt(s), 1e-12);
    for (let c = 0; c < dim; c++) z[r * dim + c] = x[r * dim + c] / norm;
  }
  return z;
}

export function dot(a: Float64Array, i: number, b: Float64Array, j: number, dim: number): number {
  let s = 0;
  for (let c = 0; c < dim; c++) s += a[i * dim + c] * b[j * dim + c];
  return s;
}

/** −log(e^{x_p} / Σ e^{x_t}) computed as logSumExp − x_p in float64. */
export function negLogSoftmax(logits: number[], p: number): number {
  const max = Math.max(...logits);
  return max + Math.log(logits.reduce((s, x) => s + Math.exp(x - max), 0)) - logits[p];
}

/** −mean_s log( exp(z1_s·z2_{p(s)}/τ) / Σ_t exp(z1_s·z2_t/τ) ). */
export function infoNceReference(
  v1: ArrayLike<number>,
  v2: ArrayLike<number>,
  s: number,
  m: number,
  dim: number,
  tau: number,
  positives?: number[],
): number {
  const z1 = normalizedRows(v1, s, dim);
  const z2 = normalizedRows(v2, m, dim);
  let total = 0;
  for (let a = 0; a < s; a++) {
    const logits = Array.from({ length: m }, (_, t) => dot(z1, a, z2, t, dim) / tau);
    total += negLogSoftmax(logits, positives === undefined ? a : positives[a]);
  }
  return total / s;
}

/** −mean_b log( e^{u_b·i_b/τ} / (Σ_b' e^{u_b·u_b'/τ} + Σ_b' e^{i_b·i_b'/τ}) ) + λ‖ego‖² / 2 / B. */
export function sgclReference(
  final: ArrayLike<number>,
  ego: ArrayLike<number>,
  b: number,
  dim: number,
  tau: number,
  lambda: number,
): number {
  const z = normalizedRows(final, 2 * b, dim);
  let total = 0;
  for (let r = 0; r < b; r++) {
    let denominator = 0;
    for (let q = 0; q < b; q++)
      denominator += Math.exp(dot(z, r, z, q, dim) / tau) + Math.exp(dot(z, b + r, z, b + q, dim) / tau);
    total += -Math.log(Math.exp(dot(z, r, z, b + r, dim) / tau) / denominator);
  }
  let reg = 0;
  for (let k = 0; k < 2 * b * dim; k++) reg += ego[k] ** 2;
  return total / b + (lambda * reg) / 2 / b;
}

/** Central-difference gradient of f at x (float64). */
export function numericGradient(f: (x: Float64Array) => number, x: ArrayLike<number>, h = 1e-6): Float64Array {
  const at = Float64Array.from(x);
  const g = new Float64Array(at.length);
  for (let k = 0; k < at.length; k++) {
    const keep = at[k];
    at[k] = keep + h;
    const up = f(at);
    at[k] = keep - h;
    const down = f(at);
    at[k] = keep;
    g[k] = (up - down) / (2 * h);
  }
  return g;
}
