import type { KernelBuffer, Kernels } from "@llminit/kernels";
import { ContrastiveWorkspace, addL2, bprLossAndGradient } from "./kernel-losses.js";
import type { KernelCsr, KernelPropagation } from "./kernel-propagation.js";
import type {
  Blocks,
  Graph,
  InfoNceOptions,
  PropagateOptions,
  Propagation,
  Rows,
  Term,
  ViewOptions,
} from "./model-definition.js";

/** A graph in kernels memory: one adjacency for every layer, or one per layer (random-walk views). */
export interface KernelGraph {
  readonly adjacency: readonly KernelCsr[];
}

/** What the blocks read from the engine that owns them. */
export interface KernelBlocksContext {
  readonly kernels: Kernels;
  readonly users: number;
  readonly items: number;
  /** The model's d. */
  readonly dim: number;
  /** Row width in memory: d padded to a multiple of 4. */
  readonly width: number;
  /** The ego table the blocks read (nodes × width). */
  readonly table: KernelBuffer<Float32Array>;
  /** Where backward adds the table's gradient; undefined for forward-only use (scoring). */
  readonly gradient?: KernelBuffer<Float32Array>;
  /** Pairs per step at most: sizes the contrastive scratch once. */
  readonly batchSize: number;
  readonly trainGraph: KernelGraph;
  /** The propagation (scratch) for K layers. */
  propagation(layers: number): KernelPropagation;
  /** The named augmented view of the current epoch. */
  view(name: string, options: ViewOptions): KernelGraph;
  /** `count` 32-bit seeds from the epoch's noise stream. */
  noiseSeeds(count: number): number[];
}

/**
 * What a {@link KernelBlocks} allocates for one step at most: the length of each scratch slot (in
 * call order) and the contrastive workspace. A plan (see `planKernelEngine`) measures it on the
 * largest batch; blocks given it allocate each slot once at that size, so the engine's memory is
 * what the plan says.
 */
export interface BlocksReservation {
  /** Float32 values per float slot. */
  readonly floats: readonly number[];
  /** Int32 values per int slot. */
  readonly ints: readonly number[];
  /** Rows and candidates of the contrastive workspace (undefined: none). */
  readonly workspace?: { readonly rows: number; readonly candidates: number };
}

/** How a {@link KernelBlocks} runs. */
export interface KernelBlocksOptions {
  /** Sizes to allocate scratch at (from a plan); default: as needed. */
  reservation?: BlocksReservation;
  /**
   * Plan only: hand out placeholders, run no kernel or loss arithmetic, and record what a step
   * would allocate ({@link KernelBlocks.reservation}). The context's buffers may be placeholders.
   */
  planOnly?: boolean;
}

/** A buffer of no memory, handed out while planning (its pointer is never used). */
function placeholder<T extends Float32Array | Int32Array>(length: number, array: T): KernelBuffer<T> {
  return { ptr: 0, length, array };
}

/** Scratch buffers handed out in call order and reused by the next step's calls. */
class Arena {
  private readonly floats: KernelBuffer<Float32Array>[] = [];
  private readonly ints: KernelBuffer<Int32Array>[] = [];
  /** Largest length asked of each slot (what a plan reserves). */
  readonly floatLengths: number[] = [];
  readonly intLengths: number[] = [];
  private nextFloat = 0;
  private nextInt = 0;
  constructor(
    private readonly kernels: Kernels,
    private readonly reservation: BlocksReservation | undefined,
    private readonly planOnly: boolean,
  ) {}
  reset(): void {
    this.nextFloat = 0;
    this.nextInt = 0;
  }
  /** Room for `length` floats, zero-filled when asked (fresh buffers are zero anyway). */
  f32(length: number, zero: boolean): KernelBuffer<Float32Array> {
    const slot = this.nextFloat++;
    this.floatLengths[slot] = Math.max(this.floatLengths[slot] ?? 0, length);
    if (this.planOnly) return placeholder(length, new Float32Array(0));
    const held = this.floats[slot];
    if (held !== undefined && held.length >= length) {
      if (zero) held.array.fill(0, 0, length);
      return held;
    }
    // The reserved size, or some room beyond it: batches of distinct anchors vary from step to step.
    const reserved = this.reservation?.floats[slot] ?? 0;
    const fresh = this.kernels.f32(Math.max(length, reserved, Math.ceil(1.25 * (held?.length ?? 0))));
    this.floats[slot] = fresh;
    return fresh;
  }
  /** A copy of `values` in kernels memory. */
  i32(values: Int32Array): KernelBuffer<Int32Array> {
    const slot = this.nextInt++;
    this.intLengths[slot] = Math.max(this.intLengths[slot] ?? 0, values.length);
    if (this.planOnly) return placeholder(values.length, new Int32Array(0));
    let held = this.ints[slot];
    if (held === undefined || held.length < values.length) {
      const reserved = this.reservation?.ints[slot] ?? 0;
      held = this.kernels.i32(Math.max(values.length, reserved, Math.ceil(1.25 * (held?.length ?? 0))));
      this.ints[slot] = held;
    }
    held.array.set(values);
    return held;
  }
}

/** An output of a tape node that gradients flow into. */
interface Output {
  readonly data: KernelBuffer<Float32Array>;
  readonly count: number;
  readonly producer: TapeNode;
  /** Holds the gradient divided by `unit`. */
  grad?: KernelBuffer<Float32Array>;
  /** Scales of the contributions it will receive (before backward). */
  scales: number[];
  /** The common scale of the contributions, or 1 when they differ (then the buffer holds the true gradient). */
  unit: number;
}

/** A view of rows of the ego table (`output` undefined) or of a node's output. */
class KernelRows implements Rows {
  declare readonly __rows: never;
  constructor(
    readonly output: Output | undefined,
    readonly data: KernelBuffer<Float32Array>,
    /** Row offset in `data`. */
    readonly at: number,
    readonly count: number,
  ) {}
}

interface TapeNode {
  readonly index: number;
  readonly outputs: Output[];
  /** Rows it sends gradient to. */
  readonly inputs: KernelRows[];
  /** Loss terms: the scale the loss applies to them (summed over the term tree). */
  scale: number;
  /** Position of the term it feeds first, as child indices from the root: backward goes term by term. */
  path?: number[];
  waiting: number;
  readonly leaf: boolean;
  value?: () => number;
  backward(): void;
}

type TermNode =
  | { kind: "leaf"; node: TapeNode }
  | { kind: "sum"; terms: KernelTerm[] }
  | { kind: "scale"; term: KernelTerm; weight: number };

class KernelTerm implements Term {
  declare readonly __term: never;
  constructor(readonly node: TermNode) {}
  value(): number {
    const n = this.node;
    if (n.kind === "leaf") return n.node.value!();
    if (n.kind === "scale") return n.weight * n.term.value();
    let total = n.terms[0]?.value() ?? 0;
    for (let k = 1; k < n.terms.length; k++) total += n.terms[k].value();
    return total;
  }
}

function comparePaths(a: readonly number[], b: readonly number[]): number {
  for (let k = 0; k < Math.min(a.length, b.length); k++) if (a[k] !== b[k]) return a[k] - b[k];
  return a.length - b.length;
}

function checkIndices(rows: Int32Array, limit: number, what: string): void {
  for (let n = 0; n < rows.length; n++) {
    const r = rows[n];
    if (!(r >= 0 && r < limit)) throw new RangeError(`${what}: index ${r} at position ${n} out of range [0, ${limit})`);
  }
}

/**
 * The building blocks on the kernels engine: each block computes its forward pass at once into
 * kernels memory and records its backward pass on a tape; {@link backward} runs the tape into
 * the ego table's gradient. Loss terms compute their local gradients in the forward pass;
 * weights are carried to where a gradient meets the table (or a buffer shared by differently
 * weighted terms), and terms are differentiated in the order they appear in the loss, so a
 * gradient is accumulated in a fixed order.
 */
export class KernelBlocks implements Blocks {
  readonly users: number;
  readonly items: number;
  private readonly arena: Arena;
  private readonly nodes: TapeNode[] = [];
  private workspace?: { space?: ContrastiveWorkspace; rows: number; candidates: number };
  private readonly planOnly: boolean;
  private readonly reserved?: BlocksReservation;

  constructor(
    private readonly context: KernelBlocksContext,
    options: KernelBlocksOptions = {},
  ) {
    this.users = context.users;
    this.items = context.items;
    this.planOnly = options.planOnly ?? false;
    this.reserved = options.reservation;
    this.arena = new Arena(context.kernels, options.reservation, this.planOnly);
  }

  /** What these blocks have allocated at most per step so far (a plan's result). */
  reservation(): BlocksReservation {
    const held = this.workspace;
    const workspace = held === undefined ? {} : { workspace: { rows: held.rows, candidates: held.candidates } };
    return { floats: [...this.arena.floatLengths], ints: [...this.arena.intLengths], ...workspace };
  }

  get trainGraph(): Graph {
    return this.context.trainGraph as unknown as Graph;
  }

  private get width(): number {
    return this.context.width;
  }

  /** Forgets the previous step's tape and reuses its scratch. */
  reset(): void {
    this.arena.reset();
    this.nodes.length = 0;
  }

  /** The rows of a result, as the engine reads them. */
  read(rows: Rows): { data: KernelBuffer<Float32Array>; at: number; count: number } {
    const r = rows as KernelRows;
    return { data: r.data, at: r.at, count: r.count };
  }

  private node(parts: Omit<TapeNode, "index" | "scale" | "waiting">): TapeNode {
    const node: TapeNode = { ...parts, index: this.nodes.length, scale: 0, waiting: 0 };
    this.nodes.push(node);
    return node;
  }

  private output(producer: TapeNode, data: KernelBuffer<Float32Array>, count: number): Output {
    const output: Output = { data, count, producer, scales: [], unit: 1 };
    producer.outputs.push(output);
    return output;
  }

  private gradientOf(output: Output): KernelBuffer<Float32Array> {
    if (output.grad === undefined) output.grad = this.arena.f32(output.count * this.width, true);
    return output.grad;
  }

  private tableGradient(): KernelBuffer<Float32Array> {
    const gradient = this.context.gradient;
    if (gradient === undefined) throw new Error("kernels engine: these blocks compute forward passes only");
    return gradient;
  }

  /**
   * Adds `unit`-scaled `local` (rows × width, owned by the caller's loss term) into the gradient
   * of `target`. The first contribution to a whole output at its own scale becomes its gradient
   * buffer (no copy: 0 + x is x).
   */
  private deliver(local: KernelBuffer<Float32Array>, target: KernelRows, unit: number): void {
    const n = target.count * this.width;
    if (n === 0) return;
    const { parallel } = this.context.kernels;
    const output = target.output;
    if (output === undefined) {
      if (!this.planOnly) parallel.axpy(this.tableGradient().ptr + 4 * target.at * this.width, local.ptr, n, unit);
      return;
    }
    const factor = unit / output.unit;
    if (output.grad === undefined && target.at === 0 && target.count === output.count && factor === 1) {
      output.grad = local;
      return;
    }
    const into = this.gradientOf(output);
    if (!this.planOnly) parallel.axpy(into.ptr + 4 * target.at * this.width, local.ptr, n, factor);
  }

  private leaf(inputs: KernelRows[], value: () => number, backward: (node: TapeNode) => void): Term {
    const node: TapeNode = this.node({ outputs: [], inputs, leaf: true, value, backward: () => backward(node) });
    return new KernelTerm({ kind: "leaf", node });
  }

  augmentedGraph(name: string, options: ViewOptions): Graph {
    return this.context.view(name, options) as unknown as Graph;
  }

  ego(rows?: Int32Array): Rows {
    const all = new KernelRows(undefined, this.context.table, 0, this.users + this.items);
    return rows === undefined ? all : this.gather(all, rows);
  }

  propagate(options: PropagateOptions): Propagation {
    const { layers } = options;
    const includeEgo = options.includeEgo ?? true;
    const noise = options.noise ?? 0;
    const keep = options.keepLayers ?? [];
    if (!Number.isInteger(layers) || layers < 0)
      throw new RangeError(`propagate: layers must be a non-negative integer, got ${layers}`);
    if (!includeEgo && layers === 0) throw new RangeError("propagate: a mean without layer 0 needs at least one layer");
    if (!(noise >= 0)) throw new RangeError(`propagate: noise must be ≥ 0, got ${noise}`);
    for (const k of keep)
      if (!Number.isInteger(k) || k < 1 || k > layers) throw new RangeError(`propagate: no layer ${k} to keep`);
    const graph = (options.graph ?? this.trainGraph) as unknown as KernelGraph;
    if (graph.adjacency.length !== 1 && graph.adjacency.length !== layers)
      throw new RangeError(`propagate: a graph of ${graph.adjacency.length} layers used for ${layers}`);
    const nodes = this.users + this.items;
    const width = this.width;
    const propagation = this.context.propagation(layers);
    const table = this.context.table;

    if (options.rows !== undefined && includeEgo && noise === 0 && keep.length === 0) {
      // Only the rows asked for, and each lower layer only where a higher one reads it.
      checkIndices(options.rows, nodes, "propagate");
      const count = options.rows.length;
      const rows = this.arena.i32(options.rows);
      const out = this.arena.f32(count * width, false);
      if (!this.planOnly) propagation.forwardRows(graph.adjacency, table.ptr, rows, count, out);
      const node = this.node({
        outputs: [],
        inputs: [],
        leaf: false,
        backward: () => {
          if (mean.grad !== undefined && !this.planOnly)
            propagation.backwardRows(graph.adjacency, mean.grad, rows, count, this.tableGradient(), mean.unit);
        },
      });
      const mean = this.output(node, out, count);
      const result = new KernelRows(mean, out, 0, count);
      return {
        mean: result,
        layer: (k) => {
          throw new RangeError(`propagate: layer ${k} was not kept`);
        },
      };
    }

    const out = this.arena.f32(nodes * width, false);
    const kept = new Map(keep.map((k) => [k, this.arena.f32(nodes * width, false)]));
    const seeds = noise > 0 ? this.context.noiseSeeds(layers) : undefined;
    if (!this.planOnly)
      propagation.forwardAll(graph.adjacency, table, out, {
        includeEgo,
        noise: seeds === undefined ? undefined : { epsilon: noise, dim: this.context.dim, seeds },
        keep: kept,
      });
    const node = this.node({
      outputs: [],
      inputs: [],
      leaf: false,
      backward: () => {
        const taps = [...keptOutputs].flatMap(([layer, output]) =>
          output.grad === undefined ? [] : [{ layer, output, grad: output.grad }],
        );
        // With no gradient for the mean, its zeros stand in (the taps carry everything).
        const g = mean.grad ?? this.gradientOf(mean);
        const alpha = mean.scales.length > 0 ? mean.unit : (taps[0]?.output.unit ?? 1);
        if (this.planOnly) return;
        propagation.backwardAll(graph.adjacency, g, this.tableGradient(), alpha, {
          includeEgo,
          taps: taps.map(({ layer, output, grad }) => ({ layer, g: grad, factor: output.unit / alpha })),
        });
      },
    });
    const mean = this.output(node, out, nodes);
    const keptOutputs = new Map([...kept].map(([k, buffer]) => [k, this.output(node, buffer, nodes)]));
    const all = new KernelRows(mean, out, 0, nodes);
    return {
      mean: options.rows === undefined ? all : this.gather(all, options.rows),
      layer: (k) => {
        const output = keptOutputs.get(k);
        if (output === undefined) throw new RangeError(`propagate: layer ${k} was not kept`);
        return new KernelRows(output, output.data, 0, nodes);
      },
    };
  }

  gather(x: Rows, rows: Int32Array): Rows {
    const source = x as KernelRows;
    checkIndices(rows, source.count, "gather");
    const width = this.width;
    const { exports } = this.context.kernels;
    const count = rows.length;
    const indices = this.arena.i32(rows);
    const out = this.arena.f32(count * width, true);
    if (!this.planOnly)
      exports.addGatheredRows(out.ptr, source.data.ptr + 4 * source.at * width, indices.ptr, count, width, 1);
    const node = this.node({
      outputs: [],
      inputs: [source],
      leaf: false,
      backward: () => {
        if (output.grad === undefined) return;
        const target = source.output;
        const into = target === undefined ? this.tableGradient() : this.gradientOf(target);
        const factor = target === undefined ? output.unit : output.unit / target.unit;
        if (this.planOnly) return;
        exports.scatterAddRows(into.ptr + 4 * source.at * width, output.grad.ptr, indices.ptr, count, width, factor);
      },
    });
    const output = this.output(node, out, count);
    return new KernelRows(output, out, 0, count);
  }

  slice(x: Rows, from: number, count: number): Rows {
    const source = x as KernelRows;
    if (!(Number.isInteger(from) && Number.isInteger(count) && from >= 0 && count >= 0 && from + count <= source.count))
      throw new RangeError(`slice: rows ${from} … ${from + count - 1} of ${source.count}`);
    return new KernelRows(source.output, source.data, source.at + from, count);
  }

  bpr(triples: Rows): Term {
    const x = triples as KernelRows;
    if (x.count % 3 !== 0) throw new RangeError(`bpr: expected 3B stacked rows, got ${x.count}`);
    const width = this.width;
    const local = this.arena.f32(x.count * width, false);
    const value = this.planOnly
      ? NaN
      : bprLossAndGradient(
          x.data.array.subarray(x.at * width, (x.at + x.count) * width),
          local.array,
          x.count / 3,
          width,
        );
    return this.leaf(
      [x],
      () => value,
      (node) => this.deliver(local, x, node.scale),
    );
  }

  l2(rows: Int32Array): Term {
    checkIndices(rows, this.users + this.items, "l2");
    const { table, width } = { table: this.context.table, width: this.width };
    let half: number | undefined;
    return this.leaf(
      [],
      () => (half ??= addL2(table.array, undefined, rows, rows.length, width, 0) / 2),
      (node) => {
        if (!this.planOnly)
          half = addL2(table.array, this.tableGradient().array, rows, rows.length, width, node.scale) / 2;
      },
    );
  }

  /** The contrastive workspace for `rows` anchors and `candidates` candidates (none while planning). */
  private contrastive(rows: number, candidates: number): ContrastiveWorkspace | undefined {
    const held = this.workspace;
    if (held?.space !== undefined && held.rows >= rows && held.candidates >= Math.max(rows, candidates))
      return held.space;
    const reserved = this.reserved?.workspace;
    const size = { rows: Math.max(rows, held?.rows ?? 0, reserved?.rows ?? 0, this.context.batchSize), candidates: 0 };
    size.candidates = Math.max(candidates, held?.candidates ?? 0, reserved?.candidates ?? 0, size.rows);
    if (this.planOnly) {
      this.workspace = size;
      return undefined;
    }
    const space = new ContrastiveWorkspace(this.context.kernels, this.width, size.rows, size.candidates);
    this.workspace = { space, ...size };
    return space;
  }

  infoNce(anchors: Rows, candidates: Rows, options: InfoNceOptions): Term {
    const a = anchors as KernelRows;
    const c = candidates as KernelRows;
    const { temperature, positives } = options;
    if (!(temperature > 0)) throw new RangeError(`infoNce: temperature must be positive, got ${temperature}`);
    if (positives === undefined ? a.count !== c.count : positives.length !== a.count)
      throw new RangeError(
        `infoNce: ${a.count} anchors but ${positives === undefined ? `${c.count} candidates` : `${positives.length} positives`}`,
      );
    if (positives !== undefined) checkIndices(positives, c.count, "infoNce positives");
    const width = this.width;
    const localA = this.arena.f32(a.count * width, true);
    const localC = this.arena.f32(c.count * width, true);
    const value = this.contrastive(a.count, c.count)?.infoNce(
      a.data,
      a.at * width,
      a.count,
      c.data,
      c.at * width,
      c.count,
      positives,
      temperature,
      localA,
      localC,
      1,
      0,
      0,
    );
    return this.leaf(
      [a, c],
      () => value ?? NaN,
      (node) => {
        this.deliver(localA, a, node.scale);
        this.deliver(localC, c, node.scale);
      },
    );
  }

  pairContrast(pairs: Rows, temperature: number): Term {
    const x = pairs as KernelRows;
    if (x.count % 2 !== 0) throw new RangeError(`pairContrast: expected 2B stacked rows, got ${x.count}`);
    if (!(temperature > 0)) throw new RangeError(`pairContrast: temperature must be positive, got ${temperature}`);
    const local = this.arena.f32(x.count * this.width, false);
    const value = this.contrastive(x.count, x.count)?.sgcl(x.data, x.count / 2, temperature, local, x.at * this.width);
    return this.leaf(
      [x],
      () => value ?? NaN,
      (node) => this.deliver(local, x, node.scale),
    );
  }

  sum(...terms: Term[]): Term {
    return new KernelTerm({ kind: "sum", terms: terms as KernelTerm[] });
  }

  scale(term: Term, weight: number): Term {
    if (!Number.isFinite(weight)) throw new RangeError(`scale: weight must be finite, got ${weight}`);
    return new KernelTerm({ kind: "scale", term: term as KernelTerm, weight });
  }

  /**
   * Adds the gradient of `loss` with respect to the ego table into the context's gradient and
   * returns the loss. Terms are differentiated in the order they appear in `loss` (a node shared
   * by several terms waits for all of them); within a term, later nodes first.
   */
  backward(loss: Term): number {
    const visit = (term: KernelTerm, scale: number, path: number[]) => {
      const n = term.node;
      if (n.kind === "leaf") {
        n.node.scale += scale;
        if (n.node.path === undefined || comparePaths(path, n.node.path) < 0) n.node.path = path;
      } else if (n.kind === "scale") {
        if (n.weight !== 0) visit(n.term, scale * n.weight, path);
      } else {
        n.terms.forEach((t, k) => visit(t, scale, [...path, k]));
      }
    };
    visit(loss as KernelTerm, 1, []);

    // Units of every output, consumers before producers (a consumer is always created later).
    const active = new Set<TapeNode>();
    const producers = new Map<TapeNode, Set<TapeNode>>();
    for (let k = this.nodes.length - 1; k >= 0; k--) {
      const node = this.nodes[k];
      let unit: number;
      if (node.leaf) {
        if (node.scale === 0 || node.path === undefined) continue;
        unit = node.scale;
      } else {
        const reached = node.outputs.filter((o) => o.scales.length > 0);
        if (reached.length === 0) continue;
        for (const o of reached) o.unit = o.scales.every((s) => s === o.scales[0]) ? o.scales[0] : 1;
        unit = reached.length === 1 ? reached[0].unit : 0; // only gathers send on, from their one output
      }
      active.add(node);
      const sendsTo = new Set<TapeNode>();
      for (const input of node.inputs) {
        if (input.output === undefined) continue;
        input.output.scales.push(unit);
        sendsTo.add(input.output.producer);
      }
      producers.set(node, sendsTo);
      for (const producer of sendsTo) {
        producer.waiting++;
        if (producer.path === undefined || comparePaths(node.path!, producer.path) < 0) producer.path = node.path;
      }
    }

    const ready = [...active].filter((n) => n.waiting === 0);
    while (ready.length > 0) {
      let best = 0;
      for (let k = 1; k < ready.length; k++) {
        const order = comparePaths(ready[k].path!, ready[best].path!);
        if (order < 0 || (order === 0 && ready[k].index > ready[best].index)) best = k;
      }
      const [node] = ready.splice(best, 1);
      node.backward();
      for (const producer of producers.get(node)!) if (--producer.waiting === 0) ready.push(producer);
    }
    return this.planOnly ? NaN : (loss as KernelTerm).value();
  }
}
