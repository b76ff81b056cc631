import { createKernels, createSharedPropagation, paddedDim } from "@llminit/kernels";
import type { KernelBuffer, Kernels, SharedPropagation } from "@llminit/kernels";
import type { Csr, Rng } from "@llminit/core";
import { buildNormalizedAdjacency } from "./adjacency.js";
import { sampleAugmentedView } from "./augmentation.js";
import { ContrastiveWorkspace, addL2, bprLossAndGradient } from "./kernel-losses.js";
import { KernelPropagation, allocateKernelCsr, copyIntoKernelCsr } from "./kernel-propagation.js";
import type { KernelCsr } from "./kernel-propagation.js";
import { checkEngineState } from "./engine-state.js";
import { assertKernelEngineFits } from "./kernel-memory.js";
import type { EngineBatch, EngineOptions, EngineState, TrainingEngine } from "./training-engine.js";

/** Everything the kernels engine needs. */
export interface KernelEngineOptions extends EngineOptions {
  /** Pairs per step at most (sizes the batch buffers). */
  batchSize: number;
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
 * Training on this package's WebAssembly SIMD kernels (`@llminit/kernels`): every parameter,
 * gradient, Adam moment and adjacency lives in one wasm memory; propagation, its backward pass,
 * the contrastive products and Adam run as kernels, the per-row loss arithmetic in JS on views
 * of that memory. Rows are padded to a multiple of 4 columns with zeros, which changes no
 * result. Same models, losses, Adam and random streams as the tfjs engine.
 */
export function createKernelEngine(options: KernelEngineOptions): TrainingEngine {
  const {
    model,
    train,
    dim,
    layers,
    batchSize,
    learningRate,
    regWeight,
    beta1,
    beta2,
    epsilon,
    temperature,
    sslWeight,
  } = options;
  const users = train.rows;
  const items = train.cols;
  const nodes = users + items;
  const width = paddedDim(dim);
  const size = nodes * width;
  const kernels = createKernels({ threads: options.threads ?? 1 });
  try {
    assertKernelEngineFits({ ...options, users, items, interactions: train.indptr[users], threads: kernels.threads });
  } catch (error) {
    kernels.dispose();
    throw error;
  }
  const ego = kernels.f32(size);
  const grad = kernels.f32(size);
  const moment1 = kernels.f32(size);
  const moment2 = kernels.f32(size);
  copyRows(options.egoInit, dim, ego.array, width, nodes);

  const propagationLayers = model === "mf" ? 0 : layers;
  const adjacency = model === "mf" ? undefined : buildNormalizedAdjacency(train);
  const main: KernelCsr[] = [];
  if (adjacency !== undefined) {
    const csr = copyIntoKernelCsr(adjacency, allocateKernelCsr(kernels, nodes, adjacency.indptr[nodes]));
    const shared = sharedProductsFor(kernels, train, width);
    main.push(shared === undefined ? csr : { ...csr, shared });
  }
  const sharedNote = main[0]?.shared === undefined ? "" : ", shared sums";
  const propagation = new KernelPropagation(kernels, nodes, width, propagationLayers);
  const rowsPerBatch = model === "sgcl" ? 2 * batchSize : 3 * batchSize;
  const rows = kernels.i32(rowsPerBatch);
  const final = kernels.f32(rowsPerBatch * width);
  const finalGrad = kernels.f32(rowsPerBatch * width);

  const sgl = model === "sgl" && sslWeight > 0;
  const allNegatives = options.sslNegatives === "all";
  const workspace =
    model === "sgcl"
      ? new ContrastiveWorkspace(kernels, width, 2 * batchSize, 2 * batchSize)
      : sgl
        ? new ContrastiveWorkspace(kernels, width, batchSize, allNegatives ? Math.max(users, items) : batchSize)
        : undefined;
  // SGL: two views (one adjacency each, or one per layer for random walks) re-drawn per epoch.
  const viewGraphs = sgl ? (options.augmentation === "rw" ? layers : 1) : 0;
  const entries = train.indptr[users] * 2;
  const views: KernelCsr[][] = sgl
    ? [0, 1].map(() => Array.from({ length: viewGraphs }, () => allocateKernelCsr(kernels, nodes, entries)))
    : [];
  const anchors = kernels.i32(sgl ? 2 * batchSize : 0);
  const view1Rows = kernels.f32(sgl ? 2 * batchSize * width : 0);
  const view1Grad = kernels.f32(sgl ? 2 * batchSize * width : 0);
  const view2Rows = kernels.f32(sgl ? (allNegatives ? size : 2 * batchSize * width) : 0);
  const view2Grad = kernels.f32(sgl ? (allNegatives ? size : 2 * batchSize * width) : 0);
  const scratchEgo = kernels.f32(size);
  const scratchFinal = kernels.f32(size);
  let steps = 0;
  let viewsReady = false;

  function sslLoss(anchorUsers: Int32Array, anchorItems: Int32Array): number {
    if (workspace === undefined) return 0;
    const nu = anchorUsers.length;
    const ni = anchorItems.length;
    const count = nu + ni;
    const list = anchors.array;
    list.set(anchorUsers, 0);
    for (let k = 0; k < ni; k++) list[nu + k] = users + anchorItems[k];
    const [view1, view2] = views;
    propagation.forwardRows(view1, ego.ptr, anchors, count, view1Rows);
    view1Grad.array.fill(0, 0, count * width);
    let loss: number;
    if (allNegatives) {
      propagation.forwardAll(view2, ego, view2Rows);
      view2Grad.array.fill(0);
      loss =
        workspace.infoNce(view1Rows, 0, nu, view2Rows, 0, users, anchorUsers, temperature, view1Grad, view2Grad) +
        workspace.infoNce(
          view1Rows,
          nu * width,
          ni,
          view2Rows,
          users * width,
          items,
          anchorItems,
          temperature,
          view1Grad,
          view2Grad,
        );
      propagation.backwardAll(view2, view2Grad, grad, sslWeight);
    } else {
      propagation.forwardRows(view2, ego.ptr, anchors, count, view2Rows);
      view2Grad.array.fill(0, 0, count * width);
      loss =
        workspace.infoNce(view1Rows, 0, nu, view2Rows, 0, nu, undefined, temperature, view1Grad, view2Grad) +
        workspace.infoNce(
          view1Rows,
          nu * width,
          ni,
          view2Rows,
          nu * width,
          ni,
          undefined,
          temperature,
          view1Grad,
          view2Grad,
        );
      propagation.backwardRows(view2, view2Grad, anchors, count, grad, sslWeight);
    }
    propagation.backwardRows(view1, view1Grad, anchors, count, grad, sslWeight);
    return loss;
  }

  function unpadded(buffer: KernelBuffer<Float32Array>): Float32Array {
    const out = new Float32Array(nodes * dim);
    copyRows(buffer.array, width, out, dim, nodes);
    return out;
  }

  return {
    name: "kernels",
    wasmBytes: () => kernels.allocatedBytes,
    backend: `kernels (wasm SIMD, ${kernels.threads} thread${kernels.threads === 1 ? "" : "s"}${sharedNote})`,
    beginEpoch(epochRng: Rng): void {
      if (!sgl) return;
      const viewsRng = epochRng.child("views");
      ["view-1", "view-2"].forEach((name, v) => {
        const drawn = sampleAugmentedView(train, options.augmentation, options.dropRatio, layers, viewsRng.child(name));
        drawn.layers.forEach((layer, k) => copyIntoKernelCsr(layer, views[v][k]));
      });
      viewsReady = true;
    },
    step(batch: EngineBatch): number {
      const { size: pairs, stacked } = batch;
      const count = stacked.length;
      rows.array.set(stacked);
      grad.array.fill(0);
      propagation.forwardRows(main, ego.ptr, rows, count, final);
      let loss =
        model === "sgcl" && workspace !== undefined
          ? workspace.sgcl(final, pairs, temperature, finalGrad)
          : bprLossAndGradient(final.array, finalGrad.array, pairs, width);
      propagation.backwardRows(main, finalGrad, rows, count, grad, 1);
      loss += addL2(ego.array, grad.array, stacked, count, width, regWeight / pairs);
      if (sgl) {
        if (!viewsReady) throw new Error("kernels engine: beginEpoch must draw SGL's views before the first step");
        if (batch.anchorUsers === undefined || batch.anchorItems === undefined)
          throw new Error("kernels engine: SGL needs the batch's anchor users and items");
        loss += sslWeight * sslLoss(batch.anchorUsers, batch.anchorItems);
      }
      steps++;
      const bc1 = 1 - beta1 ** steps;
      const bc2 = 1 - beta2 ** steps;
      kernels.parallel.adam(
        ego.ptr,
        grad.ptr,
        moment1.ptr,
        moment2.ptr,
        size,
        learningRate / bc1,
        beta1,
        beta2,
        epsilon,
        Math.sqrt(bc2),
      );
      return loss;
    },
    readEgo: () => unpadded(ego),
    async exportState(): Promise<EngineState> {
      // Padding columns stay zero in the table and both moments (zero gradients), so the unpadded
      // copies hold the whole state.
      return { ego: unpadded(ego), moment1: unpadded(moment1), moment2: unpadded(moment2), step: steps };
    },
    async importState(state: EngineState): Promise<void> {
      checkEngineState(state, nodes, dim, "kernels engine");
      copyRows(state.ego, dim, ego.array, width, nodes);
      copyRows(state.moment1, dim, moment1.array, width, nodes);
      copyRows(state.moment2, dim, moment2.array, width, nodes);
      steps = state.step;
    },
    finalFromEgo(table: Float32Array): Float32Array {
      if (table.length !== nodes * dim)
        throw new RangeError(`kernels engine: ego table has ${table.length} values, expected ${nodes} × ${dim}`);
      copyRows(table, dim, scratchEgo.array, width, nodes);
      propagation.forwardAll(main, scratchEgo, scratchFinal);
      return unpadded(scratchFinal);
    },
    dispose(): void {
      kernels.dispose(); // stops the worker threads; the memory goes with the engine
    },
  };
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
