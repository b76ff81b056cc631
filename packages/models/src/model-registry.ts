import { ConfigError } from "@llminit/core";
import type { ModelDefinition, ModelOption, ModelSettings, TrainingDefaults } from "./model-definition.js";
import { MODELS } from "./models/index.js";
import type { TrainConfig } from "./types.js";

/** The settings every model has (see `TrainingDefaults`), as `TrainConfig` keys. */
export const TRAINING_KEYS: readonly (keyof TrainingDefaults)[] = [
  "dim",
  "learningRate",
  "regWeight",
  "batchSize",
  "epochs",
  "patience",
];

/** The trainer's own choices beside the model's settings (see `TrainConfig`), with their values. */
const TRAINER_CHOICES: Readonly<Record<string, readonly string[]>> = {
  negatives: ["exclude-train", "exclude-positive"],
  earlyStopping: ["strict", "recbole"],
};

/** Names of the registered models, in registry order. */
export function modelNames(): string[] {
  return MODELS.map((m) => m.name);
}

/**
 * The registered models followed by `extra` (models of the caller's own, see `TrainOptions.models`); a
 * `ConfigError` naming `models` when an extra one has no valid name or takes the name of another model.
 */
function registryWith(extra: readonly ModelDefinition[] | undefined): readonly ModelDefinition[] {
  if (extra === undefined || extra.length === 0) return MODELS;
  const all = [...MODELS];
  for (const model of extra) {
    if (all.includes(model)) continue; // a registered model itself (e.g. one of MODELS) is no conflict
    if (typeof model?.name !== "string" || !/^[a-z][a-z0-9-]*$/.test(model.name))
      throw new ConfigError(
        "models",
        `a model's name must be lower case letters, digits and "-", got ${JSON.stringify(model?.name)}`,
      );
    if (all.some((m) => m.name === model.name))
      throw new ConfigError(
        "models",
        `a model named ${JSON.stringify(model.name)} is already registered; give yours another name`,
      );
    all.push(model);
  }
  return all;
}

/**
 * The model called `name` among the registered ones (and `extra`, see `TrainOptions.models`); a `ConfigError`
 * naming `config.model` and the known models otherwise.
 */
export function getModel(name: string, extra?: readonly ModelDefinition[]): ModelDefinition {
  const models = registryWith(extra);
  const found = models.find((m) => m.name === name);
  if (found === undefined)
    throw new ConfigError(
      "config.model",
      `unknown model ${JSON.stringify(name)}; expected one of ${models.map((m) => JSON.stringify(m.name)).join(", ")}`,
    );
  return found;
}

/** Every model's complete default configuration, by name: `{ ...modelDefaults.sgl, augmentation: "nd" }`. */
export const modelDefaults: Readonly<Record<string, TrainConfig>> = Object.fromEntries(
  MODELS.map((m) => [
    m.name,
    {
      model: m.name,
      ...m.defaults,
      ...Object.fromEntries(Object.entries(m.options).map(([key, spec]) => [key, spec.default])),
    },
  ]),
);

/** Why `value` is not a valid value of `spec`, or undefined when it is. */
export function optionProblem(spec: Omit<ModelOption, "default" | "help">, value: unknown): string | undefined {
  if (spec.kind === "string") {
    if (typeof value !== "string") return `expected a string, got ${JSON.stringify(value)}`;
    if (spec.choices !== undefined && !spec.choices.includes(value))
      return `"${value}" is not one of ${spec.choices.join(", ")}`;
    return undefined;
  }
  if (typeof value !== "number" || !Number.isFinite(value))
    return `expected a finite number, got ${JSON.stringify(value)}`;
  if (spec.kind === "integer" && !Number.isInteger(value)) return `expected an integer, got ${value}`;
  if (spec.min !== undefined && value < spec.min) return `must be ≥ ${spec.min}, got ${value}`;
  if (spec.max !== undefined && value > spec.max) return `must be ≤ ${spec.max}, got ${value}`;
  if (spec.above !== undefined && value <= spec.above) return `must be > ${spec.above}, got ${value}`;
  if (spec.below !== undefined && value >= spec.below) return `must be < ${spec.below}, got ${value}`;
  return undefined;
}

/** Options of any of `models`, with the models that take each. */
function optionOwners(models: readonly ModelDefinition[]): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const m of models)
    for (const key of Object.keys(m.options)) owners.set(key, [...(owners.get(key) ?? []), m.name]);
  return owners;
}

/**
 * The model of `config` and its settings: the model's defaults under the values `config` gives.
 * Checks every value it uses (`ConfigError` naming `config.<key>`); keys that are options of other
 * models are ignored, keys of no model are an error. `extra`: models beside the registered ones
 * (`TrainOptions.models`).
 */
export function resolveTrainConfig(
  config: TrainConfig,
  extra?: readonly ModelDefinition[],
): { model: ModelDefinition; settings: ModelSettings } {
  const model = getModel(config.model, extra);
  const owners = optionOwners(registryWith(extra));
  for (const [key, choices] of Object.entries(TRAINER_CHOICES)) {
    const value = config[key];
    if (value !== undefined && !choices.includes(value as string))
      throw new ConfigError(
        `config.${key}`,
        `must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}, got ${JSON.stringify(value)}`,
      );
  }
  for (const key of Object.keys(config)) {
    if (key === "model" || key === "evalEvery" || key in TRAINER_CHOICES) continue;
    if ((TRAINING_KEYS as readonly string[]).includes(key)) continue;
    if (!owners.has(key))
      throw new ConfigError(
        `config.${key}`,
        `is not an option of any model (${model.name} takes ${[...TRAINING_KEYS, ...Object.keys(model.options)].join(", ")})`,
      );
  }
  const settings: Record<string, number | string> = { ...model.defaults };
  for (const key of TRAINING_KEYS) if (config[key] !== undefined) settings[key] = config[key] as number;
  const positive = ["dim", "batchSize", "patience"];
  for (const key of TRAINING_KEYS) {
    const v = settings[key];
    const integer = key !== "learningRate" && key !== "regWeight";
    const problem = optionProblem(
      {
        kind: integer ? "integer" : "number",
        ...(positive.includes(key) ? { min: 1 } : key === "learningRate" ? { above: 0 } : { min: 0 }),
      },
      v,
    );
    if (problem !== undefined) throw new ConfigError(`config.${key}`, problem);
  }
  for (const [key, spec] of Object.entries(model.options)) {
    const value = config[key] ?? spec.default;
    const problem = optionProblem(spec, value);
    if (problem !== undefined) throw new ConfigError(`config.${key}`, problem);
    settings[key] = value as number | string;
  }
  const failed = model.check?.(settings as ModelSettings);
  if (failed !== undefined) throw new ConfigError(`config.${failed.option}`, failed.problem);
  return { model, settings: settings as ModelSettings };
}

/**
 * The scoring embedding of an item without edges per unit of its ego row, for the model and
 * settings of `config` (see `ModelDefinition.isolatedScale`): what item cold-start's `direct`
 * method scales a new item's ego row by.
 */
export function isolatedItemScale(config: TrainConfig): number {
  const { model, settings } = resolveTrainConfig(config);
  return model.isolatedScale(settings);
}
