import { ShapeError } from "@llminit/core";

/**
 * Eigenvalues of a symmetric n × n matrix (row-major, float64) by the cyclic Jacobi method.
 * The input is not modified. Sweeps until the off-diagonal mass is below 1e-14 of the total
 * (or 100 sweeps); returns the eigenvalues in descending order.
 */
export function jacobiEigenvalues(symmetric: Float64Array, n: number): Float64Array {
  if (symmetric.length !== n * n)
    throw new ShapeError(`jacobiEigenvalues: expected ${n}×${n} = ${n * n} values, got ${symmetric.length}`);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.abs(symmetric[i * n + j] - symmetric[j * n + i]);
      if (d > 1e-9 * (Math.abs(symmetric[i * n + j]) + Math.abs(symmetric[j * n + i]) + 1e-300)) {
        throw new ShapeError(`jacobiEigenvalues: matrix is not symmetric at (${i}, ${j})`);
      }
    }
  }
  // Rows padded to a stride that is not a multiple of 4 KiB: column writes at a power-of-two
  // stride all land in one cache set (d = 512 ran 20× slower than d = 256).
  const ld = n % 8 === 0 ? n + 8 : n;
  const a = new Float64Array(n * ld);
  for (let i = 0; i < n; i++) a.set(symmetric.subarray(i * n, (i + 1) * n), i * ld);
  let total = 0;
  for (let k = 0; k < n * ld; k++) total += a[k] * a[k];
  const tolerance = 1e-28 * total;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += 2 * a[i * ld + j] * a[i * ld + j];
    if (off <= tolerance) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * ld + q];
        if (apq === 0) continue;
        const app = a[p * ld + p];
        const aqq = a[q * ld + q];
        // Rotation angle that zeroes a[p][q] (Golub & Van Loan, Algorithm 8.4.1, symmetric Schur).
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← Jᵀ A J touches rows and columns p and q only; A stays symmetric, so update rows p
        // and q (contiguous) and mirror them into the columns.
        const rowP = p * ld;
        const rowQ = q * ld;
        for (let k = 0; k < n; k++) {
          if (k === p || k === q) continue;
          const apk = a[rowP + k];
          const aqk = a[rowQ + k];
          const newP = c * apk - s * aqk;
          const newQ = s * apk + c * aqk;
          a[rowP + k] = newP;
          a[rowQ + k] = newQ;
          a[k * ld + p] = newP;
          a[k * ld + q] = newQ;
        }
        a[rowP + p] = app - t * apq;
        a[rowQ + q] = aqq + t * apq;
        a[p * ld + q] = 0;
        a[q * ld + p] = 0;
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * ld + i];
  return values.sort().reverse();
}

/** Gram matrix XᵀX (cols × cols, float64) of a row-major rows × cols matrix. */
export function gramMatrix(data: ArrayLike<number>, rows: number, cols: number): Float64Array {
  if (data.length !== rows * cols)
    throw new ShapeError(`gramMatrix: expected ${rows}×${cols} values, got ${data.length}`);
  const gram = new Float64Array(cols * cols);
  const row = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) row[c] = data[r * cols + c];
    for (let i = 0; i < cols; i++) {
      const x = row[i];
      if (x === 0) continue;
      const offset = i * cols;
      for (let j = i; j < cols; j++) gram[offset + j] += x * row[j];
    }
  }
  for (let i = 0; i < cols; i++) for (let j = 0; j < i; j++) gram[i * cols + j] = gram[j * cols + i];
  return gram;
}

/**
 * Singular values (descending) of a rows × cols matrix, via the eigenvalues of its cols × cols
 * Gram matrix in float64. Eigenvalues below cols · 2.2e-16 · λmax are rounding noise and become 0.
 */
export function singularValues(data: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const eigen = jacobiEigenvalues(gramMatrix(data, rows, cols), cols);
  const floor = cols * Number.EPSILON * Math.max(eigen[0] ?? 0, 0);
  return eigen.map((lambda) => (lambda > floor ? Math.sqrt(lambda) : 0));
}

/**
 * Effective rank (Roy & Vetterli, 2007): exp of the Shannon entropy of the singular values
 * normalised to sum 1. Between 1 and min(rows, cols); d for an orthogonal d × d matrix, 1 for
 * rank one; NaN for an all-zero matrix. A falling effective rank as d grows is dimensional collapse.
 */
export function effectiveRank(data: ArrayLike<number>, rows: number, cols: number): number {
  const sigma = singularValues(data, rows, cols);
  let sum = 0;
  for (const s of sigma) sum += s;
  if (!(sum > 0)) return NaN;
  let entropy = 0;
  for (const s of sigma) {
    if (s <= 0) continue;
    const p = s / sum;
    entropy -= p * Math.log(p);
  }
  return Math.exp(entropy);
}
