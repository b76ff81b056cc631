import type { Scalar, Tensor2D, Variable } from "@tensorflow/tfjs-core";
import type { Rng } from "@llminit/core";
import { buildNormalizedAdjacency } from "./adjacency.js";
import { sampleAugmentedView } from "./augmentation.js";
import { EpochStreams } from "./epoch-streams.js";
import type { Tf } from "./backend.js";
import { checkEngineState, float32PowerByProducts } from "./engine-state.js";
import type { ModelBatch, ViewOptions } from "./model-definition.js";
import { readValues } from "./read-values.js";
import { TfjsBlocks } from "./tfjs-blocks.js";
import type { TfjsBlocksContext, TfjsGraph } from "./tfjs-blocks.js";
import { createTfjsAdjacency, sparseOpsFor } from "./tfjs-graph.js";
import type { SparseOps } from "./tfjs-graph.js";
import type { EngineOptions, EngineState, TrainingEngine } from "./training-engine.js";

/** Everything the tfjs engine needs. */
export interface TfjsEngineOptions extends EngineOptions {
  tf: Tf;
  /** The tfjs backend's name, as `selectBackend` gave it. */
  backend: string;
  /** How graph products and gathers run (default: what the backend has, see `sparseOpsFor`). */
  sparseOps?: SparseOps;
}

function disposeGraph(graph: TfjsGraph | undefined): void {
  graph?.adjacency.forEach((a) => a.dispose());
}

/**
 * Training with TensorFlow.js ops and `tf.train.adam` on the active tfjs backend (the path for
 * `@tensorflow/tfjs-node-gpu`): the model's loss runs on {@link TfjsBlocks}, every block a tfjs
 * op, so the parameters, Adam's moments, the graphs and every intermediate stay on the backend;
 * a step reads back only its loss.
 */
export function createTfjsEngine(options: TfjsEngineOptions): TrainingEngine {
  const { tf, model, settings, train, dim } = options;
  const users = train.rows;
  const items = train.cols;
  const nodes = users + items;
  const ops = options.sparseOps ?? sparseOpsFor(tf);
  const egoVar: Variable = tf.tidy(() =>
    tf.variable(tf.tensor2d(options.egoInit, [nodes, dim], "float32"), true, undefined, "float32"),
  );
  const optimizer = tf.train.adam(options.learningRate, options.beta1, options.beta2, options.epsilon);

  const adjacencyOf = (graph: Parameters<typeof createTfjsAdjacency>[1]) => createTfjsAdjacency(tf, graph, ops);
  let trainGraph: TfjsGraph | undefined;
  const streams = new EpochStreams<TfjsGraph>();
  const context: TfjsBlocksContext = {
    tf,
    ops,
    users,
    items,
    get trainGraph() {
      return (trainGraph ??= { adjacency: [adjacencyOf(buildNormalizedAdjacency(train))] });
    },
    view: (name: string, o: ViewOptions): TfjsGraph =>
      streams.view(name, (rng) => ({
        adjacency: sampleAugmentedView(train, o.augmentation, o.dropRatio, o.layers, rng).layers.map(adjacencyOf),
      })),
    noiseSeeds: (count: number) => streams.noiseSeeds(count),
  };
  const blocks = new TfjsBlocks(context, egoVar as Tensor2D);

  return {
    name: "tfjs",
    backend: options.backend,
    beginEpoch(epochRng: Rng): void {
      streams.begin(epochRng).forEach(disposeGraph);
    },
    step(batch: ModelBatch): number {
      blocks.reset();
      const lossT = optimizer.minimize(() => model.loss(blocks, batch, settings) as unknown as Scalar, true, [egoVar]);
      const loss = lossT === null ? Number.NaN : lossT.dataSync()[0];
      lossT?.dispose();
      return loss;
    },
    readEgo: () => new Float32Array(readValues(tf, egoVar)),
    async exportState(): Promise<EngineState> {
      // [iterations, m, v]; the moments exist once a step has run.
      const [iterations, ...moments] = await optimizer.getWeights();
      const step = (await iterations.tensor.data())[0];
      iterations.tensor.dispose();
      const read = async (k: number) =>
        moments.length === 2 ? new Float32Array(await moments[k].tensor.data()) : new Float32Array(nodes * dim);
      return { ego: new Float32Array(readValues(tf, egoVar)), moment1: await read(0), moment2: await read(1), step };
    },
    async importState(state: EngineState): Promise<void> {
      checkEngineState(state, nodes, dim, "tfjs engine");
      tf.tidy(() => egoVar.assign(tf.tensor2d(state.ego, [nodes, dim], "float32")));
      const weights = [
        { name: "iter", tensor: tf.scalar(state.step, "int32") },
        { name: `${egoVar.name}/m`, tensor: tf.tensor2d(state.moment1, [nodes, dim], "float32") },
        { name: `${egoVar.name}/v`, tensor: tf.tensor2d(state.moment2, [nodes, dim], "float32") },
      ];
      await optimizer.setWeights(weights);
      tf.dispose(weights.map((w) => w.tensor)); // the optimiser's variables keep their own reference
      // setWeights sets β^t as pow(β, t + 1); the optimiser then multiplies by β once per step in
      // float32, which can differ in the last bit: restore the product for a bitwise resume.
      const powers = optimizer as unknown as Partial<Record<"accBeta1" | "accBeta2", Variable>>;
      if (typeof powers.accBeta1?.assign !== "function" || typeof powers.accBeta2?.assign !== "function")
        throw new Error("tfjs engine: this @tensorflow/tfjs-core's Adam keeps no accBeta1/accBeta2 to restore");
      const { accBeta1, accBeta2 } = powers;
      tf.tidy(() => {
        accBeta1.assign(tf.scalar(float32PowerByProducts(options.beta1, state.step), "float32"));
        accBeta2.assign(tf.scalar(float32PowerByProducts(options.beta2, state.step), "float32"));
      });
    },
    finalFromEgo(table: Float32Array): Float32Array {
      if (table.length !== nodes * dim)
        throw new RangeError(`tfjs engine: ego table has ${table.length} values, expected ${nodes} × ${dim}`);
      return tf.tidy(() => {
        const scoring = new TfjsBlocks(context, tf.tensor2d(table, [nodes, dim], "float32"));
        const final = model.embed(scoring, settings) as unknown as Tensor2D;
        if (final.shape[0] !== nodes)
          throw new RangeError(`${model.name}: embed gave ${final.shape[0]} rows, expected ${nodes}`);
        return new Float32Array(final.dataSync());
      });
    },
    dispose(): void {
      streams.graphs().forEach(disposeGraph);
      disposeGraph(trainGraph);
      egoVar.dispose();
      optimizer.dispose();
    },
  };
}
