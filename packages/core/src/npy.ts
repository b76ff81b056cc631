import { DataFormatError } from "./errors.js";

/** The element types llminit reads and writes, by numpy descr (little-endian on disk). */
export type NpyDtype = "float32" | "float64" | "int32" | "int64" | "uint8";

export type NpyData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

const DESCR_TO_DTYPE: Record<string, NpyDtype> = {
  f4: "float32",
  f8: "float64",
  i4: "int32",
  i8: "int64",
  u1: "uint8",
  b1: "uint8",
};

const DTYPE_TO_DESCR: Record<NpyDtype, string> = {
  float32: "<f4",
  float64: "<f8",
  int32: "<i4",
  int64: "<i8",
  uint8: "|u1",
};

const BYTES: Record<NpyDtype, number> = { float32: 4, float64: 8, int32: 4, int64: 8, uint8: 1 };

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof BigInt64Array) return "int64";
  return "uint8";
}

/**
 * The header of a .npy file (version 1.0, or 2.0 for huge headers, C order) for an array of
 * `dtype` and `shape`, padded so that the data starts on a 64-byte boundary: what a writer that
 * streams the data after it needs.
 */
export function encodeNpyHeader(dtype: NpyDtype, shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${DTYPE_TO_DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const version = header.length + 11 > 65535 ? 2 : 1;
  const prefix = version === 1 ? 10 : 12;
  // Pad with spaces so data starts on a 64-byte boundary, ending with "\n" (numpy's rule).
  const total = Math.ceil((prefix + header.length + 1) / 64) * 64;
  header = header + " ".repeat(total - prefix - header.length - 1) + "\n";
  const bytes = new Uint8Array(total);
  bytes.set(MAGIC, 0);
  bytes[6] = version;
  bytes[7] = 0;
  const view = new DataView(bytes.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) bytes[prefix + i] = header.charCodeAt(i);
  return bytes;
}

/** Encodes an array in numpy's .npy format (version 1.0, or 2.0 for huge headers), C order. */
export function encodeNpy(data: NpyData, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new RangeError(`npy shape [${shape.join(", ")}] holds ${count} values, data has ${data.length}`);
  const dtype = dtypeOf(data);
  const header = encodeNpyHeader(dtype, shape);
  const total = header.length;
  const bytes = new Uint8Array(total + data.byteLength);
  bytes.set(header, 0);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (isLittleEndian()) bytes.set(body, total);
  else writeSwapped(body, BYTES[dtype], bytes, total);
  return bytes;
}

/** Decodes a .npy buffer; `file` only labels errors. Handles big-endian and Fortran-order 2-D arrays. */
export function decodeNpy(bytes: Uint8Array, file = "<npy>"): NpyArray {
  const fail = (reason: string): never => {
    throw new DataFormatError({ file }, reason);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail("not a .npy file (bad magic string)");
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`unsupported .npy version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) fail("truncated header");
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(headerStart, dataStart));
  const descr = /'descr'\s*:\s*'([<>|=])([a-z]\d+)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeMatch = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (descr === null || fortran === null || shapeMatch === null)
    return fail(`cannot parse header ${JSON.stringify(header.trim())}`);
  const dtype = DESCR_TO_DTYPE[descr[2]];
  if (dtype === undefined) return fail(`unsupported dtype '${descr[1]}${descr[2]}' (supported: f4 f8 i4 i8 u1 b1)`);
  const shape = shapeMatch[1]
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s.replace(/L$/, ""));
      if (!Number.isSafeInteger(n) || n < 0) fail(`bad shape entry "${s}"`);
      return n;
    });
  const count = shape.reduce((a, b) => a * b, 1);
  const byteCount = count * BYTES[dtype];
  if (bytes.length - dataStart < byteCount)
    fail(`truncated data: expected ${byteCount} bytes after the header, found ${bytes.length - dataStart}`);
  // Copy so the result is aligned and owns its memory, whatever the input buffer.
  // (Buffer.slice would return a view into Node's shared pool, hence the explicit copy.)
  const raw = new Uint8Array(byteCount);
  raw.set(bytes.subarray(dataStart, dataStart + byteCount));
  const bigEndian = descr[1] === ">" || (descr[1] === "=" && !isLittleEndian());
  if (bigEndian !== !isLittleEndian()) swapInPlace(raw, BYTES[dtype]);
  let data = makeTyped(dtype, raw.buffer);
  if (fortran[1] === "True" && shape.length > 1) {
    if (shape.length !== 2) fail("Fortran-order arrays with more than 2 dimensions are not supported");
    data = transposeFortran(data, shape[0], shape[1]);
  }
  return { dtype, shape, data };
}

function makeTyped(dtype: NpyDtype, buffer: ArrayBufferLike): NpyData {
  switch (dtype) {
    case "float32":
      return new Float32Array(buffer);
    case "float64":
      return new Float64Array(buffer);
    case "int32":
      return new Int32Array(buffer);
    case "int64":
      return new BigInt64Array(buffer);
    case "uint8":
      return new Uint8Array(buffer);
  }
}

function transposeFortran<T extends NpyData>(data: T, rows: number, cols: number): T {
  const out = new (data.constructor as { new (n: number): T })(data.length);
  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) out[r * cols + c] = data[c * rows + r];
  return out;
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

function swapInPlace(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}

function writeSwapped(source: Uint8Array, width: number, target: Uint8Array, offset: number): void {
  target.set(source, offset);
  swapInPlace(target.subarray(offset, offset + source.length), width);
}
