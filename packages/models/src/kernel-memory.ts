import { ConfigError } from "@llminit/core";
import { paddedDim } from "@llminit/kernels";
import type { ModelName, SslNegatives } from "./types.js";
import type { Augmentation } from "./augmentation.js";

/** wasm32 addresses 4 GiB: the most one kernels memory (and so one kernels-engine run) can hold. */
export const WASM32_MEMORY_LIMIT_BYTES = 2 ** 32;

/** The shape of a kernels-engine run: what decides how much of its wasm memory it takes. */
export interface KernelEngineShape {
  model: ModelName;
  users: number;
  items: number;
  /** Train interactions (stored entries of the users × items train matrix). */
  interactions: number;
  dim: number;
  layers: number;
  batchSize: number;
  /** Threads of the kernels (the shared-sums scratch is per thread). */
  threads: number;
  /** SGL: its contrastive term is only built when sslWeight > 0 (default 0.05). */
  sslWeight?: number;
  /** SGL: "all" (default) makes every user and item a candidate. */
  sslNegatives?: SslNegatives;
  /** SGL: "rw" keeps one view adjacency per layer. */
  augmentation?: Augmentation;
}

/** Bytes of a kernels-engine run's wasm memory by what they hold (upper bounds where data decides). */
export interface KernelEngineMemory {
  /** Ego table and its gradient. */
  parameters: number;
  /** Adam's two moments. */
  optimizer: number;
  /** The normalised adjacency (CSR), its shared-sums plan and SGL's view adjacencies. */
  graph: number;
  /** Layer outputs, ping-pong and scratch tables, batch rows and the contrastive workspace. */
  buffers: number;
  /** Everything, including the module's reserved page: what must fit in {@link WASM32_MEMORY_LIMIT_BYTES}. */
  total: number;
}

const PAGE = 65536;
const ALIGN = 64;
/** The shared-sums plan keeps at most this many bytes of leaves + sums per thread (its default cache budget). */
const SHARED_CACHE_BYTES = 768 * 1024;
const SHARED_HEADER_WORDS = 17;

/** Bytes one allocation of `values` 4-byte values takes in the kernels' bump allocator. */
function allocation(values: number): number {
  return Math.ceil(Math.max(4 * values, 1) / ALIGN) * ALIGN;
}

/**
 * The wasm memory `createKernelEngine` allocates for a run of this shape, allocation by
 * allocation as it makes them (each rounded to the allocator's 64 bytes). The shared-sums plan
 * depends on the graph: its bound is used (at most one sum per cached row, at most one rewritten
 * entry per interaction). Pure arithmetic: call it before building anything.
 */
export function kernelEngineMemory(shape: KernelEngineShape): KernelEngineMemory {
  const { model, users, items, interactions, layers, batchSize, threads } = shape;
  const nodes = users + items;
  const width = paddedDim(shape.dim);
  const size = nodes * width;
  const table = allocation(size);
  const parameters = 2 * table;
  const optimizer = 2 * table;

  let graph = 0;
  let buffers = 0;
  const entries = 2 * interactions;
  const csr = () => allocation(nodes + 1) + 2 * allocation(Math.max(entries, 1));
  if (model !== "mf") {
    graph += csr();
    // sharedProductsFor's condition: every thread keeps a scaled copy of one side.
    if (threads * Math.max(users, items) <= 2 * nodes) {
      const cacheRows = Math.floor(SHARED_CACHE_BYTES / (4 * width));
      const sums = [Math.max(0, cacheRows - items), Math.max(0, cacheRows - users)];
      const scratchRows = Math.max(items + sums[0], users + sums[1]);
      const scratchBytes = Math.ceil((scratchRows * 4 * width) / ALIGN) * ALIGN;
      graph +=
        allocation(nodes) +
        allocation(SHARED_HEADER_WORDS) +
        allocation(2 * sums[0]) +
        allocation(users + 1) +
        allocation(interactions) +
        allocation(2 * sums[1]) +
        allocation(items + 1) +
        allocation(interactions);
      buffers += allocation((scratchBytes / 4) * threads);
    }
  }
  const propagationLayers = model === "mf" ? 0 : layers;
  buffers += propagationLayers * table + (propagationLayers + 1) * allocation(nodes);
  buffers += 3 * allocation(propagationLayers > 0 ? size : 0);
  const rowsPerBatch = model === "sgcl" ? 2 * batchSize : 3 * batchSize;
  buffers += allocation(rowsPerBatch) + 2 * allocation(rowsPerBatch * width);

  const sgl = model === "sgl" && (shape.sslWeight ?? 0.05) > 0;
  const allNegatives = (shape.sslNegatives ?? "all") === "all";
  const workspace = (maxRows: number, maxCandidates: number) => {
    const rows = Math.max(maxRows, 1);
    const candidates = Math.max(maxCandidates, rows);
    return (
      2 * allocation(rows * width) +
      2 * allocation(candidates * width) +
      allocation(rows * candidates) +
      allocation(rows * rows) +
      allocation(rows)
    );
  };
  if (model === "sgcl") buffers += workspace(2 * batchSize, 2 * batchSize);
  else if (sgl) buffers += workspace(batchSize, allNegatives ? Math.max(users, items) : batchSize);
  if (sgl) graph += 2 * (shape.augmentation === "rw" ? layers : 1) * csr();
  buffers += allocation(sgl ? 2 * batchSize : 0);
  buffers += 2 * allocation(sgl ? 2 * batchSize * width : 0);
  buffers += 2 * allocation(sgl ? (allNegatives ? size : 2 * batchSize * width) : 0);
  buffers += 2 * table; // scratch ego and final tables (finalFromEgo)
  const total = PAGE + parameters + optimizer + graph + buffers;
  return { parameters, optimizer, graph, buffers, total };
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

/** The largest d ≤ shape.dim (a multiple of 4 when above 4) whose run fits, or 0 when none does. */
export function largestFittingDim(shape: KernelEngineShape): number {
  const fits = (dim: number) => kernelEngineMemory({ ...shape, dim }).total <= WASM32_MEMORY_LIMIT_BYTES;
  let lo = 0;
  let hi = shape.dim;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Throws a {@link ConfigError} on `dim` when a run of this shape cannot fit in one wasm32
 * memory: before anything is allocated, so that a run too large for the kernels engine stops at
 * once with the limit and the ways out instead of failing mid-epoch.
 */
export function assertKernelEngineFits(shape: KernelEngineShape): KernelEngineMemory {
  const memory = kernelEngineMemory(shape);
  if (memory.total <= WASM32_MEMORY_LIMIT_BYTES) return memory;
  const fitting = largestFittingDim(shape);
  const batchNote =
    shape.model === "sgl" && (shape.sslNegatives ?? "all") === "all"
      ? `, or --ssl-negatives batch (SGL's all-negatives logits take ${gib(4 * shape.batchSize * Math.max(shape.users, shape.items))})`
      : "";
  throw new ConfigError(
    "dim",
    `the kernels engine keeps a run in one WebAssembly memory, and wasm32 memory is limited to 4 GiB; ` +
      `${shape.model} on ${shape.users} users × ${shape.items} items (${shape.interactions} train interactions) ` +
      `at d = ${shape.dim} needs ${gib(memory.total)} (parameters ${gib(memory.parameters)}, Adam moments ` +
      `${gib(memory.optimizer)}, graph ${gib(memory.graph)}, buffers ${gib(memory.buffers)}). ` +
      `Way out: --engine tfjs (no such limit; @tensorflow/tfjs-node or -gpu)` +
      (fitting > 0 ? `, or --dim ${fitting} or less` : " (no d fits: the graph alone is too large)") +
      batchNote,
  );
}
