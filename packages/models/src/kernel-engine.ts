import { createKernels, createSharedPropagation, paddedDim } from "@llminit/kernels";
import type { KernelBuffer, Kernels, SharedPropagation } from "@llminit/kernels";
import type { Csr, Rng } from "@llminit/core";
import { buildNormalizedAdjacency } from "./adjacency.js";
import { sampleAugmentedView } from "./augmentation.js";
import { EpochStreams } from "./epoch-streams.js";
import { KernelBlocks } from "./kernel-blocks.js";
import type { KernelBlocksContext, KernelGraph } from "./kernel-blocks.js";
import { KernelPropagation, allocateKernelCsr, copyIntoKernelCsr } from "./kernel-propagation.js";
import { checkEngineState } from "./engine-state.js";
import { checkKernelEngineMemory, planKernelEngine } from "./kernel-memory.js";
import type { KernelEnginePlan } from "./kernel-memory.js";
import type { ModelBatch, ViewOptions } from "./model-definition.js";
import type { EngineOptions, EngineState, TrainingEngine } from "./training-engine.js";

/** Everything the kernels engine needs. */
export interface KernelEngineOptions extends EngineOptions {
  /** Threads for the kernels (this one plus workers; "auto" = every core); default 1. */
  threads?: number | "auto";
}

/** Copies rows of width `from` into rows of width `to` (zero padding or truncation of the tail). */
function copyRows(source: Float32Array, from: number, target: Float32Array, to: number, rows: number): void {
  if (from === to) {
    target.set(source.subarray(0, rows * from));
    return;
  }
  const width = Math.min(from, to);
  for (let r = 0; r < rows; r++) target.set(source.subarray(r * from, r * from + width), r * to);
}

/**
 * Training on this package's WebAssembly SIMD kernels (`@llminit/kernels`): the parameters,
 * their gradient and Adam moments (all in {@link KernelParameters}), the adjacencies and every
 * intermediate live in one wasm memory; the model's loss runs on {@link KernelBlocks}, whose
 * forward and backward passes are kernels and per-row loss arithmetic in JS on views of that
 * memory. Rows are padded to a multiple of 4 columns with zeros, which changes no result. Same
 * blocks, Adam and random streams as the tfjs engine.
 */
export function createKernelEngine(options: KernelEngineOptions): TrainingEngine {
  const { model, settings, train, dim, batchSize } = options;
  const users = train.rows;
  const items = train.cols;
  const nodes = users + items;
  const width = paddedDim(dim);
  const kernels = createKernels({ threads: options.threads ?? 1 });
  // What the run will allocate, checked against wasm32's 4 GiB before anything is.
  const shape = { users, items, interactions: train.indptr[users], threads: kernels.threads };
  let plan: KernelEnginePlan;
  try {
    plan = planKernelEngine({ model, settings, ...shape });
    checkKernelEngineMemory({ ...settings, ...shape, model: model.name }, plan.memory, model);
  } catch (error) {
    kernels.dispose();
    throw error;
  }
  const parameters = new KernelParameters(kernels, nodes * width);
  copyRows(options.egoInit, dim, parameters.ego.array, width, nodes);

  // The training graph's Â, built when a block first asks for it (MF never does).
  let trainGraph: KernelGraph | undefined;
  let sharedNote = "";
  const buildTrainGraph = (): KernelGraph => {
    const adjacency = buildNormalizedAdjacency(train);
    const csr = copyIntoKernelCsr(adjacency, allocateKernelCsr(kernels, nodes, adjacency.indptr[nodes]));
    const shared = sharedProductsFor(kernels, train, width);
    if (shared !== undefined) sharedNote = ", shared sums";
    return { adjacency: [shared === undefined ? csr : { ...csr, shared }] };
  };
  const propagations = new Map<number, KernelPropagation>();
  const propagation = (layers: number) => {
    let held = propagations.get(layers);
    if (held === undefined) {
      held = new KernelPropagation(kernels, nodes, width, layers);
      propagations.set(layers, held);
    }
    return held;
  };

  // Augmented views keep their buffers from epoch to epoch; each epoch draws them anew on first use.
  const streams = new EpochStreams<KernelGraph>();
  const buffers = new Map<string, KernelGraph>();
  const view = (name: string, o: ViewOptions): KernelGraph =>
    streams.view(name, (rng) => {
      const drawn = sampleAugmentedView(train, o.augmentation, o.dropRatio, o.layers, rng);
      let graph = buffers.get(name);
      if (graph === undefined || graph.adjacency.length !== drawn.layers.length) {
        const entries = train.indptr[users] * 2;
        graph = { adjacency: drawn.layers.map(() => allocateKernelCsr(kernels, nodes, entries)) };
        buffers.set(name, graph);
      }
      drawn.layers.forEach((layer, k) => copyIntoKernelCsr(layer, graph!.adjacency[k]));
      return graph;
    });
  const contextFor = (
    table: KernelBuffer<Float32Array>,
    gradient: KernelBuffer<Float32Array> | undefined,
  ): KernelBlocksContext => ({
    kernels,
    users,
    items,
    dim,
    width,
    batchSize,
    get trainGraph() {
      return (trainGraph ??= buildTrainGraph());
    },
    table,
    gradient,
    propagation,
    view,
    noiseSeeds: (count) => streams.noiseSeeds(count),
  });
  const blocks = new KernelBlocks(contextFor(parameters.ego, parameters.gradient), { reservation: plan.training });
  const scoring = kernels.f32(nodes * width);
  const scoringBlocks = new KernelBlocks(contextFor(scoring, undefined), { reservation: plan.scoring });

  function unpadded(buffer: Float32Array, at: number): Float32Array {
    const out = new Float32Array(nodes * dim);
    copyRows(buffer.subarray(at), width, out, dim, nodes);
    return out;
  }

  const finalFromEgo = (table: Float32Array): Float32Array => {
    if (table.length !== nodes * dim)
      throw new RangeError(`kernels engine: ego table has ${table.length} values, expected ${nodes} × ${dim}`);
    copyRows(table, dim, scoring.array, width, nodes);
    scoringBlocks.reset();
    const { data, at, count } = scoringBlocks.read(model.embed(scoringBlocks, settings));
    if (count !== nodes) throw new RangeError(`${model.name}: embed gave ${count} rows, expected ${nodes}`);
    return unpadded(data.array, at * width);
  };
  // Scoring once builds what the model's scoring uses (the graph, its shared sums) before training starts.
  finalFromEgo(options.egoInit);

  return {
    name: "kernels",
    wasmBytes: () => kernels.allocatedBytes,
    backend: `kernels (wasm SIMD, ${kernels.threads} thread${kernels.threads === 1 ? "" : "s"}${sharedNote})`,
    beginEpoch(epochRng: Rng): void {
      streams.begin(epochRng);
    },
    step(batch: ModelBatch): number {
      parameters.gradient.array.fill(0);
      blocks.reset();
      const loss = blocks.backward(model.loss(blocks, batch, settings));
      parameters.adamStep(options);
      return loss;
    },
    readEgo: () => unpadded(parameters.ego.array, 0),
    async exportState(): Promise<EngineState> {
      return parameters.exportState(dim);
    },
    async importState(state: EngineState): Promise<void> {
      checkEngineState(state, nodes, dim, "kernels engine");
      parameters.importState(state, dim);
    },
    finalFromEgo,
    dispose(): void {
      kernels.dispose(); // stops the worker threads; the memory goes with the engine
    },
  };
}

/**
 * The trained parameters and Adam's state in kernels memory: the ego table, its gradient, the
 * first and second moments and the step count. Everything a checkpoint needs is here.
 */
export class KernelParameters {
  readonly ego: KernelBuffer<Float32Array>;
  readonly gradient: KernelBuffer<Float32Array>;
  readonly moment1: KernelBuffer<Float32Array>;
  readonly moment2: KernelBuffer<Float32Array>;
  /** Adam steps taken. */
  steps = 0;

  constructor(
    private readonly kernels: Kernels,
    readonly size: number,
  ) {
    this.ego = kernels.f32(size);
    this.gradient = kernels.f32(size);
    this.moment1 = kernels.f32(size);
    this.moment2 = kernels.f32(size);
  }

  /**
   * The ego table, Adam's moments (rows of `dim`, padding dropped) and the step count. Padding
   * columns stay zero in the table and both moments (their gradient is zero), so this is the
   * whole state.
   */
  exportState(dim: number): EngineState {
    const width = paddedDim(dim);
    const rows = this.size / width;
    const unpadded = (buffer: KernelBuffer<Float32Array>) => {
      const out = new Float32Array(rows * dim);
      copyRows(buffer.array, width, out, dim, rows);
      return out;
    };
    return {
      ego: unpadded(this.ego),
      moment1: unpadded(this.moment1),
      moment2: unpadded(this.moment2),
      step: this.steps,
    };
  }

  /** Continues from an {@link exportState} state (checked by the caller). */
  importState(state: EngineState, dim: number): void {
    const width = paddedDim(dim);
    const rows = this.size / width;
    copyRows(state.ego, dim, this.ego.array, width, rows);
    copyRows(state.moment1, dim, this.moment1.array, width, rows);
    copyRows(state.moment2, dim, this.moment2.array, width, rows);
    this.steps = state.step;
  }

  /** One `torch.optim.Adam` step with the gradient. */
  adamStep(o: { learningRate: number; beta1: number; beta2: number; epsilon: number }): void {
    this.steps++;
    const bc1 = 1 - o.beta1 ** this.steps;
    const bc2 = 1 - o.beta2 ** this.steps;
    this.kernels.parallel.adam(
      this.ego.ptr,
      this.gradient.ptr,
      this.moment1.ptr,
      this.moment2.ptr,
      this.size,
      o.learningRate / bc1,
      o.beta1,
      o.beta2,
      o.epsilon,
      Math.sqrt(bc2),
    );
  }
}

/**
 * The shared-sums plan for products with `train`'s Â on `width`-float rows (`width` a multiple
 * of 4), or undefined where its scratch would be large: each thread keeps a scaled copy of the
 * leaves of its half of the graph (and the sums), and the plan is used while those copies take
 * at most twice the memory of one layer (always on two threads). Measured on two threads, a
 * layer takes 0.65× the time of `pullRows` on ml-100k (shared sums: 0.58 of the additions
 * left), ~0.87× on a Beauty-size graph (unweighted rows alone, no sums fit the cache) and about
 * the same on Office-Products. The kernels engine calls this for its training graph; the plan
 * takes ~1 s to build on ml-100k, ~0.25 s on Beauty size.
 */
export function sharedProductsFor(kernels: Kernels, train: Csr, width: number): SharedPropagation | undefined {
  const nodes = train.rows + train.cols;
  if (width % 4 !== 0 || kernels.threads * Math.max(train.rows, train.cols) > 2 * nodes) return undefined;
  return createSharedPropagation(
    kernels,
    { users: train.rows, items: train.cols, indptr: train.indptr, indices: train.indices },
    width,
  );
}
