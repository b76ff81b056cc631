import { KERNEL_WASM_BASE64 } from "./kernel-wasm.generated.js";

// The few WebAssembly globals used here (TypeScript's node types do not declare them without the DOM lib).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
};

/**
 * The raw kernel exports (see assembly/index.ts for their exact contracts). Every pointer is a
 * byte offset into the instance's memory, as returned by {@link Kernels.f32} / {@link Kernels.i32}.
 */
export interface KernelExports {
  pullRows(indptr: number, indices: number, values: number, x: number, dim: number, out: number, rows: number, from: number, to: number): void;
  axpy(out: number, x: number, n: number, alpha: number): void;
  scale(x: number, n: number, alpha: number): void;
  addGatheredRows(out: number, x: number, rows: number, count: number, dim: number, alpha: number): void;
  scatterAddRows(out: number, x: number, rows: number, count: number, dim: number, alpha: number): void;
  adam(param: number, grad: number, m: number, v: number, n: number, stepSize: number, beta1: number, beta2: number, epsilon: number, bc2Sqrt: number): void;
  gemmNT(a: number, b: number, c: number, m: number, n: number, dim: number): void;
  /** P(i, j) at byte `p + i·pRow + j·pCol`: (4n, 4) for an m × n matrix, (4, 4m) for the transpose of an n × m one. */
  gemmNN(p: number, pRow: number, pCol: number, b: number, c: number, m: number, n: number, dim: number, alpha: number): void;
  softmaxRows(x: number, rows: number, cols: number, scale: number, weight: number, lse: number): void;
}

/** A typed array living in a {@link Kernels} memory: `ptr` for kernels, `array` for JS. */
export interface KernelBuffer<T extends Float32Array | Int32Array> {
  /** Byte offset in the kernels' memory (16-byte aligned). */
  readonly ptr: number;
  readonly length: number;
  /** A view on the current memory (views are re-made after the memory grows; do not keep one across allocations). */
  readonly array: T;
}

/** One kernels instance with its own memory and a bump allocator over it. */
export interface Kernels {
  readonly exports: KernelExports;
  /** The instance's memory (its `buffer` changes when it grows). */
  readonly memory: { readonly buffer: ArrayBuffer };
  /** Allocates `length` float32 values, zero-filled. */
  f32(length: number): KernelBuffer<Float32Array>;
  /** Allocates `length` int32 values, zero-filled. */
  i32(length: number): KernelBuffer<Int32Array>;
  /** Bytes allocated so far. */
  readonly allocatedBytes: number;
}

const PAGE = 65536;
/** Bytes below this offset belong to the module (its static data); allocations start above. */
const RESERVED = PAGE;
const ALIGN = 64;

/** Padded width for kernels that need d % 4 == 0: zero columns leave every kernel's result exact. */
export function paddedDim(dim: number): number {
  return Math.ceil(dim / 4) * 4;
}

/** True when this JavaScript engine can compile WebAssembly SIMD (Node ≥ 16.4 can). */
export function kernelsSupported(): boolean {
  try {
    new WebAssembly.Module(Buffer.from(KERNEL_WASM_BASE64, "base64"));
    return true;
  } catch {
    return false;
  }
}

/**
 * Instantiates the kernels in a fresh memory of `initialBytes` (grown as allocations need).
 * Instances share nothing: create one per training run or evaluation and drop it after.
 */
export function createKernels(initialBytes = 4 * PAGE): Kernels {
  const module = new WebAssembly.Module(Buffer.from(KERNEL_WASM_BASE64, "base64"));
  const memory = new WebAssembly.Memory({ initial: Math.max(2, Math.ceil((initialBytes + RESERVED) / PAGE)) });
  const instance = new WebAssembly.Instance(module, { env: { memory, abort: () => { throw new Error("kernels: abort"); } } });
  const exports = instance.exports as unknown as KernelExports;
  let top = RESERVED;

  function reserve(bytes: number): number {
    const ptr = top;
    top += Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN;
    const missing = top - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / PAGE));
    return ptr;
  }

  function buffer<T extends Float32Array | Int32Array>(length: number, make: (b: ArrayBuffer, ptr: number, length: number) => T): KernelBuffer<T> {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`kernels: buffer length must be a non-negative integer, got ${length}`);
    const ptr = reserve(4 * length);
    let view = make(memory.buffer, ptr, length);
    view.fill(0); // memory from grow() is zero, but a reused range may not be
    return {
      ptr,
      length,
      get array(): T {
        if (view.buffer !== memory.buffer) view = make(memory.buffer, ptr, length);
        return view;
      },
    };
  }

  return {
    exports,
    memory,
    f32: (length) => buffer(length, (b, p, n) => new Float32Array(b, p, n)),
    i32: (length) => buffer(length, (b, p, n) => new Int32Array(b, p, n)),
    get allocatedBytes() {
      return top - RESERVED;
    },
  };
}
