import type { Scalar, Tensor1D, Tensor2D } from "@tensorflow/tfjs-core";
import { noiseUniform } from "@llminit/kernels";
import type { Tf } from "./backend.js";
import { infoNceLoss, pairContrastLoss } from "./contrastive-loss.js";
import { fillTensor } from "./fill-tensor.js";
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
import { takeRows } from "./tfjs-graph.js";
import type { SparseOps, TfjsAdjacency } from "./tfjs-graph.js";

/** A graph as tensors: one adjacency for every layer, or one per layer (random-walk views). */
export interface TfjsGraph {
  readonly adjacency: readonly TfjsAdjacency[];
}

/** What the tfjs blocks read from the engine that owns them. */
export interface TfjsBlocksContext {
  readonly tf: Tf;
  readonly ops: SparseOps;
  readonly users: number;
  readonly items: number;
  readonly trainGraph: TfjsGraph;
  view(name: string, options: ViewOptions): TfjsGraph;
  /** `count` 32-bit seeds from the epoch's noise stream. */
  noiseSeeds(count: number): number[];
}

const asRows = (t: Tensor2D) => t as unknown as Rows;
const asTensor = (r: Rows) => r as unknown as Tensor2D;
const asTerm = (t: Scalar) => t as unknown as Term;
const asScalar = (t: Term) => t as unknown as Scalar;

/**
 * SimGCL's noise for a `nodes × dim` layer output as a tensor: row r is `ε · u_r / ‖u_r‖` with
 * `u_r[c] = noiseUniform(seed, r · dim + c)`, the same numbers the kernels engine adds.
 */
function noiseDirections(tf: Tf, nodes: number, dim: number, seed: number, epsilon: number): Tensor2D {
  return fillTensor<Tensor2D>(tf, [nodes, dim], (out) => {
    for (let r = 0; r < nodes; r++) {
      let squares = 0;
      for (let c = 0; c < dim; c++) {
        const u = noiseUniform(seed, r * dim + c);
        out[r * dim + c] = u;
        squares += u * u;
      }
      const scale = epsilon / Math.max(Math.sqrt(squares), 1e-12);
      for (let c = 0; c < dim; c++) out[r * dim + c] *= scale;
    }
  });
}

/**
 * The building blocks as TensorFlow.js ops over one ego tensor: everything stays on the
 * backend (graph products and gathers by {@link takeRows} and `TfjsAdjacency`), and tfjs
 * differentiates the loss. Call the blocks inside `tf.tidy` or `optimizer.minimize`.
 */
export class TfjsBlocks implements Blocks {
  readonly users: number;
  readonly items: number;
  /** Rows of the ego table gathered in this step, by row list (a model's loss often reads the same rows twice). */
  private readonly gathered = new Map<Int32Array, Tensor2D>();

  constructor(
    private readonly context: TfjsBlocksContext,
    private readonly table: Tensor2D,
  ) {
    this.users = context.users;
    this.items = context.items;
  }

  /** Forgets the previous step's gathers (their tensors are gone with its scope). */
  reset(): void {
    this.gathered.clear();
  }

  private egoRows(rows: Int32Array): Tensor2D {
    let held = this.gathered.get(rows);
    if (held === undefined) {
      held = takeRows(this.context.tf, this.table, rows, this.context.ops);
      this.gathered.set(rows, held);
    }
    return held;
  }

  get trainGraph(): Graph {
    return this.context.trainGraph as unknown as Graph;
  }

  augmentedGraph(name: string, options: ViewOptions): Graph {
    return this.context.view(name, options) as unknown as Graph;
  }

  ego(rows?: Int32Array): Rows {
    return asRows(rows === undefined ? this.table : this.egoRows(rows));
  }

  propagate(options: PropagateOptions): Propagation {
    const { tf } = this.context;
    const { layers } = options;
    const includeEgo = options.includeEgo ?? true;
    const noise = options.noise ?? 0;
    const keep = new Set(options.keepLayers ?? []);
    if (!Number.isInteger(layers) || layers < 0)
      throw new RangeError(`propagate: layers must be a non-negative integer, got ${layers}`);
    if (!includeEgo && layers === 0) throw new RangeError("propagate: a mean without layer 0 needs at least one layer");
    if (!(noise >= 0)) throw new RangeError(`propagate: noise must be ≥ 0, got ${noise}`);
    for (const k of keep)
      if (!Number.isInteger(k) || k < 1 || k > layers) throw new RangeError(`propagate: no layer ${k} to keep`);
    const graph = (options.graph ?? this.trainGraph) as unknown as TfjsGraph;
    if (graph.adjacency.length !== 1 && graph.adjacency.length !== layers)
      throw new RangeError(`propagate: a graph of ${graph.adjacency.length} layers used for ${layers}`);
    const [nodes, dim] = this.table.shape;
    const seeds = noise > 0 ? this.context.noiseSeeds(layers) : [];
    const terms: Tensor2D[] = includeEgo ? [this.table] : [];
    const kept = new Map<number, Tensor2D>();
    let current = this.table;
    for (let layer = 1; layer <= layers; layer++) {
      current = graph.adjacency[graph.adjacency.length === 1 ? 0 : layer - 1].product(current);
      if (noise > 0)
        current = tf.add(current, tf.mul(tf.sign(current), noiseDirections(tf, nodes, dim, seeds[layer - 1], noise)));
      terms.push(current);
      if (keep.has(layer)) kept.set(layer, current);
    }
    const all = terms.length === 1 ? terms[0] : (tf.mul(tf.addN(terms), 1 / terms.length) as Tensor2D);
    return {
      mean: asRows(options.rows === undefined ? all : takeRows(tf, all, options.rows, this.context.ops)),
      layer: (k) => {
        const output = kept.get(k);
        if (output === undefined) throw new RangeError(`propagate: layer ${k} was not kept`);
        return asRows(output);
      },
    };
  }

  gather(x: Rows, rows: Int32Array): Rows {
    return asRows(takeRows(this.context.tf, asTensor(x), rows, this.context.ops));
  }

  slice(x: Rows, from: number, count: number): Rows {
    const t = asTensor(x);
    if (!(Number.isInteger(from) && Number.isInteger(count) && from >= 0 && count >= 0 && from + count <= t.shape[0]))
      throw new RangeError(`slice: rows ${from} … ${from + count - 1} of ${t.shape[0]}`);
    return asRows(this.context.tf.slice(t, [from, 0], [count, -1]));
  }

  bpr(triples: Rows): Term {
    const { tf } = this.context;
    const x = asTensor(triples);
    if (x.shape[0] % 3 !== 0) throw new RangeError(`bpr: expected 3B stacked rows, got ${x.shape[0]}`);
    const [u, i, j] = tf.split(x, 3) as [Tensor2D, Tensor2D, Tensor2D];
    const margins = tf.sum(tf.mul(u, tf.sub(j, i)), 1) as Tensor1D;
    // softplus(neg − pos) = −log σ(pos − neg), with a gradient that works inside minimize.
    return asTerm(tf.mean(tf.softplus(margins)) as Scalar);
  }

  l2(rows: Int32Array): Term {
    const { tf } = this.context;
    return asTerm(tf.mul(tf.sum(tf.square(this.egoRows(rows))), 0.5) as Scalar);
  }

  infoNce(anchors: Rows, candidates: Rows, options: InfoNceOptions): Term {
    // No anchor, no term (as on the kernels; a mean over no rows would be NaN).
    if (asTensor(anchors).shape[0] === 0) return asTerm(this.context.tf.scalar(0));
    return asTerm(
      infoNceLoss(this.context.tf, {
        view1: asTensor(anchors),
        view2: asTensor(candidates),
        positives: options.positives,
        temperature: options.temperature,
        ops: this.context.ops,
      }),
    );
  }

  pairContrast(pairs: Rows, temperature: number): Term {
    return asTerm(pairContrastLoss(this.context.tf, asTensor(pairs), temperature));
  }

  sum(...terms: Term[]): Term {
    const { tf } = this.context;
    if (terms.length === 0) return asTerm(tf.scalar(0));
    return terms.slice(1).reduce((total, t) => asTerm(tf.add(asScalar(total), asScalar(t)) as Scalar), terms[0]);
  }

  scale(term: Term, weight: number): Term {
    if (!Number.isFinite(weight)) throw new RangeError(`scale: weight must be finite, got ${weight}`);
    return asTerm(this.context.tf.mul(asScalar(term), weight) as Scalar);
  }
}
