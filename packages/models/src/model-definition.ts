import type { Augmentation } from "./augmentation.js";

/** A matrix of node rows that an engine computed (opaque to models: combine it with {@link Blocks}). */
export interface Rows {
  readonly __rows: never;
}

/** A scalar term of a loss (opaque to models). */
export interface Term {
  readonly __term: never;
}

/** A graph to propagate over: the training graph's Â or an augmented view of it (opaque to models). */
export interface Graph {
  readonly __graph: never;
}

/** What {@link Blocks.propagate} computes. */
export interface PropagateOptions {
  /** Layers K (≥ 0). */
  layers: number;
  /** Default: the training graph's Â. */
  graph?: Graph;
  /**
   * Whether layer 0 (the ego table) takes part in the mean: true (default) = `mean(E⁰ … Eᴷ)` as
   * LightGCN; false = `mean(E¹ … Eᴷ)` as SimGCL's official code.
   */
  includeEgo?: boolean;
  /**
   * ε of SimGCL's noise: after each layer's product, `Eᵏ += sign(Eᵏ) ⊙ ε · u / ‖u‖` with u uniform
   * in [0, 1)^d drawn per row from the epoch's noise stream (identical on every engine). Default 0.
   */
  noise?: number;
  /** Return only these node rows of the mean, in order (repeats allowed); default all nodes. */
  rows?: Int32Array;
  /** Layers (1 … K) whose output to return as well, all nodes (see {@link Propagation.layer}). */
  keepLayers?: readonly number[];
}

/** The result of {@link Blocks.propagate}. */
export interface Propagation {
  /** The mean of the layers (the requested rows, or every node). */
  readonly mean: Rows;
  /** The output of layer k (after its noise), every node; k must be in `keepLayers`. */
  layer(k: number): Rows;
}

/** What {@link Blocks.infoNce} computes. */
export interface InfoNceOptions {
  /** τ. */
  temperature: number;
  /** Row of `candidates` that is each anchor's positive; default the anchor's own index (in-batch form). */
  positives?: Int32Array;
}

/** How an augmented view is drawn (SGL); see `sampleAugmentedView`. */
export interface ViewOptions {
  augmentation: Augmentation;
  /** Share of edges (ed, rw) or of users and items (nd) dropped, in [0, 1). */
  dropRatio: number;
  /** Layers the view is used for (rw draws one graph per layer). */
  layers: number;
}

/**
 * The differentiable building blocks a model's loss is made of. Every engine implements each
 * block once, forward and backward; the engines know no model names. The model's only
 * parameter is the ego table `E⁰` of (users + items) × dim rows, users first (item i is node
 * `users + i`), which the trainer initialises (xavier, normal or LLMInit) and Adam updates.
 */
export interface Blocks {
  readonly users: number;
  readonly items: number;
  /** The training graph's `Â = D^-1/2 A D^-1/2`. */
  readonly trainGraph: Graph;
  /**
   * An augmented view of the training graph, drawn once per epoch per name from the epoch's
   * stream `views/<name>` (re-normalised over its kept edges).
   */
  augmentedGraph(name: string, options: ViewOptions): Graph;
  /** The ego table, or its rows `rows` (node ids, in order, repeats allowed). */
  ego(rows?: Int32Array): Rows;
  /** LightGCN propagation of the ego table: the mean of layers 0 (or 1) … K of `Eᵏ = Â Eᵏ⁻¹` (+ noise). */
  propagate(options: PropagateOptions): Propagation;
  /** Rows `rows` of `x` (indices into x's rows, repeats allowed). */
  gather(x: Rows, rows: Int32Array): Rows;
  /** Rows from … from + count − 1 of `x`. */
  slice(x: Rows, from: number, count: number): Rows;
  /** BPR on B triples stacked `[users; positives; negatives]` (3B rows): `mean_b softplus(⟨u,j⟩ − ⟨u,i⟩)`. */
  bpr(triples: Rows): Term;
  /** `½ Σ_n ‖E⁰[rows[n]]‖²` over ego rows (repeats counted); weight it with {@link scale}. */
  l2(rows: Int32Array): Term;
  /**
   * InfoNCE on L2-normalised rows: `mean_s [logSumExp_t(z1_s·z2_t/τ) − z1_s·z2_p(s)/τ]`, anchors
   * z1 against candidates z2.
   */
  infoNce(anchors: Rows, candidates: Rows, options: InfoNceOptions): Term;
  /**
   * Supervised contrast of B pairs stacked `[a; b]` (2B rows), L2-normalised:
   * `mean_k −log( e^{a_k·b_k/τ} / (Σ_k' e^{a_k·a_k'/τ} + Σ_k' e^{b_k·b_k'/τ}) )` (SGCL's loss).
   */
  pairContrast(pairs: Rows, temperature: number): Term;
  /** The sum of terms, in order. */
  sum(...terms: Term[]): Term;
  /** `weight · term`. */
  scale(term: Term, weight: number): Term;
}

/** One training step's pairs, as the trainer drew them. */
export interface ModelBatch {
  /** Pairs in the batch (B). */
  readonly size: number;
  /** `[users; positives; negatives]` as node ids (3B); negatives only for models that sample them. */
  readonly triples: Int32Array;
  /** `[users; positives]` as node ids (2B). */
  readonly pairs: Int32Array;
  /** The batch's distinct users (node ids = user ids), in order of first appearance. */
  distinctUsers(): Int32Array;
  /** The batch's distinct positive items (item ids, not node ids), in order of first appearance. */
  distinctItems(): Int32Array;
}

/** One option of a model: type, default, limits and a line of help (the CLI and `llminit models` show it). */
export interface ModelOption {
  kind: "integer" | "number" | "string";
  default: number | string;
  help: string;
  /** For strings: the allowed values. */
  choices?: readonly string[];
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  /** Exclusive bounds. */
  above?: number;
  below?: number;
}

/** Training settings every model has; each model gives its own defaults. */
export interface TrainingDefaults {
  /** Embedding size d. */
  dim: number;
  /** Adam learning rate. */
  learningRate: number;
  /** λ of the L2 term on the batch's ego rows (`regWeight / B · ½‖E⁰‖²`). */
  regWeight: number;
  /** Training pairs per step (B). */
  batchSize: number;
  /** Maximum epochs. */
  epochs: number;
  /** Evaluations without improvement of the validation score before stopping. */
  patience: number;
}

/** Resolved option values, as a model's loss reads them. */
export type OptionValues = Readonly<Record<string, number | string>>;

/** The options a model's functions receive: its own options and the training settings. */
export type ModelSettings<O extends OptionValues = OptionValues> = O & TrainingDefaults;

/** Everything that makes a model: one file per model, listed in `models/index.ts`. */
export interface ModelDefinition<O extends OptionValues = OptionValues> {
  /** `--model` value: lower case, no spaces. */
  readonly name: string;
  /** Display name. */
  readonly title: string;
  /** One line: what the model trains. */
  readonly summary: string;
  /** The paper and code it follows, and where this implementation's defaults come from. */
  readonly reference: string;
  /** Defaults of the settings every model has (the LLMInit paper's protocol unless said otherwise). */
  readonly defaults: TrainingDefaults;
  /** The model's own options. */
  readonly options: { readonly [K in keyof O]: ModelOption };
  /** True when the trainer must draw a negative item per pair (the BPR models). */
  readonly negatives: boolean;
  /**
   * Limits between settings that the options' own limits cannot say (e.g. a layer index ≤
   * `layers`): the offending option and why, or undefined when the settings are fine.
   */
  check?(settings: ModelSettings<O>): { option: string; problem: string } | undefined;
  /** The training loss of one batch. */
  loss(blocks: Blocks, batch: ModelBatch, settings: ModelSettings<O>): Term;
  /** The embeddings used for scoring (every node), e.g. the propagated mean; no randomness. */
  embed(blocks: Blocks, settings: ModelSettings<O>): Rows;
  /**
   * `embed` of a node without edges per unit of its ego row: 1 / (K + 1) for a mean of layers
   * 0 … K (propagated layers of such a node are zero), 1 for the ego table, 0 for a mean of
   * layers 1 … K. Item cold-start's `direct` method places a new item with it.
   */
  isolatedScale(settings: ModelSettings<O>): number;
}

/** Identity with types: declares a model (see {@link ModelDefinition}). */
export function defineModel<O extends OptionValues>(definition: ModelDefinition<O>): ModelDefinition<O> {
  return definition;
}
