import type { Csr } from "@llminit/core";
import { createKernels, createSharedPropagation, paddedDim } from "@llminit/kernels";
import type { Scalar, Tensor2D } from "@tensorflow/tfjs-core";
import { buildNormalizedAdjacency } from "../adjacency.js";
import { sampleAugmentedView } from "../augmentation.js";
import { selectBackend } from "../backend.js";
import { KernelBlocks } from "../kernel-blocks.js";
import type { KernelGraph } from "../kernel-blocks.js";
import { KernelPropagation, allocateKernelCsr, copyIntoKernelCsr } from "../kernel-propagation.js";
import type { Blocks, ModelBatch, Term } from "../model-definition.js";
import { TfjsBlocks } from "../tfjs-blocks.js";
import type { TfjsGraph } from "../tfjs-blocks.js";
import { createTfjsAdjacency } from "../tfjs-graph.js";
import type { SparseOps } from "../tfjs-graph.js";
import { EpochStreams } from "../epoch-streams.js";
import { testRoot } from "./reference-blocks.js";

/** Runs a loss built on an engine's blocks: its value and its gradient with respect to the ego table. */
export interface BlockHarness {
  readonly name: string;
  run(loss: (blocks: Blocks) => Term, ego: Float32Array): Promise<{ value: number; gradient: Float32Array }>;
  dispose(): void;
}

/** The kernels engine's blocks on `train` (views and noise from {@link testStreams}). */
export function kernelHarness(train: Csr, dim: number, options: { threads?: number; shared?: boolean } = {}) {
  const kernels = createKernels({ threads: options.threads ?? 1 });
  const nodes = train.rows + train.cols;
  const width = paddedDim(dim);
  const table = kernels.f32(nodes * width);
  const gradient = kernels.f32(nodes * width);
  const adjacency = buildNormalizedAdjacency(train);
  const csr = copyIntoKernelCsr(adjacency, allocateKernelCsr(kernels, nodes, adjacency.indptr[nodes]));
  const graph = { users: train.rows, items: train.cols, indptr: train.indptr, indices: train.indices };
  const trainGraph: KernelGraph = {
    adjacency: [options.shared === true ? { ...csr, shared: createSharedPropagation(kernels, graph, width) } : csr],
  };
  const propagations = new Map<number, KernelPropagation>();
  const streams = new EpochStreams<KernelGraph>();
  const blocks = new KernelBlocks({
    kernels,
    users: train.rows,
    items: train.cols,
    dim,
    width,
    table,
    gradient,
    batchSize: 8,
    trainGraph,
    propagation: (layers) => {
      if (!propagations.has(layers)) propagations.set(layers, new KernelPropagation(kernels, nodes, width, layers));
      return propagations.get(layers)!;
    },
    view: (name, o) =>
      streams.view(name, (rng) => ({
        adjacency: sampleAugmentedView(train, o.augmentation, o.dropRatio, o.layers, rng).layers.map((a) =>
          copyIntoKernelCsr(a, allocateKernelCsr(kernels, nodes, a.indptr[nodes])),
        ),
      })),
    noiseSeeds: (count) => streams.noiseSeeds(count),
  });
  return {
    name: `kernels, ${kernels.threads} thread(s)${options.shared === true ? ", shared sums" : ""}`,
    async run(loss: (b: Blocks) => Term, ego: Float32Array) {
      streams.begin(testRoot());
      table.array.fill(0);
      for (let r = 0; r < nodes; r++) table.array.set(ego.subarray(r * dim, (r + 1) * dim), r * width);
      gradient.array.fill(0);
      blocks.reset();
      const value = blocks.backward(loss(blocks));
      const out = new Float32Array(nodes * dim);
      for (let r = 0; r < nodes; r++) out.set(gradient.array.subarray(r * width, r * width + dim), r * dim);
      return { value, gradient: out };
    },
    dispose: () => kernels.dispose(),
  };
}

/** The tfjs engine's blocks on `train` on a tfjs backend, with the given sparse ops. */
export async function tfjsHarness(train: Csr, dim: number, backend: "wasm" | "cpu", ops: SparseOps) {
  const { tf } = await selectBackend(backend);
  const nodes = train.rows + train.cols;
  const trainGraph: TfjsGraph = { adjacency: [createTfjsAdjacency(tf, buildNormalizedAdjacency(train), ops)] };
  const streams = new EpochStreams<TfjsGraph>();
  const context = {
    tf,
    ops,
    users: train.rows,
    items: train.cols,
    trainGraph,
    view: (name: string, o: Parameters<Blocks["augmentedGraph"]>[1]) =>
      streams.view(name, (rng) => ({
        adjacency: sampleAugmentedView(train, o.augmentation, o.dropRatio, o.layers, rng).layers.map((a) =>
          createTfjsAdjacency(tf, a, ops),
        ),
      })),
    noiseSeeds: (count: number) => streams.noiseSeeds(count),
  };
  return {
    name: `tfjs ${backend}, ${ops}`,
    async run(loss: (b: Blocks) => Term, ego: Float32Array) {
      await selectBackend(backend);
      streams.begin(testRoot()).forEach((g) => g.adjacency.forEach((a) => a.dispose()));
      const table = tf.variable(tf.tensor2d(ego, [nodes, dim]), true);
      const { value, grads } = tf.variableGrads(
        () => loss(new TfjsBlocks(context, table as Tensor2D)) as unknown as Scalar,
        [table],
      );
      const result = { value: value.dataSync()[0], gradient: new Float32Array(grads[table.name].dataSync()) };
      tf.dispose([value, table, ...Object.values(grads)]);
      return result;
    },
    dispose: () => {
      trainGraph.adjacency.forEach((a) => a.dispose());
      streams.graphs().forEach((g) => g.adjacency.forEach((a) => a.dispose()));
    },
  };
}

/** A batch of fixed pairs (node ids: users first, item i is node users + i). */
export function fixedBatch(users: number, pairs: [number, number][], negatives?: number[]): ModelBatch {
  const size = pairs.length;
  const triples = new Int32Array((negatives === undefined ? 2 : 3) * size);
  pairs.forEach(([u, i], b) => {
    triples[b] = u;
    triples[size + b] = users + i;
    if (negatives !== undefined) triples[2 * size + b] = users + negatives[b];
  });
  const distinct = (values: number[]) => Int32Array.from(new Set(values));
  return {
    size,
    triples,
    pairs: triples.subarray(0, 2 * size),
    distinctUsers: () => distinct(pairs.map(([u]) => u)),
    distinctItems: () => distinct(pairs.map(([, i]) => i)),
  };
}
