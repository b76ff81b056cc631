import { availableParallelism } from "node:os";
import { closestName, ConfigError, flagName, optionKey, parseBooleanWord } from "@llminit/core";
import { applyModelSettings, modelRunOptions } from "./model-options.js";
import type { GivenOption } from "./model-options.js";
import type { ProtocolName } from "./protocol.js";

/** The initialisation of the CF embeddings: `none` is the xavier baseline; the others are LLMInit. */
export type InitName = "none" | "rand" | "uni" | "var";

/** One validated configuration for a whole run (LensKit-style typed config). */
export interface RunConfig {
  dataset: string;
  dataDir?: string;
  /**
   * Keep interactions whose `ratingField` is ≥ this; null: no value filter. Undefined: the default, 4,
   * off (with one notice) on data without a rating column; a number given on such data is an error.
   */
  minRating?: number | null;
  /** The numeric interaction column `minRating` applies to (undefined: "rating", when the data has one). */
  ratingField?: string;
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
  /** A registered model (`llminit models`); the settings below default to its own. */
  model: string;
  dim: number;
  learningRate: number;
  regWeight: number;
  batchSize: number;
  epochs: number;
  patience: number;
  ks: number[];
  /** `standard` (default) or `official` (the official LLMInit code's evaluation and sampling). */
  protocol: ProtocolName;
  evalChunk: number;
  seed: number;
  engine: "auto" | "kernels" | "tfjs";
  threads: number;
  backend: "auto" | "tfjs-node-gpu" | "tfjs-node" | "wasm" | "cpu";
  out?: string;
  /** The model's own options (e.g. `layers`, `temperature`), its defaults filled in. */
  [modelOption: string]: unknown;
}

type Kind = "string" | "integer" | "number" | "boolean" | "integer-list";

/** One option: its type, default, limits and a line of help. Drives validation and the CLI. */
export interface OptionSpec {
  key: string;
  kind: Kind;
  help: string;
  default?: RunConfig[keyof RunConfig];
  choices?: readonly string[];
  min?: number;
  max?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** For a model's own option: the models that take it (its value is checked against the chosen one's limits). */
  models?: readonly string[];
  /** The words `none` and `null` (and a null in a config file) give null: the option is off. */
  nullable?: boolean;
}

/**
 * Every run option. Defaults reproduce the paper's protocol: rating ≥ 4, 5-core, random
 * leave-one-out, seed 2020, full ranking @10/20/50; the model's settings (d = 128, 2 layers, Adam
 * lr 1e-3, batch 256 for every model) come from the model's file through the model registry.
 */
export const RUN_OPTIONS: readonly OptionSpec[] = [
  { key: "dataset", kind: "string", help: "registry name (e.g. amazon-office-products) or a folder of atomic files" },
  { key: "dataDir", kind: "string", help: "folder holding <dataset>/ (default: $LLMINIT_DATA_DIR)" },
  {
    key: "minRating",
    kind: "number",
    nullable: true,
    help:
      "keep interactions whose rating field is ≥ this (missing fails); none: no filter [4; off, with a notice, " +
      "on data without a rating column]",
  },
  {
    key: "ratingField",
    kind: "string",
    help: "numeric column --min-rating filters, e.g. play_count (default: rating, if any)",
  },
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
  ...modelRunOptions(),
  { key: "ks", kind: "integer-list", default: [10, 20, 50], min: 1, help: "cut-offs K of the metrics" },
  {
    key: "protocol",
    kind: "string",
    default: "standard",
    choices: ["standard", "official"],
    help: "standard: train items masked, negatives exclude them, strict > early stopping; official: the official LLMInit code (RecBole repeatable: True: nothing masked, negatives exclude only the positive, ≥ on the 4-decimal score, stop after patience + 1)",
  },
  { key: "evalChunk", kind: "integer", default: 256, min: 1, help: "users scored at once in full ranking" },
  {
    key: "seed",
    kind: "integer",
    default: 2020,
    help: "root seed of the random tree (a safe integer)",
  },
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
    help: "threads for the kernels engine and full-ranking evaluation (0: every core; at most 4 × the cores)",
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

/** One layer of configuration: where it comes from and its values by option name. */
export interface ConfigLayer {
  /** Named in errors: "command line", a config file's path, "LLMINIT_DATA_DIR", … */
  source: string;
  /** Keys in camelCase (`dataDir`) or kebab-case (`data-dir`), as flags are spelled. */
  values: Readonly<Record<string, unknown>>;
  /** `flags`: errors name `--data-dir`; otherwise they name the key as written. */
  kind?: "flags" | "file";
  /** Line of each key as written in a config file, for errors (`run.yaml:3`). */
  lines?: Readonly<Record<string, number>>;
}

/** Most threads a run may ask for: oversubscribing the cores further only costs memory and time. */
export function maxThreads(): number {
  return 4 * Math.max(1, availableParallelism());
}

/** How errors name an option of a layer: `--data-dir` on the command line, else the key as written. */
function optionLabel(layer: ConfigLayer, written: string): string {
  return layer.kind === "flags" ? `--${flagName(written)}` : written;
}

function where(layer: ConfigLayer, written: string): string {
  const line = layer.lines?.[written];
  return line === undefined ? layer.source : `${layer.source}:${line}`;
}

/**
 * Merges configuration layers, later over earlier (defaults < config file < command line),
 * and validates the result. `source` names each layer in errors ("config.yaml", "command line").
 * Keys may be camelCase (`dataDir`) or kebab-case like the flags (`data-dir`).
 */
export function resolveRunConfig(layers: ReadonlyArray<ConfigLayer>): RunConfig {
  const merged: Record<string, unknown> = {};
  // Where each given value came from, for the model's checks.
  const given = new Map<string, GivenOption>();
  for (const spec of RUN_OPTIONS) if (spec.default !== undefined) merged[spec.key] = spec.default;
  for (const layer of layers) {
    const seen = new Map<string, string>();
    for (const [written, raw] of Object.entries(layer.values)) {
      if (raw === undefined) continue;
      const key = optionKey(written);
      const spec = SPEC_BY_KEY.get(key);
      const label = optionLabel(layer, written);
      if (spec === undefined) {
        const names = RUN_OPTIONS.flatMap((s) => [s.key, flagName(s.key)]);
        const hint = closestName(written, names);
        throw new ConfigError(
          label,
          `unknown option in ${where(layer, written)}${hint === undefined ? "" : ` (did you mean ${hint}?)`}` +
            ` (known: ${RUN_OPTIONS.map((s) => flagName(s.key)).join(", ")}; camelCase works too)`,
        );
      }
      const twin = seen.get(key);
      if (twin !== undefined)
        throw new ConfigError(label, `given twice in ${layer.source}, as "${twin}" and "${written}"`);
      seen.set(key, written);
      merged[key] = coerceOption(spec, raw, where(layer, written), label);
      given.set(key, { label, where: where(layer, written) });
    }
  }
  applyModelSettings(merged, given);
  if (merged.sparseKeep !== undefined && merged.sparseRatio !== undefined) {
    throw new ConfigError("--sparse-keep", "give --sparse-keep or --sparse-ratio (sparseKeep, sparseRatio), not both");
  }
  if (typeof merged.dataset !== "string" || merged.dataset.length === 0) {
    throw new ConfigError("dataset", "is required (a registry name such as amazon-office-products, or a folder)");
  }
  const threads = merged.threads as number;
  if (threads > maxThreads())
    throw new ConfigError(
      "threads",
      `${threads} threads is more than 4 × the ${availableParallelism()} cores of this machine` +
        ` (at most ${maxThreads()}; 0 uses every core)`,
    );
  return merged as unknown as RunConfig;
}

/**
 * Converts and checks one value (strings from the command line are parsed). `label` is how the
 * error names the option (default: its key).
 */
export function coerceOption(spec: OptionSpec, raw: unknown, source: string, label: string = spec.key): unknown {
  const fail = (reason: string): never => {
    throw new ConfigError(label, `${reason} (from ${source})`);
  };
  if (spec.nullable && (raw === null || (typeof raw === "string" && /^(none|null)$/i.test(raw.trim())))) return null;
  switch (spec.kind) {
    case "string": {
      if (typeof raw !== "string" && typeof raw !== "number")
        return fail(`expected a string, got ${JSON.stringify(raw)}`);
      const value = String(raw);
      if (value.trim() === "") fail("expected a non-empty value, got an empty string");
      if (spec.choices !== undefined && !spec.choices.includes(value)) {
        fail(`"${value}" is not one of ${spec.choices.join(", ")}`);
      }
      return value;
    }
    case "boolean": {
      if (typeof raw === "boolean") return raw;
      const word = typeof raw === "string" ? parseBooleanWord(raw) : undefined;
      if (word !== undefined) return word;
      return fail(`expected true or false, got ${JSON.stringify(raw)}`);
    }
    case "integer":
    case "number": {
      const value = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
      if (Number.isNaN(value)) return fail(`expected a number, got ${shown(raw)}`);
      // 1e400 in a YAML or JSON file arrives as Infinity (beyond float64), on the command line as "1e400".
      if (!Number.isFinite(value))
        return fail(
          `expected a finite number, got ${shown(raw)}${typeof raw === "number" ? " (beyond a float64, e.g. 1e400)" : ""}`,
        );
      if (spec.kind === "integer" && !Number.isSafeInteger(value))
        fail(`expected an integer${Number.isInteger(value) ? " of at most 2^53 − 1 in size" : ""}, got ${value}`);
      checkRange(spec, value, fail);
      return value;
    }
    case "integer-list": {
      const parts = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",").map((s) => s.trim()) : [raw];
      const values = parts.map((part) =>
        typeof part === "number" ? part : typeof part === "string" && part !== "" ? Number(part) : NaN,
      );
      if (values.length === 0 || values.some((v) => !Number.isSafeInteger(v)))
        fail(`expected a list of integers, got ${shown(raw)}`);
      for (const v of values) checkRange(spec, v, fail);
      if (new Set(values).size !== values.length) fail(`lists a value twice: ${JSON.stringify(raw)}`);
      return values;
    }
  }
}

/**
 * A value as an error shows it: JSON, but a number that overflowed (`1e400` in a YAML or JSON file
 * reads as Infinity) shown as such rather than as JSON's `null`.
 */
function shown(raw: unknown): string {
  if (typeof raw === "number") return String(raw);
  if (Array.isArray(raw)) return `[${raw.map(shown).join(",")}]`;
  return JSON.stringify(raw);
}

function checkRange(spec: OptionSpec, value: number, fail: (reason: string) => never): void {
  if (spec.min !== undefined && value < spec.min) fail(`must be ≥ ${spec.min}, got ${value}`);
  if (spec.max !== undefined && value > spec.max) fail(`must be ≤ ${spec.max}, got ${value}`);
  if (spec.above !== undefined && value <= spec.above) fail(`must be > ${spec.above}, got ${value}`);
}
