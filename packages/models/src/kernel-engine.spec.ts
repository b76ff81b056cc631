import { describe, expect, it } from "vitest";
import { createRng } from "@llminit/core";
import { createKernels, createSharedPropagation } from "@llminit/kernels";
import { buildNormalizedAdjacency } from "./adjacency.js";
import { edgeDropout } from "./augmentation.js";
import { ContrastiveWorkspace, addL2, bprLossAndGradient } from "./kernel-losses.js";
import { KernelPropagation, allocateKernelCsr, copyIntoKernelCsr } from "./kernel-propagation.js";
import { infoNceReference, numericGradient, sgclReference } from "./test-utils/contrastive-reference.js";
import { denseAdjacency, layeredReference, layeredReferenceTransposed } from "./test-utils/layered-reference.js";
import { clusterAuc, plantedClusters } from "./test-utils/planted-clusters.js";
import { denseNormalizedAdjacency, randomGraph, randomValues, relativeError } from "./test-utils/reference.js";
import { modelDefaults } from "./model-registry.js";
import { trainModel } from "./train-model.js";
import type { TrainConfig } from "./types.js";

// Every fast path is checked against float64: kernels against dense products from the
// definitions, losses' gradients against central differences of float64 references.

describe("KernelPropagation", () => {
  const train = randomGraph(7, 5, 10, 3);
  const nodes = 12;
  const dim = 8;

  // With shared sums, forwardRows computes whole layers for a batch of ≥ 1/4 of the nodes, else
  // pulls the needed rows (as without them); the backward passes use the shared sums.
  it.each([
    [0, "pullRows", [3, 0, 3, 11, 7]],
    [1, "pullRows", [3, 0, 3, 11, 7]],
    [2, "pullRows", [3, 0, 3, 11, 7]],
    [3, "pullRows", [3, 0, 3, 11, 7]],
    [1, "shared sums", [3, 0, 3, 11, 7]],
    [3, "shared sums", [3, 0, 3, 11, 7]],
    [2, "shared sums", [10, 3]],
  ])(
    "K = %i, %s, rows %j: forward (rows, all) and backward (rows, all) match float64 (rel. error < 1e-5)",
    (K, products, picked) => {
      const kernels = createKernels();
      const plain = copyIntoKernelCsr(
        buildNormalizedAdjacency(train),
        allocateKernelCsr(kernels, nodes, 2 * train.indptr[7]),
      );
      const graph = { users: train.rows, items: train.cols, indptr: train.indptr, indices: train.indices };
      const csr = products === "pullRows" ? plain : { ...plain, shared: createSharedPropagation(kernels, graph, dim) };
      const dense = denseNormalizedAdjacency(train);
      const layers = Array.from({ length: K }, () => dense);
      const propagation = new KernelPropagation(kernels, nodes, dim, K);
      const x = kernels.f32(nodes * dim);
      x.array.set(randomValues(nodes * dim, 1));
      const want = layeredReference(layers, x.array, dim);

      const all = kernels.f32(nodes * dim);
      propagation.forwardAll([csr], x, all);
      expect(relativeError(all.array, want)).toBeLessThan(1e-5);

      const rows = kernels.i32(picked.length);
      rows.array.set(picked);
      const out = kernels.f32(picked.length * dim);
      propagation.forwardRows([csr], x.ptr, rows, picked.length, out);
      picked.forEach((r, n) =>
        expect(
          relativeError(out.array.subarray(n * dim, (n + 1) * dim), want.subarray(r * dim, (r + 1) * dim)),
        ).toBeLessThan(1e-5),
      );

      // Backward of the picked rows: scatter g (repeats add), then Jᵀ.
      const g = kernels.f32(picked.length * dim);
      g.array.set(randomValues(picked.length * dim, 2));
      const scattered = new Float64Array(nodes * dim);
      picked.forEach((r, n) => {
        for (let c = 0; c < dim; c++) scattered[r * dim + c] += g.array[n * dim + c];
      });
      const grad = kernels.f32(nodes * dim);
      grad.array.fill(1); // backward adds
      propagation.backwardRows([csr], g, rows, picked.length, grad, 2);
      const wantGrad = layeredReferenceTransposed(layers, scattered, dim).map((v) => 1 + 2 * v);
      expect(relativeError(grad.array, wantGrad)).toBeLessThan(1e-5);

      const gAll = kernels.f32(nodes * dim);
      gAll.array.set(randomValues(nodes * dim, 3));
      grad.array.fill(0);
      propagation.backwardAll([csr], gAll, grad, -0.5);
      expect(
        relativeError(
          grad.array,
          layeredReferenceTransposed(layers, gAll.array, dim).map((v) => -0.5 * v),
        ),
      ).toBeLessThan(1e-5);
    },
  );

  it("one adjacency per layer (SGL's random-walk views): forward and backward match float64", () => {
    const kernels = createKernels();
    const graphs = [1, 2, 3].map((seed) => edgeDropout(train, 0.3, createRng(seed)).adjacency);
    const csrs = graphs.map((a) => copyIntoKernelCsr(a, allocateKernelCsr(kernels, nodes, 2 * train.indptr[7])));
    const dense = graphs.map(denseAdjacency);
    const propagation = new KernelPropagation(kernels, nodes, dim, 3);
    const x = kernels.f32(nodes * dim);
    x.array.set(randomValues(nodes * dim, 4));
    const all = kernels.f32(nodes * dim);
    propagation.forwardAll(csrs, x, all);
    expect(relativeError(all.array, layeredReference(dense, x.array, dim))).toBeLessThan(1e-5);
    const rows = kernels.i32(2);
    rows.array.set([5, 9]);
    const out = kernels.f32(2 * dim);
    propagation.forwardRows(csrs, x.ptr, rows, 2, out);
    expect(relativeError(out.array.subarray(0, dim), all.array.subarray(5 * dim, 6 * dim))).toBeLessThan(1e-5);
    const g = kernels.f32(nodes * dim);
    g.array.set(randomValues(nodes * dim, 5));
    const grad = kernels.f32(nodes * dim);
    propagation.backwardAll(csrs, g, grad, 1);
    expect(relativeError(grad.array, layeredReferenceTransposed(dense, g.array, dim))).toBeLessThan(1e-5);
  });
});

const VALUE_TOLERANCE = 1e-5;
const GRADIENT_TOLERANCE = 1e-5;

describe("kernel losses", () => {
  it("BPR: value and gradient match float64 (central differences)", () => {
    const [b, dim] = [5, 8];
    const final = randomValues(3 * b * dim, 6);
    const grad = new Float32Array(final.length);
    const reference = (f: ArrayLike<number>) => {
      let total = 0;
      for (let k = 0; k < b; k++) {
        let pos = 0;
        let neg = 0;
        for (let c = 0; c < dim; c++) {
          pos += f[k * dim + c] * f[(b + k) * dim + c];
          neg += f[k * dim + c] * f[(2 * b + k) * dim + c];
        }
        total += Math.log1p(Math.exp(neg - pos));
      }
      return total / b;
    };
    const loss = bprLossAndGradient(final, grad, b, dim);
    expect(Math.abs(loss - reference(final)) / reference(final)).toBeLessThan(VALUE_TOLERANCE);
    expect(relativeError(grad, numericGradient(reference, final))).toBeLessThan(GRADIENT_TOLERANCE);
  });

  it("L2: Σ‖x_r‖² over repeated rows, λ·x_r added to the gradient", () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const grad = new Float32Array(6);
    const sum = addL2(x, grad, Int32Array.from([2, 0, 2]), 3, 2, 0.5);
    expect(sum).toBe(2 * 61 + 5);
    expect(addL2(x, undefined, Int32Array.from([2, 0, 2]), 3, 2, 0.5)).toBe(2 * 61 + 5);
    expect(Array.from(grad)).toEqual([0.5, 1, 0, 0, 5, 6]);
  });

  it.each([
    ["positives among all candidates", [2, 0, 5]],
    ["in-batch positives", undefined],
  ] as const)("InfoNCE (%s): value and gradients match float64", (_, positives) => {
    const [s, dim, tau] = [3, 8, 0.2];
    const m = positives === undefined ? s : 6;
    const kernels = createKernels();
    const workspace = new ContrastiveWorkspace(kernels, dim, s, m);
    // Anchors and candidates at non-zero row offsets of larger buffers, as the engine uses them.
    const a = kernels.f32((s + 1) * dim);
    const c = kernels.f32((m + 2) * dim);
    a.array.set(randomValues((s + 1) * dim, 7));
    c.array.set(randomValues((m + 2) * dim, 8));
    const da = kernels.f32((s + 1) * dim);
    const dc = kernels.f32((m + 2) * dim);
    const p = positives === undefined ? undefined : Int32Array.from(positives);
    const loss = workspace.infoNce(a, dim, s, c, 2 * dim, m, p, tau, da, dc, 3);
    const v1 = Array.from(a.array.subarray(dim, (s + 1) * dim));
    const v2 = Array.from(c.array.subarray(2 * dim, (m + 2) * dim));
    const want = infoNceReference(v1, v2, s, m, dim, tau, positives === undefined ? undefined : [...positives]);
    expect(Math.abs(loss - want) / want).toBeLessThan(VALUE_TOLERANCE);
    const g1 = numericGradient(
      (x) => infoNceReference(x, v2, s, m, dim, tau, positives === undefined ? undefined : [...positives]),
      v1,
    ).map((v) => 3 * v);
    const g2 = numericGradient(
      (x) => infoNceReference(v1, x, s, m, dim, tau, positives === undefined ? undefined : [...positives]),
      v2,
    ).map((v) => 3 * v);
    expect(relativeError(da.array.subarray(dim), g1)).toBeLessThan(GRADIENT_TOLERANCE);
    expect(relativeError(dc.array.subarray(2 * dim), g2)).toBeLessThan(GRADIENT_TOLERANCE);
    expect(Array.from(da.array.subarray(0, dim))).toEqual(new Array(dim).fill(0)); // rows outside untouched
  });

  it("SGCL: value and gradient match float64", () => {
    const [b, dim, tau] = [4, 8, 0.2];
    const kernels = createKernels();
    const workspace = new ContrastiveWorkspace(kernels, dim, 2 * b, 2 * b);
    const final = kernels.f32(2 * b * dim);
    final.array.set(randomValues(2 * b * dim, 9));
    const grad = kernels.f32(2 * b * dim);
    const loss = workspace.sgcl(final, b, tau, grad);
    const ego = new Float64Array(2 * b * dim);
    const reference = (x: ArrayLike<number>) => sgclReference(x, ego, b, dim, tau, 0);
    expect(Math.abs(loss - reference(final.array)) / reference(final.array)).toBeLessThan(VALUE_TOLERANCE);
    expect(relativeError(grad.array, numericGradient(reference, final.array))).toBeLessThan(GRADIENT_TOLERANCE);
  });
});

describe("trainModel on the kernels engine", { timeout: 60_000 }, () => {
  const { train, heldOut } = plantedClusters(1);
  const base: TrainConfig = {
    ...(modelDefaults.lightgcn as TrainConfig),
    dim: 16,
    layers: 2,
    learningRate: 0.02,
    batchSize: 64,
    epochs: 15,
    patience: 10,
  };

  it.each(["lightgcn", "mf"] as const)("%s learns the planted communities, deterministically", async (model) => {
    const run = () =>
      trainModel({
        train,
        config: { ...base, model },
        init: { kind: "xavier" },
        rng: createRng(2020),
        engine: "kernels",
      });
    const result = await run();
    expect(result.engine).toBe("kernels");
    // The communities make many shared pairs of items (and of users): Â · x uses shared sums.
    expect(result.backend).toMatch(
      model === "mf" ? /^kernels \(wasm SIMD, 1 thread\)$/ : /^kernels \(wasm SIMD, 1 thread, shared sums\)$/,
    );
    expect(result.history[14].loss).toBeLessThan(result.history[0].loss * 0.8);
    expect(clusterAuc(result.final, heldOut)).toBeGreaterThan(0.9);
    const again = await run();
    expect(again.final.item.data).toEqual(result.final.item.data);
  });

  // Same models, losses, Adam and random streams as the tfjs engine: the two agree up to float
  // rounding, which Adam's m/√v can amplify for near-zero gradients — hence 1e-3 after 2 epochs.
  it.each([
    ["lightgcn", {}],
    ["mf", {}],
    ["sgcl", { regWeight: 1e-3 }],
    ["sgl", { augmentation: "ed", sslNegatives: "all" }],
    ["sgl", { augmentation: "nd", sslNegatives: "batch" }],
    ["sgl", { augmentation: "rw", sslNegatives: "all" }],
  ] as const)(
    "%s %j: same losses and embeddings as the tfjs engine (odd dim 6: padded columns change nothing)",
    async (model, extra) => {
      const small = randomGraph(30, 20, 90, 11);
      const config = {
        ...(modelDefaults[model] as TrainConfig),
        ...extra,
        dim: 6,
        layers: 2,
        batchSize: 32,
        epochs: 2,
        learningRate: 0.01,
      } as TrainConfig;
      const options = { train: small, config, init: { kind: "xavier" as const } };
      const fast = await trainModel({ ...options, rng: createRng(5), engine: "kernels" });
      const reference = await trainModel({ ...options, rng: createRng(5), engine: "tfjs", backend: "wasm" });
      expect(reference.engine).toBe("tfjs");
      fast.history.forEach((r, k) =>
        expect(Math.abs(r.loss - reference.history[k].loss) / Math.abs(reference.history[k].loss)).toBeLessThan(1e-4),
      );
      expect(relativeError(fast.ego.user.data, reference.ego.user.data)).toBeLessThan(1e-3);
      expect(relativeError(fast.final.item.data, reference.final.item.data)).toBeLessThan(1e-3);
    },
  );

  it("2 threads train to bitwise the same embeddings as 1 (each output element has one owner)", async () => {
    const config = { ...(modelDefaults.sgl as TrainConfig), dim: 16, layers: 2, batchSize: 64, epochs: 2 };
    const one = await trainModel({ train, config, init: { kind: "xavier" }, rng: createRng(8), engine: "kernels" });
    const two = await trainModel({
      train,
      config,
      init: { kind: "xavier" },
      rng: createRng(8),
      engine: "kernels",
      threads: 2,
    });
    expect(two.backend).toMatch(/^kernels \(wasm SIMD, 2 threads, shared sums\)$/);
    expect(two.final.user.data).toEqual(one.final.user.data);
    expect(two.history.map((h) => h.loss)).toEqual(one.history.map((h) => h.loss));
  });

  it("epochs: 0 propagates the initial embeddings exactly like the tfjs engine", async () => {
    const config = { ...base, epochs: 0 };
    const fast = await trainModel({ train, config, init: { kind: "xavier" }, rng: createRng(3), engine: "kernels" });
    const reference = await trainModel({
      train,
      config,
      init: { kind: "xavier" },
      rng: createRng(3),
      engine: "tfjs",
      backend: "wasm",
    });
    expect(relativeError(fast.final.user.data, reference.final.user.data)).toBeLessThan(1e-6);
    expect(fast.ego.item.data).toEqual(reference.ego.item.data);
  });

  it("auto picks kernels unless a tfjs backend is named; a bad engine name is a ConfigError", async () => {
    const config = { ...base, epochs: 1 };
    expect((await trainModel({ train, config, init: { kind: "xavier" }, rng: createRng(1) })).engine).toBe("kernels");
    expect(
      (await trainModel({ train, config, init: { kind: "xavier" }, rng: createRng(1), backend: "wasm" })).engine,
    ).toBe("tfjs");
    await expect(
      trainModel({ train, config, init: { kind: "xavier" }, rng: createRng(1), engine: "gpu" as never }),
    ).rejects.toThrow(/engine/);
  });
});
