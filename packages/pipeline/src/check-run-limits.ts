import { availableParallelism, totalmem } from "node:os";
import { ConfigError, flagName, type Logger } from "@llminit/core";
import { getModel, kernelEngineMemory } from "@llminit/models";
import { trainConfigOf } from "./model-options.js";
import { RUN_OPTIONS, type RunConfig } from "./run-config.js";

/** What a run's size depends on, known once the data is loaded and split. */
export interface RunShape {
  users: number;
  items: number;
  /** Training interactions (after the sparse setting). */
  trainPairs: number;
  /** The encoder's D, when known. */
  encoderDimension?: number;
  /** Items held out as cold test items (runs with `coldItems`). */
  coldTestItems?: number;
}

/** One part of a run's memory. */
export interface MemoryPart {
  what: string;
  bytes: number;
  /** Held in the kernels engine's WebAssembly memory (at most {@link WASM_MEMORY_LIMIT} per instance). */
  wasm: "training" | "evaluation" | false;
}

/** A WebAssembly memory holds at most 65536 pages of 64 KiB. */
export const WASM_MEMORY_LIMIT = 65536 * 65536;

const FLOAT = 4;

/**
 * An estimate of the memory a run needs, by part: what the kernels engine allocates for training
 * (`kernelEngineMemory`: the tables with their gradient and Adam moments, the graph, and every
 * buffer the model's building blocks use, found by planning the model's loss on the largest
 * batch; the tfjs engine holds the same tensors in about the same space), the evaluation's score
 * chunk, and the host-side copies, the per-epoch checkpoint's and the trainer's batch indices
 * among them.
 */
export function estimateRunMemory(config: RunConfig, shape: RunShape): MemoryPart[] {
  const { users, items, trainPairs } = shape;
  const nodes = users + items;
  const width = Math.ceil(config.dim / 4) * 4;
  const batch = config.batchSize;
  const engine = kernelEngineMemory({
    ...trainConfigOf(config),
    dim: config.dim,
    batchSize: batch,
    users,
    items,
    interactions: trainPairs,
    threads: config.threads === 0 ? availableParallelism() : config.threads,
  });
  const parts: MemoryPart[] = [
    {
      what: `${nodes} × ${config.dim} embeddings with their gradient`,
      bytes: engine.parameters,
      wasm: "training",
    },
    { what: "Adam's moments", bytes: engine.optimizer, wasm: "training" },
    { what: "the normalised adjacency (and the model's augmented views)", bytes: engine.graph, wasm: "training" },
    {
      what: `layer outputs, scoring table and step buffers (batches of ${batch} pairs)`,
      bytes: engine.buffers - engine.contrastive,
      wasm: "training",
    },
  ];
  if (engine.contrastive > 0)
    parts.push({
      what: `the contrastive logits and scratch of ${getModel(config.model).title} (batches of ${batch} pairs)`,
      bytes: engine.contrastive,
      wasm: "training",
    });
  const chunk = Math.min(config.evalChunk, users);
  parts.push({
    what: `evaluation scores of ${chunk} users × ${items} items at once`,
    bytes: FLOAT * (items * width + chunk * (items + width)),
    wasm: "evaluation",
  });
  parts.push({
    what: "host copies of the embeddings and the item vectors",
    bytes: FLOAT * (6 * nodes * config.dim + (config.init === "none" ? 0 : items * (shape.encoderDimension ?? 0))),
    wasm: false,
  });
  parts.push({
    // Copied out of the engine after every epoch: the ego table and Adam's moments, then all four
    // tables (with the best epoch's) encoded as .npy while they are written.
    what: "the per-epoch training checkpoint (tables and their .npy bytes)",
    bytes: FLOAT * 7 * nodes * config.dim,
    wasm: false,
  });
  parts.push({ what: `batches of ${batch} pairs (the trainer's indices)`, bytes: FLOAT * 7 * batch, wasm: false });
  return parts;
}

/** "1.5 GiB" */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? value.toFixed(0) : value.toPrecision(3)} ${units[unit]}`;
}

/** This machine's memory, or the container's limit when one is set (cgroups) and smaller. */
export function usableMemory(): number {
  const limit = process.constrainedMemory?.() ?? 0;
  return limit > 0 ? Math.min(limit, totalmem()) : totalmem();
}

function label(option: string): string {
  return `--${flagName(option)}`;
}

/** Whether the run trains on the kernels engine's WebAssembly memory (auto does, unless a tfjs backend is named). */
function usesWasmMemory(config: RunConfig): boolean {
  return config.engine === "kernels" || (config.engine === "auto" && config.backend === "auto");
}

const DEFAULT_KS = RUN_OPTIONS.find((spec) => spec.key === "ks")?.default as readonly number[];

/**
 * The cold setting ranks the cold test items alone: at a cut-off K ≥ their number every method,
 * random included, gets cold recall@K = 1. When every K is such, no cold metric means anything and
 * the run is refused (with the share that would do); when some are, one warning names them.
 */
function checkColdCutoffs(config: RunConfig, coldTestItems: number, logger: Logger | undefined): void {
  const trivial = config.ks.filter((k) => k >= coldTestItems);
  if (trivial.length === 0) return;
  if (trivial.length < config.ks.length) {
    logger?.log(
      "warn",
      `only ${coldTestItems} cold test items: cold metrics @${trivial.join(",@")} rank every one of them ` +
        `(recall 1 for any method, random included); read the cold table at a smaller K`,
      { coldTestItems, trivial },
    );
    return;
  }
  const smallest = Math.min(...config.ks);
  // ⌈cold / 2⌉ test items: scale the share so that the test half exceeds the smallest K.
  const needed = Math.ceil(((config.coldItems ?? 0) * (smallest + 1) * 100) / coldTestItems) / 100;
  const more =
    needed <= 0.9
      ? `hold out more items (--cold-items ${needed} or more) or give`
      : "the data has too few items for it: give";
  throw new ConfigError(
    "--cold-items",
    `${config.coldItems} of the items gives ${coldTestItems} cold test items, and the cold setting ranks them alone: ` +
      `at --ks ${trivial.join(",")} (≥ ${coldTestItems}) every cold test item is in every top-K, so cold ` +
      `recall@K is 1 for any method, random included; ${more} --ks below ${coldTestItems}`,
  );
}

/**
 * Checks the options that depend on the data, before any training and before the run folder
 * exists: the cut-offs `ks` against the number of items (the default 10, 20, 50 are only warned
 * about on a catalogue smaller than 50), with `coldItems` against the cold test items (see
 * {@link checkColdCutoffs}), var's popular share (it must measure at
 * least two items, or every column's variance is 0), and the memory estimate against this
 * machine's memory and the WebAssembly memory limit. Errors name the option and what would fit.
 */
export function checkRunLimits(
  config: RunConfig,
  shape: RunShape,
  options: { memory?: number; logger?: Logger } = {},
): void {
  const tooLarge = config.ks.filter((k) => k > shape.items);
  const isDefault = config.ks.length === DEFAULT_KS.length && config.ks.every((k, i) => k === DEFAULT_KS[i]);
  // The paper's default cut-offs stay comparable across datasets: on a tiny one they are only flagged.
  if (tooLarge.length > 0 && isDefault)
    options.logger?.log("warn", `cut-offs ${tooLarge.join(",")} are above the ${shape.items} items: trivial there`);
  else if (tooLarge.length > 0)
    throw new ConfigError(
      "ks",
      `--ks ${tooLarge.join(",")}: a cut-off K must be ≤ the ${shape.items} items after filtering ` +
        `(at K ≥ the items every metric is trivially 1 or fixed)`,
    );
  if (shape.coldTestItems !== undefined && config.coldItems !== undefined)
    checkColdCutoffs(config, shape.coldTestItems, options.logger);
  if (config.init === "var") {
    const popular = Math.floor(config.popularRatio * shape.items);
    if (popular < 2)
      throw new ConfigError(
        "popularRatio",
        `--popular-ratio ${config.popularRatio} measures the variance over ${popular} of the ${shape.items} items ` +
          `(⌊ratio × items⌋), where every column's variance is 0 and var would pick columns 0 … d−1; ` +
          `give at least ${(2 / shape.items).toPrecision(2)} (2 items)`,
      );
  }
  const memory = options.memory ?? usableMemory();
  const sum = (parts: readonly MemoryPart[]) => parts.reduce((total, part) => total + part.bytes, 0);
  const checks = [
    { measure: sum, limit: memory, where: `this machine has ${formatBytes(memory)}` },
    ...(usesWasmMemory(config) ? (["training", "evaluation"] as const) : []).map((instance) => ({
      measure: (parts: readonly MemoryPart[]) => sum(parts.filter((part) => part.wasm === instance)),
      limit: WASM_MEMORY_LIMIT,
      where: `${instance} on the kernels engine lives in one WebAssembly memory of at most ${formatBytes(WASM_MEMORY_LIMIT)}`,
    })),
  ];
  const parts = estimateRunMemory(config, shape);
  for (const { measure, limit, where } of checks) {
    const bytes = measure(parts);
    if (bytes <= limit) continue;
    const key = culprit(config, shape, measure);
    const largest = [...parts].sort((x, y) => y.bytes - x.bytes)[0];
    throw new ConfigError(
      key,
      `${label(key)} ${String(config[key])} makes a run of ${shape.users} users × ${shape.items} items need about ` +
        `${formatBytes(bytes)} (the most for ${largest.what}: ${formatBytes(largest.bytes)}); ${where}`,
    );
  }
}

const SIZE_OPTIONS = ["dim", "batchSize", "evalChunk", "layers"] as const;

function defaultOf(key: string): unknown {
  return RUN_OPTIONS.find((spec) => spec.key === key)?.default;
}

/** The size option whose default would save the most memory: the one to name in the error. */
function culprit(
  config: RunConfig,
  shape: RunShape,
  measure: (parts: readonly MemoryPart[]) => number,
): (typeof SIZE_OPTIONS)[number] {
  const now = measure(estimateRunMemory(config, shape));
  let best: (typeof SIZE_OPTIONS)[number] = "dim";
  let bestSaving = -Infinity;
  const model = getModel(config.model);
  for (const key of SIZE_OPTIONS) {
    const fallback = (
      key === "dim" || key === "batchSize" ? model.defaults[key] : (model.options[key]?.default ?? defaultOf(key))
    ) as number | undefined;
    if (fallback === undefined) continue;
    const saving = now - measure(estimateRunMemory({ ...config, [key]: fallback }, shape));
    if (saving > bestSaving) {
      bestSaving = saving;
      best = key;
    }
  }
  return best;
}
