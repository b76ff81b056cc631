import { ConfigError } from "@llminit/core";

/** The initialisation of the CF embeddings: `none` is the xavier baseline; the others are LLMInit. */
export type InitName = "none" | "rand" | "uni" | "var";

/** One validated configuration for a whole run (LensKit-style typed config). */
export interface RunConfig {
  dataset: string;
  dataDir?: string;
  minRating: number;
  kCore: number;
  split: "random-loo" | "temporal-loo";
  textTemplate?: string;
  sparseKeep?: number;
  sparseRatio?: number;
  /** Item cold-start: share of the items held out with all their interactions (half valid, half test). */
  coldItems?: number;
  encoder: string;
  modelDir?: string;
  cacheDir?: string;
  init: InitName;
  normalize: boolean;
  popularRatio: number;
  withReplacement: boolean;
  model: "lightgcn" | "mf" | "sgl" | "sgcl";
  dim: number;
  layers: number;
  learningRate: number;
  /** Undefined: the model's own default (see `modelDefaults` in @llminit/models). */
  regWeight?: number;
  temperature?: number;
  sslWeight?: number;
  dropRatio?: number;
  augmentation?: "ed" | "nd" | "rw";
  sslNegatives?: "all" | "batch";
  batchSize: number;
  epochs: number;
  patience: number;
  ks: number[];
  evalChunk: number;
  seed: number;
  engine: "auto" | "kernels" | "tfjs";
  threads: number;
  backend: "auto" | "tfjs-node-gpu" | "tfjs-node" | "wasm" | "cpu";
  out?: string;
}

type Kind = "string" | "integer" | "number" | "boolean" | "integer-list";

/** One option: its type, default, limits and a line of help. Drives validation and the CLI. */
export interface OptionSpec {
  key: keyof RunConfig;
  kind: Kind;
  help: string;
  default?: RunConfig[keyof RunConfig];
  choices?: readonly string[];
  min?: number;
  max?: number;
  /** Exclusive lower bound. */
  above?: number;
}

/**
 * Every run option. Defaults reproduce the paper's protocol: rating ≥ 4, 5-core, random
 * leave-one-out, d = 128, 2 layers, Adam lr 1e-3, seed 2020, full ranking @10/20/50.
 */
export const RUN_OPTIONS: readonly OptionSpec[] = [
  { key: "dataset", kind: "string", help: "registry name (e.g. amazon-office-products) or a folder of atomic files" },
  { key: "dataDir", kind: "string", help: "folder holding <dataset>/ (default: $LLMINIT_DATA_DIR)" },
  { key: "minRating", kind: "number", default: 4, help: "keep interactions with rating ≥ this" },
  { key: "kCore", kind: "integer", default: 5, min: 0, help: "iterative k-core on users and items (0: off)" },
  {
    key: "split",
    kind: "string",
    default: "random-loo",
    choices: ["random-loo", "temporal-loo"],
    help: "leave-one-out split order",
  },
  { key: "textTemplate", kind: "string", help: 'item text template, e.g. "{title}. {categories}. {brand}"' },
  {
    key: "sparseKeep",
    kind: "integer",
    min: 1,
    help: "sparse setting: keep at most K training interactions per user (seeded)",
  },
  {
    key: "sparseRatio",
    kind: "number",
    above: 0,
    max: 1,
    help: "sparse setting: keep this share of each user's training interactions",
  },
  {
    key: "coldItems",
    kind: "number",
    above: 0,
    max: 0.9,
    help: "item cold-start: hold out this share of the items with all their interactions (half valid, half test)",
  },
  {
    key: "encoder",
    kind: "string",
    default: "use-lite",
    help: "use-lite | transformers:<id> | file:<path> | openai:<model>",
  },
  { key: "modelDir", kind: "string", help: "local folder of transformers models" },
  { key: "cacheDir", kind: "string", help: "embedding cache folder (default: $LLMINIT_CACHE_DIR or ~/.cache/llminit)" },
  {
    key: "init",
    kind: "string",
    default: "var",
    choices: ["none", "rand", "uni", "var"],
    help: "none = xavier baseline; rand/uni/var = LLMInit",
  },
  { key: "normalize", kind: "boolean", default: true, help: "L2-normalise encoder vectors before selection" },
  {
    key: "popularRatio",
    kind: "number",
    default: 0.2,
    above: 0,
    max: 1,
    help: "var: share of most popular items measured",
  },
  {
    key: "withReplacement",
    kind: "boolean",
    default: false,
    help: "rand: draw columns with replacement (official code)",
  },
  {
    key: "model",
    kind: "string",
    default: "lightgcn",
    choices: ["lightgcn", "mf", "sgl", "sgcl"],
    help: "CF backbone",
  },
  { key: "dim", kind: "integer", default: 128, min: 1, help: "embedding size d" },
  { key: "layers", kind: "integer", default: 2, min: 0, help: "LightGCN propagation layers" },
  { key: "learningRate", kind: "number", default: 1e-3, above: 0, help: "Adam learning rate" },
  {
    key: "regWeight",
    kind: "number",
    min: 0,
    help: "L2 weight on the batch's ego embeddings (default per model: 1e-4 LightGCN/MF, 1e-5 SGL, 0 SGCL)",
  },
  { key: "temperature", kind: "number", above: 0, help: "SGL/SGCL: contrastive temperature τ (default 0.2)" },
  { key: "sslWeight", kind: "number", min: 0, help: "SGL: weight of the InfoNCE term (default 0.05)" },
  {
    key: "dropRatio",
    kind: "number",
    min: 0,
    max: 0.99,
    help: "SGL: edge/node dropout ratio of the views (default 0.1)",
  },
  {
    key: "augmentation",
    kind: "string",
    choices: ["ed", "nd", "rw"],
    help: "SGL: edge dropout, node dropout or random walk views (default ed)",
  },
  {
    key: "sslNegatives",
    kind: "string",
    choices: ["all", "batch"],
    help: "SGL: InfoNCE negatives over all nodes (RecBole) or the batch (default all)",
  },
  { key: "batchSize", kind: "integer", default: 256, min: 1, help: "training pairs per step" },
  {
    key: "epochs",
    kind: "integer",
    default: 300,
    min: 0,
    help: "maximum epochs (0: evaluate the initialisation untrained)",
  },
  { key: "patience", kind: "integer", default: 10, min: 1, help: "early stopping patience on valid NDCG@10" },
  { key: "ks", kind: "integer-list", default: [10, 20, 50], min: 1, help: "cut-offs K of the metrics" },
  { key: "evalChunk", kind: "integer", default: 256, min: 1, help: "users scored at once in full ranking" },
  { key: "seed", kind: "integer", default: 2020, help: "root seed of the random tree" },
  {
    key: "engine",
    kind: "string",
    default: "auto",
    choices: ["auto", "kernels", "tfjs"],
    help: "training engine: wasm SIMD kernels (fast CPU path) or TensorFlow.js; auto = tfjs when --backend names one or tfjs-node-gpu is installed, else kernels",
  },
  {
    key: "threads",
    kind: "integer",
    default: 0,
    min: 0,
    help: "threads for the kernels engine and full-ranking evaluation (0: every core)",
  },
  {
    key: "backend",
    kind: "string",
    default: "auto",
    choices: ["auto", "tfjs-node-gpu", "tfjs-node", "wasm", "cpu"],
    help: "tfjs backend (tfjs engine)",
  },
  { key: "out", kind: "string", help: "run folder (default: runs/<dataset>-<model>-<init>-<timestamp>)" },
];

const SPEC_BY_KEY = new Map(RUN_OPTIONS.map((spec) => [spec.key as string, spec]));

/**
 * Merges configuration layers, later over earlier (defaults < config file < command line),
 * and validates the result. `source` names each layer in errors ("config.yaml", "command line").
 */
export function resolveRunConfig(
  layers: ReadonlyArray<{ source: string; values: Readonly<Record<string, unknown>> }>,
): RunConfig {
  const merged: Record<string, unknown> = {};
  for (const spec of RUN_OPTIONS) if (spec.default !== undefined) merged[spec.key] = spec.default;
  for (const { source, values } of layers) {
    for (const [key, raw] of Object.entries(values)) {
      if (raw === undefined) continue;
      const spec = SPEC_BY_KEY.get(key);
      if (spec === undefined) {
        throw new ConfigError(key, `unknown option in ${source} (known: ${RUN_OPTIONS.map((s) => s.key).join(", ")})`);
      }
      merged[key] = coerceOption(spec, raw, source);
    }
  }
  if (merged.sparseKeep !== undefined && merged.sparseRatio !== undefined) {
    throw new ConfigError("sparseKeep", "give sparseKeep or sparseRatio, not both");
  }
  if (typeof merged.dataset !== "string" || merged.dataset.length === 0) {
    throw new ConfigError("dataset", "is required (a registry name such as amazon-office-products, or a folder)");
  }
  return merged as unknown as RunConfig;
}

/** Converts and checks one value (strings from the command line are parsed). */
export function coerceOption(spec: OptionSpec, raw: unknown, source: string): unknown {
  const fail = (reason: string): never => {
    throw new ConfigError(spec.key, `${reason} (from ${source})`);
  };
  switch (spec.kind) {
    case "string": {
      if (typeof raw !== "string" && typeof raw !== "number")
        return fail(`expected a string, got ${JSON.stringify(raw)}`);
      const value = String(raw);
      if (spec.choices !== undefined && !spec.choices.includes(value)) {
        fail(`"${value}" is not one of ${spec.choices.join(", ")}`);
      }
      return value;
    }
    case "boolean": {
      if (typeof raw === "boolean") return raw;
      if (raw === "true" || raw === "1" || raw === "yes") return true;
      if (raw === "false" || raw === "0" || raw === "no") return false;
      return fail(`expected true or false, got ${JSON.stringify(raw)}`);
    }
    case "integer":
    case "number": {
      const value = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
      if (!Number.isFinite(value)) return fail(`expected a number, got ${JSON.stringify(raw)}`);
      if (spec.kind === "integer" && !Number.isInteger(value)) fail(`expected an integer, got ${value}`);
      checkRange(spec, value, fail);
      return value;
    }
    case "integer-list": {
      const parts = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",").map((s) => s.trim()) : [raw];
      const values = parts.map((part) => (typeof part === "number" ? part : Number(part)));
      if (values.length === 0 || values.some((v) => !Number.isInteger(v)))
        fail(`expected a list of integers, got ${JSON.stringify(raw)}`);
      for (const v of values) checkRange(spec, v, fail);
      return values;
    }
  }
}

function checkRange(spec: OptionSpec, value: number, fail: (reason: string) => never): void {
  if (spec.min !== undefined && value < spec.min) fail(`must be ≥ ${spec.min}, got ${value}`);
  if (spec.max !== undefined && value > spec.max) fail(`must be ≤ ${spec.max}, got ${value}`);
  if (spec.above !== undefined && value <= spec.above) fail(`must be > ${spec.above}, got ${value}`);
}
