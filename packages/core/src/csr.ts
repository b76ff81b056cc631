import { ShapeError } from "./errors.js";

/**
 * Compressed sparse rows: row r's columns are `indices[indptr[r] .. indptr[r + 1])`, sorted
 * ascending and unique when built by `csrFromPairs`. `values` is optional (implicit ones).
 */
export interface Csr {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values?: Float32Array;
}

/** Number of stored entries. */
export function csrNnz(csr: Csr): number {
  return csr.indptr[csr.rows];
}

/** The columns of row r, as a view (no copy). */
export function csrRow(csr: Csr, r: number): Int32Array {
  return csr.indices.subarray(csr.indptr[r], csr.indptr[r + 1]);
}

/** Entries per row. */
export function csrRowDegrees(csr: Csr): Int32Array {
  const degrees = new Int32Array(csr.rows);
  for (let r = 0; r < csr.rows; r++) degrees[r] = csr.indptr[r + 1] - csr.indptr[r];
  return degrees;
}

/** Entries per column. */
export function csrColumnDegrees(csr: Csr): Int32Array {
  const degrees = new Int32Array(csr.cols);
  const nnz = csrNnz(csr);
  for (let k = 0; k < nnz; k++) degrees[csr.indices[k]]++;
  return degrees;
}

/** True when row r holds column c (binary search; rows must be sorted). */
export function csrHas(csr: Csr, r: number, c: number): boolean {
  let lo = csr.indptr[r];
  let hi = csr.indptr[r + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = csr.indices[mid];
    if (v === c) return true;
    if (v < c) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export interface CsrFromPairsOptions {
  /** What to do with a repeated (row, col): keep the last value (default) or sum the values. */
  duplicates?: "last" | "sum";
}

/**
 * Builds a CSR from (row, col[, value]) triples in O(nnz + rows) plus per-row sorting.
 * Rows are sorted by column and duplicates merged.
 */
export function csrFromPairs(
  rows: number,
  cols: number,
  rowIds: ArrayLike<number>,
  colIds: ArrayLike<number>,
  values?: ArrayLike<number>,
  options: CsrFromPairsOptions = {},
): Csr {
  const n = rowIds.length;
  if (colIds.length !== n || (values !== undefined && values.length !== n)) {
    throw new ShapeError(`csrFromPairs: ${n} rows ids, ${colIds.length} column ids, ${values?.length ?? n} values`);
  }
  const counts = new Int32Array(rows + 1);
  for (let k = 0; k < n; k++) {
    const r = rowIds[k];
    const c = colIds[k];
    if (!(r >= 0 && r < rows))
      throw new RangeError(`csrFromPairs: row id ${r} at position ${k} out of range [0, ${rows})`);
    if (!(c >= 0 && c < cols))
      throw new RangeError(`csrFromPairs: column id ${c} at position ${k} out of range [0, ${cols})`);
    counts[r + 1]++;
  }
  for (let r = 0; r < rows; r++) counts[r + 1] += counts[r];
  const cursor = counts.slice(0, rows);
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[cursor[rowIds[k]]++] = k;

  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(n);
  const outValues = values === undefined ? undefined : new Float32Array(n);
  let written = 0;
  const sumDuplicates = options.duplicates === "sum";
  for (let r = 0; r < rows; r++) {
    const start = counts[r];
    const end = counts[r + 1];
    // Stable sort of this row's entries by column, so "last" means last in input order.
    const slice = Array.from(order.subarray(start, end));
    slice.sort((a, b) => colIds[a] - colIds[b] || a - b);
    indptr[r] = written;
    for (let i = 0; i < slice.length; i++) {
      const k = slice[i];
      const c = colIds[k];
      if (written > indptr[r] && indices[written - 1] === c) {
        if (outValues !== undefined)
          outValues[written - 1] = sumDuplicates ? outValues[written - 1] + values![k] : values![k];
        continue;
      }
      indices[written] = c;
      if (outValues !== undefined) outValues[written] = values![k];
      written++;
    }
  }
  indptr[rows] = written;
  return {
    rows,
    cols,
    indptr,
    indices: written === n ? indices : indices.slice(0, written),
    values: outValues === undefined ? undefined : written === n ? outValues : outValues.slice(0, written),
  };
}

/** The transpose, in O(nnz); rows of the result come out sorted. */
export function csrTranspose(csr: Csr): Csr {
  const nnz = csrNnz(csr);
  const indptr = new Int32Array(csr.cols + 1);
  for (let k = 0; k < nnz; k++) indptr[csr.indices[k] + 1]++;
  for (let c = 0; c < csr.cols; c++) indptr[c + 1] += indptr[c];
  const cursor = indptr.slice(0, csr.cols);
  const indices = new Int32Array(nnz);
  const values = csr.values === undefined ? undefined : new Float32Array(nnz);
  for (let r = 0; r < csr.rows; r++) {
    for (let k = csr.indptr[r]; k < csr.indptr[r + 1]; k++) {
      const position = cursor[csr.indices[k]]++;
      indices[position] = r;
      if (values !== undefined) values[position] = csr.values![k];
    }
  }
  return { rows: csr.cols, cols: csr.rows, indptr, indices, values };
}

/** Throws a ShapeError naming the first broken invariant (monotone indptr, in-range sorted unique columns). */
export function validateCsr(csr: Csr, name = "csr"): void {
  if (csr.indptr.length !== csr.rows + 1)
    throw new ShapeError(`${name}: indptr has ${csr.indptr.length} entries, expected ${csr.rows + 1}`);
  if (csr.indptr[0] !== 0) throw new ShapeError(`${name}: indptr[0] is ${csr.indptr[0]}, expected 0`);
  if (csr.indptr[csr.rows] !== csr.indices.length) {
    throw new ShapeError(`${name}: indptr ends at ${csr.indptr[csr.rows]} but there are ${csr.indices.length} indices`);
  }
  if (csr.values !== undefined && csr.values.length !== csr.indices.length) {
    throw new ShapeError(`${name}: ${csr.values.length} values for ${csr.indices.length} indices`);
  }
  for (let r = 0; r < csr.rows; r++) {
    if (csr.indptr[r + 1] < csr.indptr[r]) throw new ShapeError(`${name}: indptr decreases at row ${r}`);
    for (let k = csr.indptr[r]; k < csr.indptr[r + 1]; k++) {
      const c = csr.indices[k];
      if (c < 0 || c >= csr.cols)
        throw new ShapeError(`${name}: row ${r} has column ${c} out of range [0, ${csr.cols})`);
      if (k > csr.indptr[r] && csr.indices[k - 1] >= c)
        throw new ShapeError(`${name}: row ${r} columns not sorted and unique at ${c}`);
    }
  }
}
