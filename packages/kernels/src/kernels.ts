import { KERNEL_WASM_BASE64 } from "./kernel-wasm.generated.js";
import {
  defaultThreadCount,
  involuntaryContextSwitches,
  sharedMemorySupported,
  startKernelWorker,
  threadsUnavailableReason,
} from "./node/platform.js";
import type { KernelWorker } from "./platform-types.js";
import { withUnsharedMemoryImport } from "./unshared-memory.js";

// The few WebAssembly globals used here (TypeScript's node types do not declare them without the DOM lib).
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  validate(bytes: Uint8Array): boolean;
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
};

/**
 * The raw kernel exports (see assembly/index.ts for their exact contracts), run on the calling
 * thread. Every pointer is a byte offset into the instance's memory, as returned by
 * {@link Kernels.f32} / {@link Kernels.i32}.
 */
export interface KernelExports {
  pullRows(
    indptr: number,
    indices: number,
    values: number,
    x: number,
    dim: number,
    out: number,
    rows: number,
    from: number,
    to: number,
  ): void;
  /**
   * `Â · x` rows [from, to) from a plan of shared sums (see `createSharedPropagation`); `scratch` private to the
   * call.
   */
  sumShared(plan: number, x: number, dim: number, out: number, scratch: number, from: number, to: number): void;
  axpy(out: number, x: number, n: number, alpha: number): void;
  scale(x: number, n: number, alpha: number): void;
  addGatheredRows(out: number, x: number, rows: number, count: number, dim: number, alpha: number): void;
  scatterAddRows(out: number, x: number, rows: number, count: number, dim: number, alpha: number): void;
  /** SimGCL's sign-matched uniform noise on rows [from, to) (see `noiseUniform`); width % 4 == 0. */
  addSignedNoise(x: number, width: number, dim: number, seed: number, epsilon: number, from: number, to: number): void;
  adam(
    param: number,
    grad: number,
    m: number,
    v: number,
    n: number,
    stepSize: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    bc2Sqrt: number,
  ): void;
  gemmNT(a: number, b: number, c: number, m: number, n: number, dim: number): void;
  /** P(i, j) at byte `p + i·pRow + j·pCol`: (4n, 4) for an m × n matrix, (4, 4m) for the transpose of an n × m one. */
  gemmNN(
    p: number,
    pRow: number,
    pCol: number,
    b: number,
    c: number,
    m: number,
    n: number,
    dim: number,
    alpha: number,
  ): void;
  softmaxRows(x: number, rows: number, cols: number, scale: number, weight: number, lse: number): void;
  /** Returns the number of NaN scores met. `scratch`: room for `topKScratchLength(k, cols)` floats. */
  topKRows(
    scores: number,
    rows: number,
    cols: number,
    stride: number,
    k: number,
    items: number,
    counts: number,
    scratch: number,
  ): number;
  /** `c = a · bT` with bT = bᵀ stored d × n (any d): the full-ranking scores. */
  scoreTransposed(a: number, bT: number, c: number, m: number, n: number, dim: number): void;
  /** Floats of scratch `topKRows` needs for k of `cols` scores per row. */
  topKScratchLength(k: number, cols: number): number;
}

/**
 * The kernels that split their work over the instance's threads (same arguments and results as
 * {@link KernelExports}; bitwise the same results for any thread count: each output element is
 * computed by one thread, in the same order). With one thread they are the plain exports.
 */
export interface ParallelKernels {
  /** Rows are split so that each thread gets about the same number of stored entries. */
  pullRows(
    indptr: KernelBuffer<Int32Array>,
    indices: number,
    values: number,
    x: number,
    dim: number,
    out: number,
    rows: KernelBuffer<Int32Array> | null,
    from: number,
    to: number,
  ): void;
  /**
   * Thread t computes node rows `ranges[t]` with scratch from `scratch + t · scratchBytes` (at most one range per
   * thread).
   */
  sumShared(
    plan: number,
    x: number,
    dim: number,
    out: number,
    scratch: number,
    scratchBytes: number,
    ranges: readonly (readonly [number, number])[],
  ): void;
  axpy(out: number, x: number, n: number, alpha: number): void;
  scale(x: number, n: number, alpha: number): void;
  /** {@link KernelExports.addSignedNoise} on rows [0, rows), split by rows. */
  addSignedNoise(x: number, width: number, dim: number, seed: number, epsilon: number, rows: number): void;
  adam(
    param: number,
    grad: number,
    m: number,
    v: number,
    n: number,
    stepSize: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    bc2Sqrt: number,
  ): void;
  gemmNT(a: number, b: number, c: number, m: number, n: number, dim: number): void;
  /** Splits the m rows of c; P as in {@link KernelExports.gemmNN}. */
  gemmNN(
    p: number,
    pRow: number,
    pCol: number,
    b: number,
    c: number,
    m: number,
    n: number,
    dim: number,
    alpha: number,
  ): void;
  softmaxRows(x: number, rows: number, cols: number, scale: number, weight: number, lse: number): void;
  /** As {@link KernelExports.topKRows}, with per-thread scratch allocated by the instance. */
  topKRows(
    scores: number,
    rows: number,
    cols: number,
    stride: number,
    k: number,
    items: number,
    counts: number,
  ): number;
  /** Splits the m rows of a and c. */
  scoreTransposed(a: number, bT: number, c: number, m: number, n: number, dim: number): void;
}

/** A typed array living in a {@link Kernels} memory: `ptr` for kernels, `array` for JS. */
export interface KernelBuffer<T extends Float32Array | Int32Array> {
  /** Byte offset in the kernels' memory (16-byte aligned). */
  readonly ptr: number;
  readonly length: number;
  /** A view on the current memory (views are re-made after the memory grows; do not keep one across allocations). */
  readonly array: T;
}

/** Options of {@link createKernels}. */
export interface KernelsOptions {
  /** Bytes to reserve up front (the memory grows as allocations need). */
  initialBytes?: number;
  /**
   * Threads that run the parallel kernels: the calling thread plus `threads − 1` worker threads
   * sharing the memory. Default 1; "auto" = the machine's available parallelism (in a browser: the
   * logical cores when the page is cross-origin isolated and this runs in a Web Worker, else 1).
   */
  threads?: number | "auto";
}

/** One kernels instance with its own memory, a bump allocator over it and its threads. */
export interface Kernels {
  /** The kernels on the calling thread. */
  readonly exports: KernelExports;
  /** The kernels split over `threads` threads. */
  readonly parallel: ParallelKernels;
  readonly threads: number;
  /** The instance's memory (shared between its threads; `buffer` changes when it grows). */
  readonly memory: { readonly buffer: ArrayBufferLike };
  /** Allocates `length` float32 values, zero-filled. */
  f32(length: number): KernelBuffer<Float32Array>;
  /** Allocates `length` int32 values, zero-filled. */
  i32(length: number): KernelBuffer<Int32Array>;
  /** Bytes allocated so far. */
  readonly allocatedBytes: number;
  /** Stops the worker threads (idempotent). The single-thread kernels stay usable. */
  dispose(): void;
}

const PAGE = 65536;
/** Bytes below this offset belong to the module (its static data); allocations start above. */
const RESERVED = PAGE;
const ALIGN = 64;
/** The module declares this maximum (4 GiB): the whole wasm32 address space, reserved, not committed. */
const MAXIMUM_PAGES = 65536;
/**
 * Spinning instead of sleeping between calls: waking a sleeping thread costs ~0.1 ms on a VM,
 * more than many whole kernel calls, and training and ranking make calls in quick bursts. After
 * a call a worker spins for the next one, and the caller spins for the workers' results, each
 * for about as long as its own part of the work took (plus SPIN_SLACK_MS, at most SPIN_MAX_MS)
 * before it sleeps: a spin never burns much more than the useful work.
 *
 * When there are more runnable threads than cores (another process on the same cores), a
 * spinning thread holds a core that a descheduled one needs, and spinning makes things ~2×
 * slower. The process's involuntary context switches tell: the caller measures their rate every
 * SPIN_CHECK_MS and turns spinning off above SPIN_OFF_RATE (measured here: ~75/s alone and
 * spinning, ~1300/s spinning beside a second 2-thread process); while off, it tries spinning
 * again after SPIN_RETRY_MS, doubling that wait (up to SPIN_RETRY_MAX_MS) while retries fail.
 */
const SPIN_SLACK_MS = 0.05;
const SPIN_MAX_MS = 0.5;
const SPIN_CHECK_MS = 50;
const SPIN_OFF_RATE = 800;
const SPIN_RETRY_MS = 100;
const SPIN_RETRY_MAX_MS = 3200;
/** control[SPIN_FLAG] (slot 0 has no worker): 1 while threads may spin. */
const SPIN_FLAG = 0;
/** A worker that has not answered in this long is taken as dead. */
const WORKER_TIMEOUT_MS = 120_000;

/** The parallel kernels by number, as the workers know them. */
const OPS = [
  "pullRows",
  "sumShared",
  "axpy",
  "scale",
  "adam",
  "gemmNT",
  "gemmNN",
  "softmaxRows",
  "topKRows",
  "scoreTransposed",
  "addSignedNoise",
] as const;
type OpName = (typeof OPS)[number];
const ARGS_PER_SLOT = 16;

/**
 * The worker's whole program (evaluated, so that it needs no file on disk): instantiate the
 * module on the shared memory, then wait for requests in its control slot, claim the part, run
 * the kernel, and report done (or the error). The platform file puts `workerData` and
 * `report(message)` in scope.
 */
const WORKER_SOURCE = `
const { module, memory, control, args, slot, ops } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error("kernels: abort"); } } });
const ctl = new Int32Array(control);
const a = new Float64Array(args);
const base = slot * ${ARGS_PER_SLOT};
let seen = 0;
let spin = ${SPIN_SLACK_MS};
for (;;) {
  // Spin (about as long as the last call took) before sleeping: calls come in bursts.
  let request = Atomics.load(ctl, slot * 4);
  const spinUntil = Atomics.load(ctl, ${SPIN_FLAG}) === 1 ? performance.now() + spin : 0;
  while (request === seen && performance.now() < spinUntil) request = Atomics.load(ctl, slot * 4);
  if (request === seen) {
    Atomics.wait(ctl, slot * 4, seen);
    continue;
  }
  if (request < 0) break;
  seen = request;
  // Claim the part (the claim word holds the last claimed call); the caller may have run it already.
  if (Atomics.compareExchange(ctl, slot * 4 + 3, request - 1, request) !== request - 1) continue;
  try {
    const name = ops[a[base]];
    const count = a[base + 1];
    const list = [];
    for (let i = 0; i < count; i++) list.push(a[base + 2 + i]);
    const started = performance.now();
    const result = instance.exports[name](...list);
    spin = Math.min(${SPIN_MAX_MS}, performance.now() - started + ${SPIN_SLACK_MS});
    a[base + ${ARGS_PER_SLOT} - 1] = typeof result === "number" ? result : 0;
    Atomics.store(ctl, slot * 4 + 2, 0);
  } catch (error) {
    Atomics.store(ctl, slot * 4 + 2, 1);
    report(String(error && error.stack || error));
  }
  Atomics.store(ctl, slot * 4 + 1, seen);
  Atomics.notify(ctl, slot * 4 + 1);
}
`;

/** Row length of score matrices: a multiple of 16 floats keeps every row on a 64-byte line. */
export function paddedColumns(n: number): number {
  return Math.ceil(n / 16) * 16;
}

/** Padded width for kernels that need d % 4 == 0: zero columns leave every kernel's result exact. */
export function paddedDim(dim: number): number {
  return Math.ceil(dim / 4) * 4;
}

/** The module's bytes, with a plain (unshared) memory import where no shared memory can be made. */
function moduleBytes(shared: boolean): Uint8Array {
  const bytes = Uint8Array.from(atob(KERNEL_WASM_BASE64), (c) => c.charCodeAt(0));
  return shared ? bytes : withUnsharedMemoryImport(bytes);
}

/**
 * True when this JavaScript engine can compile the kernels (WebAssembly SIMD; Node ≥ 16.4, current browsers).
 * Threads need a shared memory besides (Node; cross-origin isolated pages).
 */
export function kernelsSupported(): boolean {
  try {
    const shared = sharedMemorySupported();
    // Validating is cheaper than compiling; a one-page memory probes shared-memory support.
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared });
    return WebAssembly.validate(moduleBytes(shared));
  } catch {
    return false;
  }
}

/** Splits [0, total) into `parts` contiguous ranges, multiples of `granule` except the last. */
function evenRanges(total: number, parts: number, granule: number): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const end = p === parts - 1 ? total : Math.min(total, Math.round((total * (p + 1)) / parts / granule) * granule);
    if (end > start) ranges.push([start, end]);
    start = Math.max(start, end);
  }
  return ranges;
}

/**
 * Instantiates the kernels in a fresh shared memory. Instances share nothing: create one per
 * training run or evaluation, and `dispose()` it when it has worker threads.
 */
export function createKernels(options: KernelsOptions = {}): Kernels {
  const initialBytes = options.initialBytes ?? 4 * PAGE;
  const requested = options.threads ?? 1;
  const threads = requested === "auto" ? defaultThreadCount() : requested;
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`kernels: threads must be a positive integer or "auto", got ${String(requested)}`);
  const unavailable = threads > 1 ? threadsUnavailableReason() : undefined;
  if (unavailable !== undefined) throw new Error(`kernels: ${threads} threads cannot run here: ${unavailable}`);
  // One thread needs no shared memory: where none can be made (a page that is not cross-origin isolated), it
  // runs in a plain one.
  const shared = sharedMemorySupported();
  const module = new WebAssembly.Module(moduleBytes(shared));
  const memory = new WebAssembly.Memory({
    initial: Math.max(2, Math.ceil((initialBytes + RESERVED) / PAGE)),
    maximum: MAXIMUM_PAGES,
    shared,
  });
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort: () => {
        throw new Error("kernels: abort");
      },
    },
  });
  const exports = instance.exports as unknown as KernelExports;
  let top = RESERVED;

  function reserve(bytes: number): number {
    const ptr = top;
    top += Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN;
    const missing = top - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / PAGE));
    return ptr;
  }

  function buffer<T extends Float32Array | Int32Array>(
    length: number,
    make: (b: ArrayBufferLike, ptr: number, length: number) => T,
  ): KernelBuffer<T> {
    if (!Number.isInteger(length) || length < 0)
      throw new RangeError(`kernels: buffer length must be a non-negative integer, got ${length}`);
    const ptr = reserve(4 * length);
    // Zero already: the allocator never hands out a range twice, and grown pages are zero.
    let view = make(memory.buffer, ptr, length);
    return {
      ptr,
      length,
      get array(): T {
        if (view.buffer !== memory.buffer) view = make(memory.buffer, ptr, length);
        return view;
      },
    };
  }
  const f32 = (length: number) => buffer(length, (b, p, n) => new Float32Array(b, p, n));
  const i32 = (length: number) => buffer(length, (b, p, n) => new Int32Array(b, p, n));

  // Worker threads: slot w (1 … threads − 1) has control words [request, done, status, claimed] and
  // ARGS_PER_SLOT float64 arguments (op, count, args…, result in the last one).
  const control = new Int32Array(shared ? new SharedArrayBuffer(4 * 4 * threads) : new ArrayBuffer(4 * 4 * threads));
  control[SPIN_FLAG] = 1;
  // Spinning on or off (see SPIN_OFF_RATE): the current window (from the first call on), the
  // next retry while off, and the wait before the retry after that.
  let windowStart = -1;
  let windowSwitches = 0;
  let retryAt = 0;
  let retryWait = SPIN_RETRY_MS;
  /** Whether threads may spin now; every SPIN_CHECK_MS, decides it anew from the preemption rate. */
  function spinning(now: number): boolean {
    if (windowStart < 0 || now - windowStart >= SPIN_CHECK_MS) {
      const switches = involuntaryContextSwitches();
      if (switches === undefined) return control[SPIN_FLAG] === 1;
      if (windowStart >= 0) {
        const rate = ((switches - windowSwitches) * 1000) / (now - windowStart);
        if (control[SPIN_FLAG] === 1 && rate > SPIN_OFF_RATE) {
          Atomics.store(control, SPIN_FLAG, 0);
          retryAt = now + retryWait;
          retryWait = Math.min(SPIN_RETRY_MAX_MS, 2 * retryWait);
        } else if (control[SPIN_FLAG] === 0 && now >= retryAt) {
          Atomics.store(control, SPIN_FLAG, 1);
        } else if (control[SPIN_FLAG] === 1) {
          retryWait = SPIN_RETRY_MS; // a calm window while spinning
        }
      }
      windowStart = now;
      windowSwitches = switches;
    }
    return control[SPIN_FLAG] === 1;
  }
  const args = new Float64Array(
    shared ? new SharedArrayBuffer(8 * ARGS_PER_SLOT * threads) : new ArrayBuffer(8 * ARGS_PER_SLOT * threads),
  );
  const workers: KernelWorker[] = [];
  const workerErrors: string[] = [];
  /** Why a worker thread died, once one has: the calling thread would otherwise run its parts, slowly and silently. */
  let stopped: string | undefined;
  let disposed = false;
  for (let slot = 1; slot < threads; slot++) {
    const data = { module, memory, control: control.buffer, args: args.buffer, slot, ops: OPS };
    workers.push(
      startKernelWorker(WORKER_SOURCE, data, {
        message: (message) => workerErrors.push(message),
        died: (reason, detail) => {
          workerErrors.push(detail);
          stopped ??= `worker ${slot} stopped: ${reason}`;
        },
      }),
    );
  }
  // Per-thread top-K scratch, grown on demand.
  let topKScratch: KernelBuffer<Float32Array> | undefined;

  /**
   * Runs one call per range: ranges[0] on this thread, the others on workers; returns the results. A part
   * that no worker has claimed when this thread is done with its own runs here (see below).
   */
  function run(op: OpName, calls: number[][]): number[] {
    if (disposed && calls.length > 1) throw new Error("kernels: disposed: its worker threads are stopped");
    if (stopped !== undefined && calls.length > 1) throw new Error(`kernels: ${stopped}`);
    const sequence: number[] = [];
    for (let t = 1; t < calls.length; t++) {
      const slot = t;
      const list = calls[t];
      const base = slot * ARGS_PER_SLOT;
      args[base] = OPS.indexOf(op);
      args[base + 1] = list.length;
      for (let i = 0; i < list.length; i++) args[base + 2 + i] = list[i];
      const next = Atomics.load(control, slot * 4) + 1;
      sequence[slot] = next;
      Atomics.store(control, slot * 4, next);
      Atomics.notify(control, slot * 4);
    }
    const results = new Array<number>(calls.length).fill(0);
    const started = performance.now();
    const own = (exports[op] as (...a: number[]) => number | undefined)(...calls[0]);
    results[0] = typeof own === "number" ? own : 0;
    // The parts are balanced: a running worker finishes about when this thread did.
    const now = performance.now();
    const spinUntil =
      calls.length > 1 && spinning(now) ? now + Math.min(SPIN_MAX_MS, now - started + SPIN_SLACK_MS) : 0;
    for (let slot = 1; slot < calls.length; slot++) {
      // A part that no worker has claimed yet (its worker is asleep, waits for a core, or, in a browser, has
      // not started: a Web Worker starts only once this thread yields) runs here at once: when other
      // processes hold the cores, waiting for a descheduled worker costs a whole time slice per call. The
      // part, and so every result, is the same whoever runs it.
      if (Atomics.compareExchange(control, slot * 4 + 3, sequence[slot] - 1, sequence[slot]) === sequence[slot] - 1) {
        const value = (exports[op] as (...a: number[]) => number | undefined)(...calls[slot]);
        results[slot] = typeof value === "number" ? value : 0;
        continue;
      }
      while (Atomics.load(control, slot * 4 + 1) !== sequence[slot] && performance.now() < spinUntil);
      const deadline = Date.now() + WORKER_TIMEOUT_MS;
      for (
        let seen = Atomics.load(control, slot * 4 + 1);
        seen !== sequence[slot];
        seen = Atomics.load(control, slot * 4 + 1)
      ) {
        if (Date.now() > deadline)
          throw new Error(
            `kernels: worker ${slot} did not finish ${op} in ${WORKER_TIMEOUT_MS} ms${workerErrors.length > 0 ? `: ${workerErrors.join("; ")}` : ""}`,
          );
        Atomics.wait(control, slot * 4 + 1, seen, 1000);
      }
      if (Atomics.load(control, slot * 4 + 2) !== 0)
        throw new Error(`kernels: worker ${slot} failed in ${op}: ${workerErrors.join("; ")}`);
      results[slot] = args[slot * ARGS_PER_SLOT + ARGS_PER_SLOT - 1];
    }
    return results;
  }

  /** Row ranges for `threads` threads, of at least `minimum` rows each (fewer threads for small work). */
  const rowRanges = (rows: number, minimum: number) =>
    evenRanges(rows, Math.max(1, Math.min(threads, Math.floor(rows / minimum))), 1);
  /** Float ranges for element-wise kernels: multiples of 16 floats (64-byte lines), at least 64 Ki floats each. */
  const floatRanges = (n: number) => evenRanges(n, Math.max(1, Math.min(threads, Math.floor(n / 65536))), 16);

  const parallel: ParallelKernels = {
    pullRows(indptr, indices, values, x, dim, out, rows, from, to) {
      const count = to - from;
      if (threads === 1 || count < 64) {
        exports.pullRows(indptr.ptr, indices, values, x, dim, out, rows === null ? 0 : rows.ptr, from, to);
        return;
      }
      // Balance stored entries (+ 1 per row: a row costs something even when empty). The cost of
      // rows [from, m) is a prefix sum: indptr itself for all rows (binary search, no O(rows)
      // walk on every call), a walk over the list otherwise.
      const offsets = indptr.array;
      const list = rows === null ? null : rows.array;
      let prefix: (m: number) => number;
      if (list === null) {
        prefix = (m) => offsets[m] - offsets[from] + (m - from);
      } else {
        const sums = new Float64Array(count + 1);
        for (let n = 0; n < count; n++) {
          const r = list[from + n];
          sums[n + 1] = sums[n] + offsets[r + 1] - offsets[r] + 1;
        }
        prefix = (m) => sums[m - from];
      }
      const total = prefix(to);
      const calls: number[][] = [];
      let start = from;
      for (let part = 1; part < threads; part++) {
        // The first m whose prefix reaches part/threads of the total ends this part.
        const target = (total * part) / threads;
        let lo = start + 1;
        let hi = to;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (prefix(mid) >= target) hi = mid;
          else lo = mid + 1;
        }
        if (lo >= to) break;
        calls.push([indptr.ptr, indices, values, x, dim, out, rows === null ? 0 : rows.ptr, start, lo]);
        start = lo;
      }
      calls.push([indptr.ptr, indices, values, x, dim, out, rows === null ? 0 : rows.ptr, start, to]);
      run("pullRows", calls);
    },
    sumShared(plan, x, dim, out, scratch, scratchBytes, ranges) {
      if (ranges.length > threads)
        throw new RangeError(`kernels: sumShared got ${ranges.length} ranges for ${threads} threads`);
      run(
        "sumShared",
        ranges.map(([from, to], t) => [plan, x, dim, out, scratch + t * scratchBytes, from, to]),
      );
    },
    axpy(out, x, n, alpha) {
      run(
        "axpy",
        floatRanges(n).map(([a, b]) => [out + 4 * a, x + 4 * a, b - a, alpha]),
      );
    },
    scale(x, n, alpha) {
      run(
        "scale",
        floatRanges(n).map(([a, b]) => [x + 4 * a, b - a, alpha]),
      );
    },
    addSignedNoise(x, width, dim, seed, epsilon, rows) {
      run(
        "addSignedNoise",
        rowRanges(rows, 64).map(([s, e]) => [x, width, dim, seed, epsilon, s, e]),
      );
    },
    adam(param, grad, m, v, n, stepSize, beta1, beta2, epsilon, bc2Sqrt) {
      run(
        "adam",
        floatRanges(n).map(([a, b]) => [
          param + 4 * a,
          grad + 4 * a,
          m + 4 * a,
          v + 4 * a,
          b - a,
          stepSize,
          beta1,
          beta2,
          epsilon,
          bc2Sqrt,
        ]),
      );
    },
    gemmNT(a, b, c, m, n, dim) {
      run(
        "gemmNT",
        rowRanges(m, 8).map(([s, e]) => [a + 4 * s * dim, b, c + 4 * s * n, e - s, n, dim]),
      );
    },
    gemmNN(p, pRow, pCol, b, c, m, n, dim, alpha) {
      run(
        "gemmNN",
        rowRanges(m, 8).map(([s, e]) => [p + s * pRow, pRow, pCol, b, c + 4 * s * dim, e - s, n, dim, alpha]),
      );
    },
    scoreTransposed(a, bT, c, m, n, dim) {
      run(
        "scoreTransposed",
        rowRanges(m, 8).map(([s, e]) => [a + 4 * s * dim, bT, c + 4 * s * n, e - s, n, dim]),
      );
    },
    softmaxRows(x, rows, cols, scale, weight, lse) {
      run(
        "softmaxRows",
        rowRanges(rows, 4).map(([s, e]) => [x + 4 * s * cols, e - s, cols, scale, weight, lse + 4 * s]),
      );
    },
    topKRows(scores, rows, cols, stride, k, items, counts) {
      // One scratch per thread, each on its own cache lines: scratch sharing a line would bounce
      // it between the cores on every insertion.
      const scratchFloats = Math.ceil(exports.topKScratchLength(k, cols) / 16) * 16 + 16;
      if (topKScratch === undefined || topKScratch.length < scratchFloats * threads)
        topKScratch = f32(scratchFloats * threads);
      const scratch = topKScratch.ptr;
      const ranges = rowRanges(rows, 4);
      const results = run(
        "topKRows",
        ranges.map(([s, e], t) => [
          scores + 4 * s * stride,
          e - s,
          cols,
          stride,
          k,
          items + 4 * s * k,
          counts + 4 * s,
          scratch + 4 * scratchFloats * t,
        ]),
      );
      return results.reduce((sum, r) => sum + r, 0);
    },
  };

  return {
    exports,
    parallel,
    threads,
    memory,
    f32,
    i32,
    get allocatedBytes() {
      return top - RESERVED;
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      for (let slot = 1; slot < threads; slot++) {
        Atomics.store(control, slot * 4, -1);
        Atomics.notify(control, slot * 4);
      }
      for (const worker of workers) worker.terminate();
    },
  };
}
