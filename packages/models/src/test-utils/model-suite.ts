import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMatrix, createRng } from "@llminit/core";
import type { Initializer } from "../initializers.js";
import type { ModelSettings } from "../model-definition.js";
import { getModel, modelDefaults } from "../model-registry.js";
import { trainModel } from "../train-model.js";
import type { TrainConfig } from "../types.js";
import { fixedBatch, kernelHarness, tfjsHarness } from "./block-harness.js";
import type { BlockHarness } from "./block-harness.js";
import { numericGradient } from "./contrastive-reference.js";
import { clusterAuc, plantedClusters } from "./planted-clusters.js";
import { ReferenceBlocks } from "./reference-blocks.js";
import { randomGraph, randomValues, relativeError } from "./reference.js";

/**
 * The checks every new model's spec runs: its loss and gradient against float64 on every engine
 * (for each variant of its options), the kernels and tfjs engines agreeing over two epochs, and
 * training that learns planted communities from every initialiser, deterministically (with
 * `toyOptions` over the model's defaults: on two dense planted blobs a strong contrastive term,
 * which spreads every anchor over the sphere, can outweigh BPR).
 */
export function describeModel(
  name: string,
  variants: Record<string, number | string>[] = [{}],
  toyOptions: Record<string, number | string> = {},
): void {
  const model = getModel(name);

  describe(`${name}: loss and gradient against float64`, () => {
    const train = randomGraph(7, 5, 10, 3);
    const dim = 5;
    const ego = Float32Array.from(randomValues(12 * dim, 21), (v) => v * 0.5);
    const pairs: [number, number][] = [
      [0, 1],
      [3, 0],
      [0, 4],
      [6, 1],
    ];
    const batch = fixedBatch(7, pairs, model.negatives ? [2, 3, 2, 0] : undefined);
    const engines: (() => Promise<BlockHarness>)[] = [
      async () => kernelHarness(train, dim),
      async () => kernelHarness(train, dim, { threads: 2, shared: true }),
      async () => tfjsHarness(train, dim, "wasm", "segments"),
      async () => tfjsHarness(train, dim, "cpu", "gather"),
    ];
    describe.each(engines.map((make, k) => [k, make] as const))("engine %i", (_k, make) => {
      let harness: BlockHarness;
      beforeAll(async () => {
        harness = await make();
      });
      afterAll(() => harness.dispose());
      it.each(variants.map((v) => [JSON.stringify(v), v] as const))("options %s", async (_label, variant) => {
        const { model: _name, ...defaults } = modelDefaults[name];
        const settings = { ...defaults, regWeight: 0.01, ...variant } as unknown as ModelSettings;
        const reference = (table: Float64Array) =>
          ReferenceBlocks.value(model.loss(new ReferenceBlocks(train, table, dim), batch, settings));
        const { value, gradient } = await harness.run((b) => model.loss(b, batch, settings), ego);
        const expected = reference(Float64Array.from(ego));
        expect(Math.abs(value - expected) / Math.abs(expected), harness.name).toBeLessThan(1e-5);
        expect(relativeError(gradient, numericGradient(reference, ego)), harness.name).toBeLessThan(1e-4);
      });
    });
  });

  describe(`${name}: training`, { timeout: 60_000 }, () => {
    it.each(variants.map((v) => [JSON.stringify(v), v] as const))(
      "options %s: the kernels and tfjs engines agree over 2 epochs (odd dim 6)",
      async (_label, variant) => {
        const small = randomGraph(30, 20, 90, 11);
        const config = { model: name, ...variant, dim: 6, batchSize: 32, epochs: 2, learningRate: 0.01 };
        const options = { train: small, config, init: { kind: "xavier" as const } };
        const fast = await trainModel({ ...options, rng: createRng(5), engine: "kernels" });
        const reference = await trainModel({ ...options, rng: createRng(5), engine: "tfjs", backend: "wasm" });
        fast.history.forEach((r, k) =>
          expect(Math.abs(r.loss - reference.history[k].loss) / Math.abs(reference.history[k].loss)).toBeLessThan(1e-4),
        );
        expect(relativeError(fast.ego.user.data, reference.ego.user.data)).toBeLessThan(1e-3);
        expect(relativeError(fast.final.item.data, reference.final.item.data)).toBeLessThan(1e-3);
      },
    );

    const { train, heldOut } = plantedClusters(1);
    const config: TrainConfig = { model: name, dim: 16, learningRate: 0.02, batchSize: 64, epochs: 15, ...toyOptions };
    const rng = createRng(3);
    const table = (rows: number) =>
      createMatrix(
        rows,
        16,
        Float32Array.from({ length: rows * 16 }, () => rng.normal() * 0.1),
      );
    const initializers: Initializer[] = [
      { kind: "xavier" },
      { kind: "normal", std: 0.1 },
      { kind: "pretrained", user: table(60), item: table(40) },
    ];

    it.each(initializers.map((init) => [init.kind, init] as const))(
      "learns the planted communities from %s initialisation, deterministically",
      async (_kind, init) => {
        const run = () => trainModel({ train, config, init, rng: createRng(2020), engine: "kernels" });
        const result = await run();
        expect(result.history.every((r) => Number.isFinite(r.loss))).toBe(true);
        expect(result.history[14].loss).toBeLessThan(result.history[0].loss);
        expect(clusterAuc(result.final, heldOut)).toBeGreaterThan(0.9);
        expect((await run()).final.user.data).toEqual(result.final.user.data);
        if (init.kind === "pretrained") {
          const start = await trainModel({ train, config: { ...config, epochs: 0 }, init, rng: createRng(1) });
          expect(start.ego.item.data).toEqual(init.item.data);
        }
      },
    );
  });
}
