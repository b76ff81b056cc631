import type { KernelConfig, KernelFunc, TensorInfo, TypedArray } from "@tensorflow/tfjs-core";
import type { Tf } from "./backend.js";

/**
 * `out[segmentIds[r], :] += x[r, :]` for every row r, in O(x.size). Rows whose id is negative
 * or ≥ numSegments are skipped (TensorFlow's semantics). `out` must be zero-filled, length
 * numSegments × rowSize.
 */
export function unsortedSegmentSumInto(
  x: ArrayLike<number>,
  segmentIds: ArrayLike<number>,
  rowSize: number,
  numSegments: number,
  out: TypedArray,
): void {
  const rows = segmentIds.length;
  for (let r = 0; r < rows; r++) {
    const s = segmentIds[r];
    if (!(s >= 0 && s < numSegments)) continue;
    const src = r * rowSize;
    const dst = s * rowSize;
    for (let c = 0; c < rowSize; c++) out[dst + c] += x[src + c];
  }
}

interface WasmLikeBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): TypedArray;
}

interface CpuLikeBackend {
  readSync(dataId: object): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: string, values: TypedArray): TensorInfo;
}

function rowSizeOf(x: TensorInfo, segmentIds: TensorInfo): number {
  let size = 1;
  for (let i = segmentIds.shape.length; i < x.shape.length; i++) size *= x.shape[i];
  return size;
}

function outputShape(x: TensorInfo, segmentIds: TensorInfo, numSegments: number): number[] {
  return [numSegments, ...x.shape.slice(segmentIds.shape.length)];
}

/** The kernel for the wasm backend: reads and writes the wasm heap directly. */
const wasmSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const segmentIds = inputs.segmentIds as TensorInfo;
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const wasm = backend as unknown as WasmLikeBackend;
  const out = wasm.makeOutput(outputShape(x, segmentIds, numSegments), x.dtype);
  // Heap views (no copies), taken after the output's allocation, so a growing heap cannot detach them.
  const ids = wasm.typedArrayFromHeap(segmentIds);
  const values = wasm.typedArrayFromHeap(x);
  const target = wasm.typedArrayFromHeap(out);
  target.fill(0);
  unsortedSegmentSumInto(values, ids, rowSizeOf(x, segmentIds), numSegments, target);
  return out;
};

/** The kernel for the pure-JS cpu backend. */
const cpuSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const segmentIds = inputs.segmentIds as TensorInfo;
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const cpu = backend as unknown as CpuLikeBackend;
  const shape = outputShape(x, segmentIds, numSegments);
  const size = shape.reduce((a, b) => a * b, 1);
  const target = x.dtype === "int32" ? new Int32Array(size) : new Float32Array(size);
  unsortedSegmentSumInto(
    cpu.readSync(x.dataId),
    cpu.readSync(segmentIds.dataId),
    rowSizeOf(x, segmentIds),
    numSegments,
    target,
  );
  return cpu.makeTensorInfo(shape, x.dtype, target);
};

const KERNELS: Readonly<Record<string, KernelFunc>> = { wasm: wasmSegmentSum, cpu: cpuSegmentSum };

/**
 * Registers an O(n) `UnsortedSegmentSum` kernel (the gradient of `tf.gather` uses it) for the
 * "wasm" or "cpu" backend. wasm has none, so gather's gradient throws there; cpu's stock kernel
 * is O(segments × size), unusable for embedding tables, and is replaced. Idempotent: returns
 * false when this kernel is already registered, or for a backend it does not cover, or when
 * wasm already has a (native) kernel of its own.
 */
export function registerFastSegmentSum(tf: Tf, backendName: string): boolean {
  const kernelFunc = KERNELS[backendName];
  if (kernelFunc === undefined) return false;
  const existing = tf.getKernel("UnsortedSegmentSum", backendName);
  if (existing !== undefined) {
    if (existing.kernelFunc === kernelFunc) return false;
    if (backendName === "wasm") return false;
    tf.unregisterKernel("UnsortedSegmentSum", backendName);
  }
  const config: KernelConfig = { kernelName: "UnsortedSegmentSum", backendName, kernelFunc };
  tf.registerKernel(config);
  return true;
}
