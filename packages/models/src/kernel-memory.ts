import { ConfigError, flagName } from "@llminit/core";
import { paddedDim } from "@llminit/kernels";
import type { KernelBuffer, Kernels } from "@llminit/kernels";
import { augmentedViewGraphs } from "./augmentation.js";
import { KernelBlocks } from "./kernel-blocks.js";
import type { BlocksReservation, KernelBlocksContext, KernelGraph } from "./kernel-blocks.js";
import { ContrastiveWorkspace } from "./kernel-losses.js";
import { KernelPropagation } from "./kernel-propagation.js";
import type { KernelCsr } from "./kernel-propagation.js";
import type { ModelBatch, ModelDefinition, ModelSettings } from "./model-definition.js";
import { TRAINING_KEYS, getModel, resolveTrainConfig } from "./model-registry.js";
import type { TrainConfig } from "./types.js";

/** wasm32 addresses 4 GiB: the most one kernels memory (and so one kernels-engine run) can hold. */
export const WASM32_MEMORY_LIMIT_BYTES = 2 ** 32;

/** The shape of a kernels-engine run: what decides how much of its wasm memory it takes. */
export interface KernelEngineShape {
  /** A registered model (`MODELS`), or the name of the model passed beside the shape. */
  model: string;
  users: number;
  items: number;
  /** Train interactions (stored entries of the users × items train matrix). */
  interactions: number;
  dim: number;
  batchSize: number;
  /** Threads of the kernels (the shared-sums scratch is per thread). */
  threads: number;
  /** The model's own options (e.g. `layers`, `sslNegatives`); omitted ones take the model's defaults. */
  [option: string]: number | string | undefined;
}

/** Bytes of a kernels-engine run's wasm memory by what they hold (upper bounds where data decides). */
export interface KernelEngineMemory {
  /** Ego table and its gradient. */
  parameters: number;
  /** Adam's two moments. */
  optimizer: number;
  /** The normalised adjacency (CSR), its shared-sums plan and the augmented views' adjacencies. */
  graph: number;
  /** Layer outputs, scoring table, the blocks' scratch per step and the contrastive workspace. */
  buffers: number;
  /** Of `buffers`: the contrastive workspace (InfoNCE / SGCL logits and normalised rows), 0 without one. */
  contrastive: number;
  /** Everything, including the module's reserved page: what must fit in {@link WASM32_MEMORY_LIMIT_BYTES}. */
  total: number;
}

/** A kernels-engine run as the engine knows it: the model and its resolved settings. */
export interface KernelEngineRun {
  model: ModelDefinition;
  settings: ModelSettings;
  users: number;
  items: number;
  interactions: number;
  threads: number;
}

/** What the kernels engine allocates, measured by running the model's blocks without arithmetic. */
export interface KernelEnginePlan {
  memory: KernelEngineMemory;
  /** Scratch of the training step's blocks (loss and backward) on the largest batch. */
  training: BlocksReservation;
  /** Scratch of the scoring blocks (`embed`). */
  scoring: BlocksReservation;
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
 * Bytes of the shared-sums plan `sharedProductsFor` builds for the training graph (its sums
 * depend on the graph: at most one sum per cached row, at most one rewritten entry per
 * interaction), or zeros where the engine uses none.
 */
function sharedSumsBytes(
  users: number,
  items: number,
  interactions: number,
  width: number,
  threads: number,
): { graph: number; buffers: number } {
  const nodes = users + items;
  // sharedProductsFor's condition: every thread keeps a scaled copy of one side.
  if (threads * Math.max(users, items) > 2 * nodes) return { graph: 0, buffers: 0 };
  const cacheRows = Math.floor(SHARED_CACHE_BYTES / (4 * width));
  const sums = [Math.max(0, cacheRows - items), Math.max(0, cacheRows - users)];
  const scratchRows = Math.max(items + sums[0], users + sums[1]);
  const scratchBytes = Math.ceil((scratchRows * 4 * width) / ALIGN) * ALIGN;
  return {
    graph:
      allocation(nodes) +
      allocation(SHARED_HEADER_WORDS) +
      allocation(2 * sums[0]) +
      allocation(users + 1) +
      allocation(interactions) +
      allocation(2 * sums[1]) +
      allocation(items + 1) +
      allocation(interactions),
    buffers: allocation((scratchBytes / 4) * threads),
  };
}

/** Counts what a kernels instance's allocator would hand out, handing out placeholders instead. */
class AllocationCounter {
  bytes = 0;
  f32(length: number): KernelBuffer<Float32Array> {
    this.bytes += allocation(length);
    return { ptr: 0, length, array: new Float32Array(0) };
  }
  i32(length: number): KernelBuffer<Int32Array> {
    this.bytes += allocation(length);
    return { ptr: 0, length, array: new Int32Array(0) };
  }
  /** The counter where code wants a kernels instance: only its allocator is used while planning. */
  asKernels(): Kernels {
    return this as unknown as Kernels;
  }
}

/**
 * The wasm memory `createKernelEngine` allocates for a run, allocation by allocation (each
 * rounded to the allocator's 64 bytes): the parameters and Adam's moments, the training graph
 * with its shared-sums plan (its bound, see {@link sharedSumsBytes}), and whatever the model's
 * blocks allocate, found by running the model's `embed`, and its `loss` and backward pass on the
 * largest batch (`batchSize` pairs, as many distinct users and items as it can hold), on
 * {@link KernelBlocks} that only plan: no arithmetic, no table, no random draw. Cheap: call it
 * before building anything. The engine then allocates the blocks' scratch at the planned sizes.
 */
export function planKernelEngine(run: KernelEngineRun): KernelEnginePlan {
  const { model, settings, users, items, interactions, threads } = run;
  const nodes = users + items;
  const width = paddedDim(settings.dim);
  const table = allocation(nodes * width);
  const counter = new AllocationCounter();
  const kernels = counter.asKernels();
  let graph = 0;
  let buffers = 0;
  let trainGraph: KernelGraph | undefined;
  const placeholderCsr = (): KernelCsr => ({
    nodes,
    indptr: { ptr: 0, length: nodes + 1, array: new Int32Array(0) },
    indices: { ptr: 0, length: 0, array: new Int32Array(0) },
    values: { ptr: 0, length: 0, array: new Float32Array(0) },
  });
  // The train graph's CSR and the views' CSRs: nodes + 1 offsets and one entry per direction of each interaction.
  const csr = () => allocation(nodes + 1) + 2 * allocation(Math.max(2 * interactions, 1));
  const shared = sharedSumsBytes(users, items, interactions, width, threads);
  const propagations = new Map<number, KernelPropagation>();
  const views = new Map<string, KernelGraph>();
  const context = (gradient: boolean): KernelBlocksContext => ({
    kernels,
    users,
    items,
    dim: settings.dim,
    width,
    batchSize: settings.batchSize,
    get trainGraph() {
      if (trainGraph === undefined) {
        graph += csr() + shared.graph;
        buffers += shared.buffers;
        trainGraph = { adjacency: [placeholderCsr()] };
      }
      return trainGraph;
    },
    table: { ptr: 0, length: nodes * width, array: new Float32Array(0) },
    gradient: gradient ? { ptr: 0, length: nodes * width, array: new Float32Array(0) } : undefined,
    propagation(layers) {
      let held = propagations.get(layers);
      if (held === undefined) {
        held = new KernelPropagation(kernels, nodes, width, layers);
        propagations.set(layers, held);
      }
      return held;
    },
    view(name, options) {
      let held = views.get(name);
      if (held === undefined) {
        const count = augmentedViewGraphs(options.augmentation, options.layers);
        graph += count * csr();
        held = { adjacency: Array.from({ length: count }, placeholderCsr) };
        views.set(name, held);
      }
      return held;
    },
    noiseSeeds: (count) => new Array<number>(count).fill(0),
  });

  const scoringBlocks = new KernelBlocks(context(false), { planOnly: true });
  model.embed(scoringBlocks, settings);
  // A step holds at most batchSize pairs, and never more pairs than the graph has.
  const size = Math.max(1, Math.min(settings.batchSize, interactions));
  const triples = new Int32Array((model.negatives ? 3 : 2) * size);
  const batch: ModelBatch = {
    size,
    triples,
    pairs: triples.subarray(0, 2 * size),
    distinctUsers: () => new Int32Array(Math.min(size, users)),
    distinctItems: () => new Int32Array(Math.min(size, items)),
  };
  const trainingBlocks = new KernelBlocks(context(true), { planOnly: true });
  trainingBlocks.backward(model.loss(trainingBlocks, batch, settings));

  const training = trainingBlocks.reservation();
  const scoring = scoringBlocks.reservation();
  const workspace = (r: BlocksReservation) =>
    r.workspace === undefined
      ? 0
      : ContrastiveWorkspace.lengths(width, r.workspace.rows, r.workspace.candidates).reduce(
          (sum, length) => sum + allocation(length),
          0,
        );
  const contrastive = workspace(training) + workspace(scoring);
  const scratch = (r: BlocksReservation) =>
    r.floats.reduce((sum, length) => sum + allocation(length), 0) +
    r.ints.reduce((sum, length) => sum + allocation(length), 0);
  // The propagations' layer outputs and scratch (counted as they were built), the scoring table, the blocks' scratch.
  buffers += counter.bytes + table + scratch(training) + scratch(scoring) + contrastive;
  const parameters = 2 * table;
  const optimizer = 2 * table;
  const total = PAGE + parameters + optimizer + graph + buffers;
  return { memory: { parameters, optimizer, graph, buffers, contrastive, total }, training, scoring };
}

/**
 * The model and settings of a shape: its model's defaults under the values the shape gives. `definition`: a
 * model of the caller's own (`TrainOptions.models`) instead of the registered one `shape.model` names.
 */
function runOf(shape: KernelEngineShape, definition?: ModelDefinition): KernelEngineRun {
  const model = definition ?? getModel(shape.model);
  const keys = [...TRAINING_KEYS, ...Object.keys(model.options)];
  const config: TrainConfig = { model: model.name };
  for (const key of keys) if (shape[key] !== undefined) config[key] = shape[key];
  const { settings } = resolveTrainConfig(config, definition === undefined ? undefined : [definition]);
  return {
    model,
    settings,
    users: shape.users,
    items: shape.items,
    interactions: shape.interactions,
    threads: shape.threads,
  };
}

/**
 * The wasm memory `createKernelEngine` allocates for a run of this shape (see
 * {@link planKernelEngine}). Pure arithmetic on the shape: call it before building anything.
 * `model`: a model of your own (`defineModel`) instead of the registered one `shape.model` names.
 */
export function kernelEngineMemory(shape: KernelEngineShape, model?: ModelDefinition): KernelEngineMemory {
  return planKernelEngine(runOf(shape, model)).memory;
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

function fits(shape: KernelEngineShape, model: ModelDefinition | undefined): boolean {
  return kernelEngineMemory(shape, model).total <= WASM32_MEMORY_LIMIT_BYTES;
}

/**
 * The largest d ≤ shape.dim (a multiple of 4 when above 4) whose run fits, or 0 when none does. `model`: as
 * in {@link kernelEngineMemory}.
 */
export function largestFittingDim(shape: KernelEngineShape, model?: ModelDefinition): number {
  let lo = 0;
  let hi = shape.dim;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits({ ...shape, dim: mid }, model)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Other values of the model's choice options that would make the run fit, as flags (`--ssl-negatives batch`). */
function fittingChoices(shape: KernelEngineShape, definition: ModelDefinition | undefined): string[] {
  const { settings, model } = runOf(shape, definition);
  return Object.entries(model.options).flatMap(([key, option]) =>
    (option.choices ?? [])
      .filter((choice) => choice !== settings[key] && fits({ ...shape, [key]: choice }, definition))
      .map((choice) => `--${flagName(key)} ${choice}`),
  );
}

/**
 * Throws the {@link assertKernelEngineFits} error when `memory`, the memory of `shape`, is over the limit.
 * `model`: as in {@link kernelEngineMemory}.
 */
export function checkKernelEngineMemory(
  shape: KernelEngineShape,
  memory: KernelEngineMemory,
  model?: ModelDefinition,
): KernelEngineMemory {
  if (memory.total <= WASM32_MEMORY_LIMIT_BYTES) return memory;
  const fitting = largestFittingDim(shape, model);
  const choices = fittingChoices(shape, model);
  throw new ConfigError(
    "dim",
    `the kernels engine keeps a run in one WebAssembly memory, and wasm32 memory is limited to 4 GiB; ` +
      `${shape.model} on ${shape.users} users × ${shape.items} items (${shape.interactions} train interactions) ` +
      `at d = ${shape.dim} needs ${gib(memory.total)} (parameters ${gib(memory.parameters)}, Adam moments ` +
      `${gib(memory.optimizer)}, graph ${gib(memory.graph)}, buffers ${gib(memory.buffers)}). ` +
      `Way out: --engine tfjs (no such limit; @tensorflow/tfjs-node or -gpu)` +
      (fitting > 0 ? `, or --dim ${fitting} or less` : " (no d fits at these settings)") +
      choices.map((flag) => `, or ${flag}`).join(""),
  );
}

/**
 * Throws a {@link ConfigError} on `dim` when a run of this shape cannot fit in one wasm32
 * memory: before anything is allocated, so that a run too large for the kernels engine stops at
 * once with the limit and the ways out instead of failing mid-epoch. `model`: as in {@link kernelEngineMemory}.
 */
export function assertKernelEngineFits(shape: KernelEngineShape, model?: ModelDefinition): KernelEngineMemory {
  return checkKernelEngineMemory(shape, kernelEngineMemory(shape, model), model);
}
