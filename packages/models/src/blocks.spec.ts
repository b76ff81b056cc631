import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Blocks, ModelSettings, Term } from "./model-definition.js";
import { getModel, modelDefaults } from "./model-registry.js";
import { fixedBatch, kernelHarness, tfjsHarness } from "./test-utils/block-harness.js";
import type { BlockHarness } from "./test-utils/block-harness.js";
import { numericGradient } from "./test-utils/contrastive-reference.js";
import { ReferenceBlocks } from "./test-utils/reference-blocks.js";
import { randomGraph, randomValues, relativeError } from "./test-utils/reference.js";

// Every engine's blocks against float64 from the definitions: the value of each loss, and its
// gradient with respect to the ego table against central differences. The losses are the
// models' own (from the registry) and compositions that exercise every block and option.

const train = randomGraph(7, 5, 10, 3);
const users = 7;
const nodes = 12;
const dim = 5; // odd: the kernels engine pads rows to 8 columns
const ego = Float32Array.from(randomValues(nodes * dim, 21), (v) => v * 0.5);
// Repeated users and items, as batches have them.
const batch = fixedBatch(
  users,
  [
    [0, 1],
    [3, 0],
    [0, 4],
    [6, 1],
  ],
  [2, 3, 2, 0],
);

function settingsOf(model: string, extra: Record<string, number | string> = {}): ModelSettings {
  const { model: _name, ...values } = modelDefaults[model];
  return { ...values, ...extra } as unknown as ModelSettings;
}

const cases: [string, (b: Blocks) => Term][] = [
  ["lightgcn's loss", (b) => getModel("lightgcn").loss(b, batch, settingsOf("lightgcn", { regWeight: 0.01 }))],
  ["mf's loss", (b) => getModel("mf").loss(b, batch, settingsOf("mf", { regWeight: 0.01 }))],
  ["sgcl's loss (with L2)", (b) => getModel("sgcl").loss(b, batch, settingsOf("sgcl", { regWeight: 0.01 }))],
  ["sgl's loss, ED, all-node negatives", (b) => getModel("sgl").loss(b, batch, settingsOf("sgl", { sslWeight: 0.5 }))],
  [
    "sgl's loss, ND, in-batch negatives",
    (b) => getModel("sgl").loss(b, batch, settingsOf("sgl", { augmentation: "nd", sslNegatives: "batch" })),
  ],
  [
    "sgl's loss, RW, 3 layers",
    (b) => getModel("sgl").loss(b, batch, settingsOf("sgl", { augmentation: "rw", layers: 3, dropRatio: 0.3 })),
  ],
  [
    // One noisy propagation feeding two differently weighted terms, a kept layer, gathers of
    // gathers, slices at offsets and the ego table read directly.
    "noise, mean of layers 1…K, a kept layer, mixed weights",
    (b) => {
      const p = b.propagate({ layers: 2, includeEgo: false, noise: 0.1, keepLayers: [1] });
      const anchors = Int32Array.from([0, 3, 6, 7 + 1, 7 + 4]);
      const final = b.gather(p.mean, anchors);
      const layer = b.gather(p.layer(1), anchors);
      return b.sum(
        b.bpr(b.gather(p.mean, batch.triples)),
        b.scale(b.infoNce(b.slice(final, 0, 3), b.slice(layer, 0, 3), { temperature: 0.3 }), 0.3),
        b.scale(b.infoNce(b.slice(final, 3, 2), b.slice(layer, 3, 2), { temperature: 0.3 }), 0.3),
        b.scale(b.pairContrast(b.gather(b.slice(p.mean, 2, 8), Int32Array.from([0, 1, 6, 7])), 0.5), 0.2),
        b.scale(
          b.infoNce(b.slice(b.ego(), 7, 5), p.layer(1), {
            temperature: 0.5,
            positives: Int32Array.from([7, 8, 9, 10, 11]),
          }),
          0.1,
        ),
        b.scale(b.l2(batch.pairs), 0.05),
      );
    },
  ],
  [
    "an InfoNCE without anchors adds nothing",
    (b) => {
      const x = b.propagate({ layers: 1 }).mean;
      return b.sum(
        b.bpr(b.gather(x, batch.triples)),
        b.infoNce(b.slice(x, 0, 0), b.slice(x, 3, 0), { temperature: 0.2 }),
      );
    },
  ],
  [
    "two noisy propagations, layer 2 kept, a rows-only mean",
    (b) => {
      const anchors = Int32Array.from([1, 2, 9]);
      const a = b.propagate({ layers: 2, includeEgo: false, noise: 0.2, rows: anchors });
      const c = b.propagate({ layers: 2, includeEgo: false, noise: 0.2, keepLayers: [2] });
      return b.sum(
        b.infoNce(a.mean, b.gather(c.layer(2), anchors), { temperature: 0.2 }),
        b.bpr(b.propagate({ layers: 1, rows: batch.triples }).mean),
      );
    },
  ],
];

const harnesses: (() => Promise<BlockHarness>)[] = [
  async () => kernelHarness(train, dim),
  async () => kernelHarness(train, dim, { threads: 2, shared: true }),
  async () => tfjsHarness(train, dim, "wasm", "segments"),
  async () => tfjsHarness(train, dim, "cpu", "gather"),
];

describe.each(harnesses.map((make, k) => [k, make] as const))("building blocks, engine %i", (_k, make) => {
  let harness: BlockHarness;
  beforeAll(async () => {
    harness = await make();
  });
  afterAll(() => harness.dispose());

  it.each(cases)("%s: value and gradient match float64 (central differences)", async (_name, loss) => {
    const reference = (table: Float64Array) => ReferenceBlocks.value(loss(new ReferenceBlocks(train, table, dim)));
    const { value, gradient } = await harness.run(loss, ego);
    const expected = reference(Float64Array.from(ego));
    expect(Math.abs(value - expected) / Math.abs(expected), harness.name).toBeLessThan(1e-5);
    expect(relativeError(gradient, numericGradient(reference, ego)), harness.name).toBeLessThan(1e-4);
  });
});

describe("blocks check their arguments", () => {
  it.each([
    [
      "a mean without layer 0 and no layers",
      (b: Blocks) => b.propagate({ layers: 0, includeEgo: false }).mean,
      /layer 0/,
    ],
    ["a layer not kept", (b: Blocks) => b.propagate({ layers: 2 }).layer(1), /not kept/],
    ["a row out of range", (b: Blocks) => b.gather(b.ego(), Int32Array.from([12])), /out of range/],
    ["a slice past the end", (b: Blocks) => b.slice(b.ego(), 10, 3), /slice/],
    ["bpr on 2 rows", (b: Blocks) => b.bpr(b.ego(Int32Array.from([0, 1]))), /3B/],
    [
      "a rw view of 2 layers used for 3",
      (b: Blocks) => {
        const graph = b.augmentedGraph("v", { augmentation: "rw", dropRatio: 0.1, layers: 2 });
        return b.propagate({ layers: 3, graph }).mean;
      },
      /2 layers used for 3/,
    ],
  ] as const)("%s", async (_name, misuse, message) => {
    const harness = kernelHarness(train, dim);
    try {
      await expect(harness.run((b) => b.bpr(misuse(b) as never), ego)).rejects.toThrow(message);
    } finally {
      harness.dispose();
    }
  });
});
