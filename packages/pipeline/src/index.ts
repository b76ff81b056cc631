export { RUN_OPTIONS, resolveRunConfig, coerceOption } from "./run-config.js";
export type { RunConfig, InitName, OptionSpec } from "./run-config.js";
export { runExperiment } from "./run-experiment.js";
export type { RunHooks, RunSummary } from "./run-experiment.js";
export { encodeDataset, idsPathFor } from "./encode-dataset.js";
export type { EncodingSummary } from "./encode-items.js";
export { recommendFromRun } from "./recommend-from-run.js";
export type { Recommendation } from "./recommend-from-run.js";
export { defaultRunDir, RunFolder } from "./run-folder.js";
