import { createRng } from "@llminit/core";
import type { Csr, Rng } from "@llminit/core";
import { noiseUniform } from "@llminit/kernels";
import { sampleAugmentedView } from "../augmentation.js";
import type {
  Blocks,
  Graph,
  InfoNceOptions,
  PropagateOptions,
  Propagation,
  Rows,
  Term,
  ViewOptions,
} from "../model-definition.js";
import { denseAdjacency, denseProduct } from "./layered-reference.js";
import { infoNceReference, sgclReference } from "./contrastive-reference.js";
import { denseNormalizedAdjacency } from "./reference.js";

// The building blocks in float64, forward only, straight from their definitions: what every
// engine's values are checked against, and (by central differences) their gradients.

interface DenseRows {
  readonly data: Float64Array;
  readonly rows: number;
}

interface DenseGraph {
  readonly layers: Float64Array[][];
}

const rowsOf = (r: Rows) => r as unknown as DenseRows;
const wrap = (data: Float64Array, rows: number) => ({ data, rows }) as unknown as Rows;
const term = (value: number) => ({ value }) as unknown as Term;
const valueOf = (t: Term) => (t as unknown as { value: number }).value;

/** The epoch stream of these tests: views from its `views/<name>`, noise seeds from its `noise` (as `EpochStreams`). */
export function testRoot(): Rng {
  return createRng(1);
}

/** Blocks over a float64 ego table (nodes × dim, users first). */
export class ReferenceBlocks implements Blocks {
  readonly users: number;
  readonly items: number;
  readonly trainGraph: Graph;
  private readonly streams = { views: testRoot().child("views"), noise: testRoot().child("noise") };
  private readonly views = new Map<string, DenseGraph>();

  constructor(
    private readonly train: Csr,
    private readonly table: Float64Array,
    private readonly dim: number,
  ) {
    this.users = train.rows;
    this.items = train.cols;
    this.trainGraph = { layers: [denseNormalizedAdjacency(train)] } as unknown as Graph;
  }

  augmentedGraph(name: string, options: ViewOptions): Graph {
    let graph = this.views.get(name);
    if (graph === undefined) {
      const view = sampleAugmentedView(
        this.train,
        options.augmentation,
        options.dropRatio,
        options.layers,
        this.streams.views.child(name),
      );
      graph = { layers: view.layers.map(denseAdjacency) };
      this.views.set(name, graph);
    }
    return graph as unknown as Graph;
  }

  ego(rows?: Int32Array): Rows {
    const all = wrap(this.table, this.users + this.items);
    return rows === undefined ? all : this.gather(all, rows);
  }

  propagate(options: PropagateOptions): Propagation {
    const { layers, includeEgo = true, noise = 0, keepLayers = [] } = options;
    const graph = (options.graph ?? this.trainGraph) as unknown as DenseGraph;
    const nodes = this.users + this.items;
    const dim = this.dim;
    const seeds = noise > 0 ? Array.from({ length: layers }, () => this.streams.noise.nextUint32()) : [];
    const sum = includeEgo ? Float64Array.from(this.table) : new Float64Array(nodes * dim);
    const kept = new Map<number, Float64Array>();
    let current = this.table;
    for (let layer = 1; layer <= layers; layer++) {
      current = denseProduct(graph.layers[graph.layers.length === 1 ? 0 : layer - 1], current, dim);
      if (noise > 0) {
        for (let r = 0; r < nodes; r++) {
          const u = Array.from({ length: dim }, (_, c) => noiseUniform(seeds[layer - 1], r * dim + c));
          const norm = Math.sqrt(u.reduce((s, v) => s + v * v, 0));
          for (let c = 0; c < dim; c++) current[r * dim + c] += Math.sign(current[r * dim + c]) * noise * (u[c] / norm);
        }
      }
      for (let k = 0; k < sum.length; k++) sum[k] += current[k];
      if (keepLayers.includes(layer)) kept.set(layer, current);
    }
    const count = includeEgo ? layers + 1 : layers;
    const mean = wrap(
      sum.map((v) => v / count),
      nodes,
    );
    return {
      mean: options.rows === undefined ? mean : this.gather(mean, options.rows),
      layer: (k) => wrap(kept.get(k)!, nodes),
    };
  }

  gather(x: Rows, rows: Int32Array): Rows {
    const source = rowsOf(x);
    const dim = this.dim;
    const out = new Float64Array(rows.length * dim);
    rows.forEach((r, n) => out.set(source.data.subarray(r * dim, (r + 1) * dim), n * dim));
    return wrap(out, rows.length);
  }

  slice(x: Rows, from: number, count: number): Rows {
    const source = rowsOf(x);
    return wrap(source.data.slice(from * this.dim, (from + count) * this.dim), count);
  }

  bpr(triples: Rows): Term {
    const { data, rows } = rowsOf(triples);
    const dim = this.dim;
    const b = rows / 3;
    let total = 0;
    for (let k = 0; k < b; k++) {
      let margin = 0;
      for (let c = 0; c < dim; c++)
        margin += data[k * dim + c] * (data[(2 * b + k) * dim + c] - data[(b + k) * dim + c]);
      total += Math.log1p(Math.exp(margin));
    }
    return term(total / b);
  }

  l2(rows: Int32Array): Term {
    let sum = 0;
    for (const r of rows) for (let c = 0; c < this.dim; c++) sum += this.table[r * this.dim + c] ** 2;
    return term(sum / 2);
  }

  infoNce(anchors: Rows, candidates: Rows, options: InfoNceOptions): Term {
    const a = rowsOf(anchors);
    const c = rowsOf(candidates);
    if (a.rows === 0) return term(0);
    const positives = options.positives === undefined ? undefined : Array.from(options.positives);
    return term(infoNceReference(a.data, c.data, a.rows, c.rows, this.dim, options.temperature, positives));
  }

  pairContrast(pairs: Rows, temperature: number): Term {
    const { data, rows } = rowsOf(pairs);
    return term(sgclReference(data, new Float64Array(rows * this.dim), rows / 2, this.dim, temperature, 0));
  }

  sum(...terms: Term[]): Term {
    return term(terms.reduce((total, t) => total + valueOf(t), 0));
  }

  scale(t: Term, weight: number): Term {
    return term(weight * valueOf(t));
  }

  /** The value of a term built on these blocks. */
  static value(t: Term): number {
    return valueOf(t);
  }

  /** The scoring rows of a result. */
  static rows(r: Rows): Float64Array {
    return rowsOf(r).data;
  }
}
