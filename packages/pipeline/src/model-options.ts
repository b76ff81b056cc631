import { ConfigError } from "@llminit/core";
import { getModel } from "@llminit/models";
import type { TrainConfig } from "@llminit/models";
import { MODELS, optionProblem } from "@llminit/models/define";
import type { ModelOption } from "@llminit/models/define";
import type { OptionSpec } from "./run-config.js";

/** Settings every model has; each model's file gives its defaults (`llminit models` lists them). */
const TRAINING: readonly (Omit<ModelOption, "default"> & { key: string })[] = [
  { key: "dim", kind: "integer", min: 1, help: "embedding size d" },
  { key: "learningRate", kind: "number", above: 0, help: "Adam learning rate" },
  { key: "regWeight", kind: "number", min: 0, help: "λ of the L2 term on the batch's ego embeddings" },
  { key: "batchSize", kind: "integer", min: 1, help: "training pairs per step" },
  { key: "epochs", kind: "integer", min: 0, help: "maximum epochs (0: evaluate the initialisation untrained)" },
  { key: "patience", kind: "integer", min: 1, help: "early stopping patience on valid NDCG@10" },
];

/** One model setting or option as `llminit models` shows it. */
export interface ModelSettingListing extends ModelOption {
  key: string;
  /** True for the settings every model has (dim, learningRate, …), false for the model's own options. */
  shared: boolean;
}

/** A registered model as `llminit models` shows it. */
export interface ModelListing {
  name: string;
  title: string;
  summary: string;
  reference: string;
  /** Whether training draws a negative item per pair. */
  negatives: boolean;
  settings: ModelSettingListing[];
}

/** Every registered model with its settings and defaults, from the model files. */
export function listModels(): ModelListing[] {
  return MODELS.map((m) => ({
    name: m.name,
    title: m.title,
    summary: m.summary,
    reference: m.reference,
    negatives: m.negatives,
    settings: [
      ...TRAINING.map((t) => ({ ...t, default: m.defaults[t.key as keyof typeof m.defaults], shared: true })),
      ...Object.entries(m.options).map(([key, spec]) => ({ key, ...spec, shared: false })),
    ],
  }));
}

/** Option key → the models that take it, with their defaults. */
function optionOwners(): Map<string, { model: string; spec: ModelOption }[]> {
  const owners = new Map<string, { model: string; spec: ModelOption }[]>();
  for (const m of MODELS)
    for (const [key, spec] of Object.entries(m.options))
      owners.set(key, [...(owners.get(key) ?? []), { model: m.name, spec }]);
  return owners;
}

/**
 * Defaults per model: `128` when all agree (`2: lightgcn, sgl` for an option some models take),
 * else `sgl 0.2, x 0.1`.
 */
function defaultsText(pairs: { model: string; value: number | string }[], everyModel: boolean): string {
  if (new Set(pairs.map((p) => p.value)).size > 1) return pairs.map((p) => `${p.model} ${p.value}`).join(", ");
  return everyModel ? String(pairs[0].value) : `${pairs[0].value}: ${pairs.map((p) => p.model).join(", ")}`;
}

/**
 * The run options that come from the model registry: `model`, the settings every model has
 * (their defaults are the chosen model's) and every model's own options. Their values are
 * checked against the chosen model by {@link applyModelSettings}.
 */
export function modelRunOptions(): OptionSpec[] {
  const names = MODELS.map((m) => m.name);
  const model: OptionSpec = {
    key: "model",
    kind: "string",
    default: "lightgcn",
    choices: names,
    help: "CF backbone (llminit models lists each with its options)",
  };
  const training = TRAINING.map(({ key, kind, min, above, help }): OptionSpec => ({
    key,
    kind,
    ...(min === undefined ? {} : { min }),
    ...(above === undefined ? {} : { above }),
    help: `${help} [${defaultsText(
      MODELS.map((m) => ({ model: m.name, value: m.defaults[key as keyof typeof m.defaults] })),
      true,
    )}]`,
  }));
  const own = [...optionOwners()].map(([key, owners]): OptionSpec => {
    const choices = [...new Set(owners.flatMap((o) => o.spec.choices ?? []))];
    return {
      key,
      kind: owners[0].spec.kind,
      ...(choices.length === 0 ? {} : { choices }),
      help: `${owners[0].spec.help} [${defaultsText(
        owners.map((o) => ({ model: o.model, value: o.spec.default })),
        false,
      )}]`,
      models: owners.map((o) => o.model),
    };
  });
  return [model, ...training, ...own];
}

/** How errors name an option a configuration layer gave: `--sgl-weight` or the key as written, and where. */
export interface GivenOption {
  label: string;
  /** The layer, e.g. "command line" or "run.yaml:3". */
  where: string;
}

/**
 * Completes a merged run configuration for its model, in place: an option of other models only
 * is an error, the chosen model's options are checked against its own limits, and every setting
 * not given takes the model's default. `given` says how to name each given value in errors.
 */
export function applyModelSettings(merged: Record<string, unknown>, given: ReadonlyMap<string, GivenOption>): void {
  const model = getModel(String(merged.model));
  const fail = (key: string, reason: string): never => {
    const option = given.get(key);
    throw new ConfigError(option?.label ?? key, `${reason} (from ${option?.where ?? "the model's defaults"})`);
  };
  for (const [key, owners] of optionOwners()) {
    if (merged[key] === undefined || key in model.options) continue;
    fail(key, `is an option of ${owners.map((o) => o.model).join(", ")}, not of ${model.name}`);
  }
  for (const [key, spec] of Object.entries(model.options)) {
    if (merged[key] === undefined) {
      merged[key] = spec.default;
      continue;
    }
    const reason = optionProblem(spec, merged[key]);
    if (reason !== undefined) fail(key, `${reason} for ${model.name}`);
  }
  for (const { key } of TRAINING) merged[key] ??= model.defaults[key as keyof typeof model.defaults];
  const failed = model.check?.(merged as unknown as Parameters<NonNullable<typeof model.check>>[0]);
  if (failed !== undefined) fail(failed.option, `${failed.problem} for ${model.name}`);
}

/** The keys of `values` that are options of registered models other than `model` (the bench drops them per cell). */
export function otherModelsOptions(model: string, values: Readonly<Record<string, unknown>>): string[] {
  const own = getModel(model).options;
  const owners = optionOwners();
  return Object.keys(values).filter((key) => owners.has(key) && !(key in own));
}

/** The trainer's configuration of a resolved run: the model, its settings and its own options. */
export function trainConfigOf(config: Readonly<Record<string, unknown>>): TrainConfig {
  const model = getModel(String(config.model));
  const keys = [...TRAINING.map((t) => t.key), ...Object.keys(model.options)];
  return {
    model: model.name,
    ...Object.fromEntries(keys.map((key) => [key, config[key] as number | string])),
  };
}
