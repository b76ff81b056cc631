import type { NormalizedAdjacency } from "../adjacency.js";

/** Dense float64 copy of a normalised adjacency. */
export function denseAdjacency(a: NormalizedAdjacency): Float64Array[] {
  const m = Array.from({ length: a.nodes }, () => new Float64Array(a.nodes));
  for (let r = 0; r < a.nodes; r++)
    for (let k = a.indptr[r]; k < a.indptr[r + 1]; k++) m[r][a.indices[k]] = a.values[k];
  return m;
}

export function denseProduct(m: Float64Array[], x: ArrayLike<number>, dim: number): Float64Array {
  const n = m.length;
  const out = new Float64Array(n * dim);
  for (let r = 0; r < n; r++)
    for (let j = 0; j < n; j++)
      if (m[r][j] !== 0) for (let c = 0; c < dim; c++) out[r * dim + c] += m[r][j] * x[j * dim + c];
  return out;
}

/** mean(x, A₁x, A₂A₁x, …) in float64. */
export function layeredReference(ms: Float64Array[][], x: ArrayLike<number>, dim: number): Float64Array {
  let current: Float64Array = Float64Array.from(x);
  const sum = Float64Array.from(x);
  for (const m of ms) {
    current = denseProduct(m, current, dim);
    for (let k = 0; k < sum.length; k++) sum[k] += current[k];
  }
  return sum.map((v) => v / (ms.length + 1));
}

/** Its transpose: mean(g, A₁g, A₁A₂g, …) in float64. */
export function layeredReferenceTransposed(ms: Float64Array[][], g: ArrayLike<number>, dim: number): Float64Array {
  const sum = Float64Array.from(g);
  for (let k = 1; k <= ms.length; k++) {
    let term: Float64Array = Float64Array.from(g);
    for (let l = k - 1; l >= 0; l--) term = denseProduct(ms[l], term, dim);
    for (let q = 0; q < sum.length; q++) sum[q] += term[q];
  }
  return sum.map((v) => v / (ms.length + 1));
}
