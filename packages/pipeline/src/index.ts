export { RUN_OPTIONS, resolveRunConfig, coerceOption } from "./run-config.js";
export type { RunConfig, InitName, OptionSpec, ConfigLayer } from "./run-config.js";
export { listModels, otherModelsOptions } from "./model-options.js";
export type { ModelListing, ModelSettingListing } from "./model-options.js";
export { runExperiment, TRAINING_CHECKPOINT_DIR } from "./run-experiment.js";
export { deterministicSummary, resumeExperiment, RESUME_OPTIONS } from "./resume-experiment.js";
export type { ResumeOutcome, ResumeOverrides } from "./resume-experiment.js";
export { CheckpointWriter, checkpointFingerprint, loadTrainingCheckpoint } from "./training-checkpoint.js";
export type { CheckpointFingerprint, CheckpointStep, CheckpointWriteOptions } from "./training-checkpoint.js";
export type { RunHooks, RunSummary } from "./run-experiment.js";
export { encodeDataset, idsPathFor } from "./encode-dataset.js";
export type { EncodingSummary } from "./encode-items.js";
export { recommendFromRun } from "./recommend-from-run.js";
export type { Recommendation } from "./recommend-from-run.js";
export { PROTOCOLS } from "./protocol.js";
export type { EvaluationProtocol, ProtocolName } from "./protocol.js";
export { readUserMetrics, writeUserMetrics, USER_METRICS_DIR } from "./user-metrics-file.js";
export type { UserMetricsTable } from "./user-metrics-file.js";
export {
  defaultRunDir,
  RunFolder,
  RUN_ENTRIES,
  checkRunFolder,
  prepareRunFolder,
  runFolderProblem,
  stagingDir,
} from "./run-folder.js";
export type { RunFolderOptions } from "./run-folder.js";
export { acquireFolderLock, LOCK_FILE } from "./folder-lock.js";
export type { FolderLock, LockHolder, LockOptions } from "./folder-lock.js";
export { checkOutputPath, createFolders, removeFolders, describeFsError } from "./output-path.js";
export { checkRunLimits, estimateRunMemory } from "./check-run-limits.js";
export type { RunShape, MemoryPart } from "./check-run-limits.js";
export { checkEncoderSpec, checkDataset } from "./check-inputs.js";
export { checkItemTexts } from "./check-item-texts.js";
export { absolutePaths } from "./absolute-paths.js";
export { prepareFromConfig } from "./prepare-from-config.js";
export { holdOutColdItems } from "./cold-items-split.js";
export type { ColdItemsSplit, ColdItemsOptions } from "./cold-items-split.js";
export { COLD_START_METHODS, coldStartSpace } from "./cold-start-methods.js";
export type { ColdStartMethod, ColdStartContext, ScoringSpace } from "./cold-start-methods.js";
export type { ColdStartSummary, ColdMethodResult } from "./cold-start-run.js";
export type { ColdStartModelFile, KnnChoice, MapChoice } from "./cold-start-files.js";
export { ridgePath, applyRidgeMap, RIDGE_RELATIVE_GRID } from "./ridge-map.js";
export type { RidgeMap, RidgePath } from "./ridge-map.js";
export { readNewItems } from "./read-new-items.js";
export type { NewItem } from "./read-new-items.js";
export { openRecommender, scoreNewItems } from "./open-recommender.js";
export type { Recommender, RecommenderOptions } from "./open-recommender.js";
