import { ShapeError } from "./errors.js";

/** A dense row-major float32 matrix: element (r, c) is `data[r * cols + c]`. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** Creates a matrix, zero-filled or over `data` (not copied), checking the length. */
export function createMatrix(rows: number, cols: number, data?: Float32Array): Matrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new ShapeError(`matrix shape must be non-negative integers, got ${rows} × ${cols}`);
  }
  const buffer = data ?? new Float32Array(rows * cols);
  if (buffer.length !== rows * cols) {
    throw new ShapeError(`matrix data has ${buffer.length} values, expected ${rows} × ${cols} = ${rows * cols}`);
  }
  return { rows, cols, data: buffer };
}

/** Row `r` as a view (no copy). */
export function matrixRow(matrix: Matrix, r: number): Float32Array {
  if (r < 0 || r >= matrix.rows) throw new RangeError(`row ${r} out of range [0, ${matrix.rows})`);
  return matrix.data.subarray(r * matrix.cols, (r + 1) * matrix.cols);
}

/** Rows gathered in the given order into a new matrix. */
export function gatherRows(matrix: Matrix, rowIndices: ArrayLike<number>): Matrix {
  const out = new Float32Array(rowIndices.length * matrix.cols);
  for (let i = 0; i < rowIndices.length; i++) {
    const r = rowIndices[i];
    if (r < 0 || r >= matrix.rows) throw new RangeError(`row ${r} out of range [0, ${matrix.rows})`);
    out.set(matrix.data.subarray(r * matrix.cols, (r + 1) * matrix.cols), i * matrix.cols);
  }
  return { rows: rowIndices.length, cols: matrix.cols, data: out };
}

/** Columns gathered in the given order into a new matrix. */
export function gatherColumns(matrix: Matrix, columnIndices: ArrayLike<number>): Matrix {
  const width = columnIndices.length;
  for (let j = 0; j < width; j++) {
    const c = columnIndices[j];
    if (!Number.isInteger(c) || c < 0 || c >= matrix.cols) {
      throw new RangeError(`column ${c} out of range [0, ${matrix.cols})`);
    }
  }
  const out = new Float32Array(matrix.rows * width);
  for (let r = 0; r < matrix.rows; r++) {
    const base = r * matrix.cols;
    const outBase = r * width;
    for (let j = 0; j < width; j++) out[outBase + j] = matrix.data[base + columnIndices[j]];
  }
  return { rows: matrix.rows, cols: width, data: out };
}

/** Scales every row to unit L2 norm in place; all-zero rows stay zero. Returns its argument. */
export function normalizeRowsL2(matrix: Matrix): Matrix {
  const { rows, cols, data } = matrix;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += data[base + c] * data[base + c];
    if (sum === 0) continue;
    const scale = 1 / Math.sqrt(sum);
    for (let c = 0; c < cols; c++) data[base + c] *= scale;
  }
  return matrix;
}
