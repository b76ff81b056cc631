import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DataFormatError, NotAvailableError } from "@llminit/core";
import type { RunFolder } from "./run-folder.js";

/** The run folder's `cold-start/` files: what scoring a new item from its text needs. */
export const COLD_START_DIR = "cold-start";
const MODEL_FILE = "model.json";
const TEXTS_FILE = "item-texts.json";
const FORMAT = "llminit-cold-start/2";

/** How `map`'s ridge λ was chosen. */
export interface MapChoice {
  lambda: number;
  /** λ over the mean eigenvalue of the centred Gram matrix of the warm items' vectors. */
  relativeLambda: number;
  /** "cold-valid ndcg@10", or "generalised cross-validation on the warm items". */
  selectedBy: string;
  /** Every λ tried with its score (NDCG@10, higher is better; or GCV, lower is better). */
  grid: Array<{ relativeLambda: number; lambda: number; score: number }>;
}

/** How `map-knn`'s number of neighbours k was chosen. */
export interface KnnChoice {
  k: number;
  /** "cold-valid ndcg@10", or "leave-one-out squared error on the warm items". */
  selectedBy: string;
  grid: Array<{ k: number; score: number }>;
}

/** `cold-start/model.json`. */
export interface ColdStartModelFile {
  format: typeof FORMAT;
  /** Encoder spec of the run (`use-lite`, `file:…` made absolute, …) and its output dimension D. */
  encoder: string;
  dimension: number;
  /** Whether encoder vectors are L2-normalised before use (the run's `normalize`). */
  normalize: boolean;
  /** The item-text template the run rendered from the item features. */
  textTemplate: string;
  /** Encoder dimensions the LLM init selected; null for init none. */
  selectedColumns: number[] | null;
  model: string;
  /** The model's propagation layers K, where it has them. */
  layers?: number;
  /** Final embedding of an item without edges per unit of its ego embedding. */
  isolatedScale: number;
  /**
   * λ of `map` chosen on the cold validation items (runs with `coldItems`); null when the run held
   * none out: the recommender then picks it by GCV on the warm items when `map` is first used.
   */
  map: MapChoice | null;
  /** `map-knn`'s k chosen on the cold validation items; null: by leave-one-out when first used. */
  mapKnn: KnnChoice | null;
  seed: number;
}

/**
 * Writes `cold-start/`: model.json and item-texts.json, the rendered text of every item of the
 * catalogue (rows of items.txt). The catalogue's encoder vectors are not stored: they are the
 * run's encoder cache entries, and the recommender reads them back through it (or re-encodes).
 */
export async function writeColdStartFiles(
  folder: RunFolder,
  model: ColdStartModelFile,
  itemTexts: readonly string[],
): Promise<void> {
  await folder.writeJson(join(COLD_START_DIR, TEXTS_FILE), itemTexts);
  // model.json last: its presence says that the rest is complete.
  await folder.writeJson(join(COLD_START_DIR, MODEL_FILE), model);
}

async function readJson(path: string, what: string): Promise<unknown> {
  const text = await readFile(path, "utf8").catch((error: unknown) => {
    throw new NotAvailableError(
      path,
      `cannot read (${(error as Error).message})`,
      `New items need ${what} of a run that encoded its item texts: an LLM init (--init rand|uni|var) or --cold-items`,
    );
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DataFormatError({ file: path }, `not JSON: ${(error as Error).message}`);
  }
}

/** Reads what {@link writeColdStartFiles} wrote; `items` is the run's number of items, to check the texts. */
export async function readColdStartFiles(
  runDir: string,
  items: number,
): Promise<{ model: ColdStartModelFile; itemTexts: string[] }> {
  const dir = join(runDir, COLD_START_DIR);
  const modelPath = join(dir, MODEL_FILE);
  const model = (await readJson(modelPath, "the cold-start model")) as ColdStartModelFile;
  if (model?.format !== FORMAT)
    throw new DataFormatError(
      { file: modelPath, field: "format" },
      `expected "${FORMAT}", got ${JSON.stringify(model?.format)} (a run folder from another version: rerun it)`,
    );
  const textsPath = join(dir, TEXTS_FILE);
  const texts = await readJson(textsPath, "the item texts");
  if (!Array.isArray(texts) || texts.length !== items || texts.some((t) => typeof t !== "string"))
    throw new DataFormatError(
      { file: textsPath },
      `expected a JSON array of ${items} strings (one per line of items.txt), found ` +
        (Array.isArray(texts) ? `${texts.length} entries` : typeof texts),
    );
  return { model, itemTexts: texts as string[] };
}
