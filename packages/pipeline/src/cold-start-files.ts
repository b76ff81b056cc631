import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DataFormatError, NotAvailableError, readNpy, writeNpy, type Matrix } from "@llminit/core";
import type { RidgeMap } from "./ridge-map.js";
import type { RunFolder } from "./run-folder.js";

/** The run folder's `cold-start/` files: what scoring a new item from its text needs. */
export const COLD_START_DIR = "cold-start";
const MODEL_FILE = "model.json";
const VECTORS_FILE = "item-vectors.npy";
const WEIGHTS_FILE = "map-weights.npy";
const BIAS_FILE = "map-bias.npy";
const FORMAT = "llminit-cold-start/1";

/** `cold-start/model.json`. */
export interface ColdStartModelFile {
  format: typeof FORMAT;
  /** Encoder spec of the run (`use-lite`, `file:…`, …) and its output dimension D. */
  encoder: string;
  dimension: number;
  /** Whether encoder vectors are L2-normalised before use (the run's `normalize`). */
  normalize: boolean;
  /** The item-text template the run rendered from the item features. */
  textTemplate: string;
  /** Encoder dimensions the LLM init selected; null for init none. */
  selectedColumns: number[] | null;
  model: string;
  layers: number;
  /** Final embedding of an item without edges per unit of its ego embedding. */
  isolatedScale: number;
  map: {
    lambda: number;
    /** λ over the mean eigenvalue of the centred Gram matrix of the warm items' vectors. */
    relativeLambda: number;
    /** How λ was chosen: "cold-valid ndcg@10" or "generalised cross-validation on the warm items". */
    selectedBy: string;
    /** Every λ tried with its score (NDCG@10, higher is better; or GCV, lower is better). */
    grid: Array<{ relativeLambda: number; lambda: number; score: number }>;
  };
  /** `map-knn`'s neighbours k: the cold-valid NDCG@10 maximiser, or the leave-one-out squared error minimiser. */
  mapKnn: { k: number; selectedBy: string; grid: Array<{ k: number; score: number }> };
  seed: number;
}

/** Writes `cold-start/`: model.json, the warm items' normalised vectors, the ridge map (float64). */
export async function writeColdStartFiles(
  folder: RunFolder,
  model: ColdStartModelFile,
  itemVectors: Matrix,
  map: RidgeMap,
): Promise<void> {
  await folder.writeMatrix(join(COLD_START_DIR, VECTORS_FILE), itemVectors);
  await writeNpy(folder.path(COLD_START_DIR, WEIGHTS_FILE), map.weights, [map.inputs, map.outputs]);
  await writeNpy(folder.path(COLD_START_DIR, BIAS_FILE), map.bias, [map.outputs]);
  // model.json last: its presence says that the rest is complete.
  await folder.writeJson(join(COLD_START_DIR, MODEL_FILE), model);
}

/** Reads what {@link writeColdStartFiles} wrote, checking shapes against each other. */
export async function readColdStartFiles(
  runDir: string,
): Promise<{ model: ColdStartModelFile; itemVectors: Matrix; map: RidgeMap }> {
  const dir = join(runDir, COLD_START_DIR);
  const modelPath = join(dir, MODEL_FILE);
  const text = await readFile(modelPath, "utf8").catch((error: unknown) => {
    throw new NotAvailableError(
      modelPath,
      `cannot read (${(error as Error).message})`,
      "New items need a run that encoded its item texts: an LLM init (--init rand|uni|var) or --cold-items; " +
        "runs written before cold-start support have no cold-start/ folder",
    );
  });
  let model: ColdStartModelFile;
  try {
    model = JSON.parse(text) as ColdStartModelFile;
  } catch (error) {
    throw new DataFormatError({ file: modelPath }, `not JSON: ${(error as Error).message}`);
  }
  if (model.format !== FORMAT)
    throw new DataFormatError(
      { file: modelPath, field: "format" },
      `expected "${FORMAT}", got ${JSON.stringify(model.format)}`,
    );
  const vectorsPath = join(dir, VECTORS_FILE);
  const vectors = await readNpy(vectorsPath);
  if (vectors.dtype !== "float32" || vectors.shape.length !== 2 || vectors.shape[1] !== model.dimension)
    throw new DataFormatError(
      { file: vectorsPath },
      `expected float32 [items × ${model.dimension}], found ${vectors.dtype} [${vectors.shape.join(", ")}]`,
    );
  const weightsPath = join(dir, WEIGHTS_FILE);
  const weights = await readNpy(weightsPath);
  const bias = await readNpy(join(dir, BIAS_FILE));
  if (
    weights.dtype !== "float64" ||
    weights.shape.length !== 2 ||
    weights.shape[0] !== model.dimension ||
    bias.dtype !== "float64" ||
    bias.shape[0] !== weights.shape[1]
  )
    throw new DataFormatError(
      { file: weightsPath },
      `expected float64 [${model.dimension} × d] weights and [d] bias, found ${weights.dtype} [${weights.shape.join(", ")}] and ${bias.dtype} [${bias.shape.join(", ")}]`,
    );
  return {
    model,
    itemVectors: { rows: vectors.shape[0], cols: vectors.shape[1], data: vectors.data as Float32Array },
    map: {
      inputs: weights.shape[0],
      outputs: weights.shape[1],
      weights: weights.data as Float64Array,
      bias: bias.data as Float64Array,
      lambda: model.map.lambda,
    },
  };
}
