import type { KernelBuffer, Kernels, SharedPropagation } from "@llminit/kernels";
import type { NormalizedAdjacency } from "./adjacency.js";

/** A normalised adjacency copied into a kernels memory (capacity fixed at allocation). */
export interface KernelCsr {
  readonly nodes: number;
  readonly indptr: KernelBuffer<Int32Array>;
  readonly indices: KernelBuffer<Int32Array>;
  readonly values: KernelBuffer<Float32Array>;
  /** When set, whole products `Â · x` use it (the same Â with shared partial sums) instead of `pullRows`. */
  readonly shared?: SharedPropagation;
}

/** Room in `kernels` for an adjacency of `nodes` nodes and up to `entries` stored entries. */
export function allocateKernelCsr(kernels: Kernels, nodes: number, entries: number): KernelCsr {
  return {
    nodes,
    indptr: kernels.i32(nodes + 1),
    indices: kernels.i32(Math.max(entries, 1)),
    values: kernels.f32(Math.max(entries, 1)),
  };
}

/** Copies `adjacency` into `target` (same node count, enough capacity). */
export function copyIntoKernelCsr(adjacency: NormalizedAdjacency, target: KernelCsr): KernelCsr {
  const entries = adjacency.indptr[adjacency.nodes];
  if (adjacency.nodes !== target.nodes || entries > target.indices.length) {
    throw new RangeError(
      `kernel CSR: ${adjacency.nodes} nodes / ${entries} entries do not fit ${target.nodes} nodes / ${target.indices.length} entries`,
    );
  }
  target.indptr.array.set(adjacency.indptr);
  target.indices.array.set(adjacency.indices.subarray(0, entries));
  target.values.array.set(adjacency.values.subarray(0, entries));
  return target;
}

/** Options of {@link KernelPropagation.forwardAll}. */
export interface WholeGraphForward {
  /** Layer 0 in the mean (default true: LightGCN); false: mean of layers 1 … K. */
  includeEgo?: boolean;
  /** SimGCL's noise on each layer's output: ε, the model's width `dim` (≤ the padded width), one seed per layer. */
  noise?: { epsilon: number; dim: number; seeds: readonly number[] };
  /** Layer k → a buffer (nodes × width) that receives a copy of layer k's output. */
  keep?: ReadonlyMap<number, KernelBuffer<Float32Array>>;
}

/** Options of {@link KernelPropagation.backwardAll}. */
export interface WholeGraphBackward {
  includeEgo?: boolean;
  /** Gradients of kept layer outputs (nodes × width), each added with its factor. */
  taps?: readonly { layer: number; g: KernelBuffer<Float32Array>; factor: number }[];
}

/** A set of node ids as an ordered list (in kernels memory) plus a membership mask. */
class NodeSet {
  readonly mask: Uint8Array;
  readonly list: KernelBuffer<Int32Array>;
  size = 0;
  constructor(kernels: Kernels, nodes: number) {
    this.mask = new Uint8Array(nodes);
    this.list = kernels.i32(nodes);
  }
  clear(): void {
    const list = this.list.array;
    for (let n = 0; n < this.size; n++) this.mask[list[n]] = 0;
    this.size = 0;
  }
  /** Distinct values of rows[0 … count). */
  fill(rows: Int32Array, count: number): void {
    this.clear();
    const list = this.list.array;
    for (let n = 0; n < count; n++) {
      const r = rows[n];
      if (this.mask[r] === 0) {
        this.mask[r] = 1;
        list[this.size++] = r;
      }
    }
  }
  /** `from` and every neighbour of its nodes in `csr`. */
  fillClosed(csr: KernelCsr, from: NodeSet): void {
    this.clear();
    const list = this.list.array;
    const indptr = csr.indptr.array;
    const indices = csr.indices.array;
    const source = from.list.array;
    const add = (r: number) => {
      if (this.mask[r] === 0) {
        this.mask[r] = 1;
        list[this.size++] = r;
      }
    };
    for (let n = 0; n < from.size; n++) {
      const r = source[n];
      add(r);
      for (let k = indptr[r]; k < indptr[r + 1]; k++) add(indices[k]);
    }
  }
}

/**
 * LightGCN propagation `final = (x + A₁x + A₂A₁x + … ) / (K + 1)` and its backward pass on
 * kernels memory, for K ≥ 0 layers with one adjacency per layer (the same one K times for
 * LightGCN, one per layer for SGL's random-walk views). Every adjacency is symmetric, so the
 * backward pass is the same kind of product. Scratch buffers are reused between calls: the
 * result of one call is only valid until the next.
 */
export class KernelPropagation {
  private readonly kernels: Kernels;
  private readonly nodes: number;
  private readonly dim: number;
  private readonly layers: number;
  /** Layer outputs 1…K (nodes × dim each); rows outside the needed sets hold stale values. */
  private readonly layerOut: KernelBuffer<Float32Array>[];
  /** needed[k]: rows where layer k is computed (k = 1…K); needed[K+1] unused. */
  private readonly needed: NodeSet[];
  private readonly g0: KernelBuffer<Float32Array>;
  private readonly ping: KernelBuffer<Float32Array>;
  private readonly pong: KernelBuffer<Float32Array>;

  constructor(kernels: Kernels, nodes: number, dim: number, layers: number) {
    this.kernels = kernels;
    this.nodes = nodes;
    this.dim = dim;
    this.layers = layers;
    this.layerOut = Array.from({ length: layers }, () => kernels.f32(nodes * dim));
    this.needed = Array.from({ length: layers + 1 }, () => new NodeSet(kernels, nodes));
    this.g0 = kernels.f32(layers > 0 ? nodes * dim : 0);
    this.ping = kernels.f32(layers > 0 ? nodes * dim : 0);
    this.pong = kernels.f32(layers > 0 ? nodes * dim : 0);
  }

  /** `out = A · x` over every node: by the shared sums when the adjacency has them. */
  private product(csr: KernelCsr, x: number, out: number): void {
    if (csr.shared !== undefined) csr.shared.apply(x, out);
    else
      this.kernels.parallel.pullRows(
        csr.indptr,
        csr.indices.ptr,
        csr.values.ptr,
        x,
        this.dim,
        out,
        null,
        0,
        this.nodes,
      );
  }

  private adjacencyOf(adjacency: readonly KernelCsr[], layer: number): KernelCsr {
    return adjacency.length === 1 ? adjacency[0] : adjacency[layer - 1];
  }

  /**
   * `out[n] = final[rows[n]]` for n < count (out: count × dim, overwritten), computing layer k
   * only where layer k + 1 or the output reads it.
   */
  forwardRows(
    adjacency: readonly KernelCsr[],
    x: number,
    rows: KernelBuffer<Int32Array>,
    count: number,
    out: KernelBuffer<Float32Array>,
  ): void {
    const { exports, parallel } = this.kernels;
    const { dim, layers } = this;
    const scale = 1 / (layers + 1);
    out.array.fill(0, 0, count * dim);
    exports.addGatheredRows(out.ptr, x, rows.ptr, count, dim, scale);
    if (layers === 0) return;
    // A batch of a quarter of the nodes or more needs (nearly) every row of the lower layers:
    // whole layers with shared sums then cost less than finding and pulling the needed rows.
    const whole = 4 * count >= this.nodes && adjacency.every((csr) => csr.shared !== undefined);
    const needed = this.needed;
    if (!whole) {
      needed[layers].fill(rows.array, count);
      for (let layer = layers - 1; layer >= 1; layer--)
        needed[layer].fillClosed(this.adjacencyOf(adjacency, layer + 1), needed[layer + 1]);
    }
    let previous = x;
    for (let layer = 1; layer <= layers; layer++) {
      const csr = this.adjacencyOf(adjacency, layer);
      const target = this.layerOut[layer - 1];
      if (whole) this.product(csr, previous, target.ptr);
      else
        parallel.pullRows(
          csr.indptr,
          csr.indices.ptr,
          csr.values.ptr,
          previous,
          dim,
          target.ptr,
          needed[layer].list,
          0,
          needed[layer].size,
        );
      exports.addGatheredRows(out.ptr, target.ptr, rows.ptr, count, dim, scale);
      previous = target.ptr;
    }
  }

  /**
   * `out = final` for every node (out: nodes × dim, overwritten). With `options`: the mean over
   * layers 1 … K only (`includeEgo: false`), noise added to each layer's output (see
   * `addSignedNoise` in the kernels: `x += sign(x) · ε · u / ‖u‖`, u uniform per row from
   * `seeds[layer − 1]`, over the first `dim` columns), and copies of layer outputs in `keep`.
   */
  forwardAll(
    adjacency: readonly KernelCsr[],
    x: KernelBuffer<Float32Array>,
    out: KernelBuffer<Float32Array>,
    options: WholeGraphForward = {},
  ): void {
    const { parallel } = this.kernels;
    const { dim, layers, nodes } = this;
    const size = nodes * dim;
    const includeEgo = options.includeEgo ?? true;
    const scale = 1 / (includeEgo ? layers + 1 : layers);
    if (includeEgo) out.array.set(x.array.subarray(0, size));
    else out.array.fill(0, 0, size);
    let previous = x.ptr;
    for (let layer = 1; layer <= layers; layer++) {
      const target = this.layerOut[layer - 1];
      this.product(this.adjacencyOf(adjacency, layer), previous, target.ptr);
      const noise = options.noise;
      if (noise !== undefined)
        parallel.addSignedNoise(target.ptr, dim, noise.dim, noise.seeds[layer - 1], noise.epsilon, nodes);
      parallel.axpy(out.ptr, target.ptr, size, 1);
      options.keep?.get(layer)?.array.set(target.array.subarray(0, size));
      previous = target.ptr;
    }
    parallel.scale(out.ptr, size, scale);
  }

  /**
   * Backward of {@link forwardRows}: `grad += alpha · Jᵀ g` where g (count × dim) is the
   * gradient of the selected final rows (repeated rows add up).
   */
  backwardRows(
    adjacency: readonly KernelCsr[],
    g: KernelBuffer<Float32Array>,
    rows: KernelBuffer<Int32Array>,
    count: number,
    grad: KernelBuffer<Float32Array>,
    alpha: number,
  ): void {
    const { exports } = this.kernels;
    const { dim, layers } = this;
    const scale = 1 / (layers + 1);
    if (layers === 0) {
      exports.scatterAddRows(grad.ptr, g.ptr, rows.ptr, count, dim, alpha);
      return;
    }
    this.g0.array.fill(0);
    exports.scatterAddRows(this.g0.ptr, g.ptr, rows.ptr, count, dim, scale);
    this.backwardHorner(adjacency, grad, alpha);
  }

  /**
   * Backward of {@link forwardAll}: `grad += alpha · Jᵀ g` for g over every node (nodes × dim),
   * with the same `includeEgo`; `taps` add `factor · g_k` to the gradient of kept layer k's output.
   */
  backwardAll(
    adjacency: readonly KernelCsr[],
    g: KernelBuffer<Float32Array>,
    grad: KernelBuffer<Float32Array>,
    alpha: number,
    options: WholeGraphBackward = {},
  ): void {
    const { parallel } = this.kernels;
    const size = this.nodes * this.dim;
    const includeEgo = options.includeEgo ?? true;
    const taps = options.taps ?? [];
    if (this.layers === 0) {
      parallel.axpy(grad.ptr, g.ptr, size, alpha);
      return;
    }
    this.g0.array.set(g.array.subarray(0, size));
    parallel.scale(this.g0.ptr, size, 1 / (includeEgo ? this.layers + 1 : this.layers));
    if (includeEgo && taps.length === 0) {
      this.backwardHorner(adjacency, grad, alpha);
      return;
    }
    // d_K = g0 + taps at K; d_{k−1} = A_k d_k + [k − 1 in the mean] g0 + taps at k − 1; grad += alpha · d_0.
    const { dim, layers, nodes } = this;
    const addTaps = (layer: number, into: KernelBuffer<Float32Array>) => {
      for (const tap of taps) if (tap.layer === layer) parallel.axpy(into.ptr, tap.g.ptr, nodes * dim, tap.factor);
    };
    let current = this.ping;
    let spare = this.pong;
    current.array.set(this.g0.array.subarray(0, size));
    addTaps(layers, current);
    for (let layer = layers; layer >= 1; layer--) {
      this.product(this.adjacencyOf(adjacency, layer), current.ptr, spare.ptr);
      if (layer - 1 >= 1 || includeEgo) parallel.axpy(spare.ptr, this.g0.ptr, size, 1);
      addTaps(layer - 1, spare);
      [current, spare] = [spare, current];
    }
    parallel.axpy(grad.ptr, current.ptr, size, alpha);
  }

  /**
   * With g0 = g / (K + 1): d_K = g0, d_{k−1} = g0 + A_kᵀ d_k (A_k symmetric), grad += alpha · d_0.
   */
  private backwardHorner(adjacency: readonly KernelCsr[], grad: KernelBuffer<Float32Array>, alpha: number): void {
    const { parallel } = this.kernels;
    const { dim, layers, nodes } = this;
    const size = nodes * dim;
    let current = this.g0;
    let spare = this.ping;
    let other = this.pong;
    for (let layer = layers; layer >= 1; layer--) {
      this.product(this.adjacencyOf(adjacency, layer), current.ptr, spare.ptr);
      parallel.axpy(spare.ptr, this.g0.ptr, size, 1);
      current = spare;
      [spare, other] = [other, spare];
    }
    parallel.axpy(grad.ptr, current.ptr, size, alpha);
  }
}
