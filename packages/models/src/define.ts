/**
 * `@llminit/models/define`: write a model of your own. A model is one `defineModel({ … })` object: its name,
 * options with defaults and limits, and its loss and scoring embeddings composed from the differentiable
 * building blocks of {@link Blocks}, which both engines implement forward and backward. Train it with
 * `trainModel({ …, models: [myModel], config: { model: "my-model" } })`. The built-in models (`MODELS`) are
 * written the same way: read them as examples. Browser-safe, no TensorFlow.js types.
 */
export { defineModel } from "./model-definition.js";
export type {
  Blocks,
  Graph,
  InfoNceOptions,
  ModelBatch,
  ModelDefinition,
  ModelOption,
  ModelSettings,
  OptionValues,
  PropagateOptions,
  Propagation,
  Rows,
  Term,
  TrainingDefaults,
  ViewOptions,
} from "./model-definition.js";
export type { Augmentation } from "./augmentation.js";
export { MODELS } from "./models/index.js";
export { optionProblem } from "./model-registry.js";
