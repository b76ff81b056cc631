export { main, seedList, DEFAULT_SEEDS, DEFAULT_DATASETS, DEFAULT_SPARSE_KEEP, DEFAULT_COLLAPSE_DIMS } from "./main.js";
export type { BenchIo, BenchDeps } from "./main.js";
export { effectiveRank, singularValues, jacobiEigenvalues, gramMatrix } from "./effective-rank.js";
export { meanStd, formatMeanStd, formatImprovement } from "./mean-std.js";
export type { MeanStd } from "./mean-std.js";
export { planGrid, planFullCells, cellId } from "./plan-grid.js";
export type { PlannedCell, GridAxes } from "./plan-grid.js";
export { runGrid, readCurve } from "./run-grid.js";
export type { GridContext, GridOutcome } from "./run-grid.js";
export { readResults, appendResult, latestById } from "./results-file.js";
export { buildReportModel, protocolLine, reportKs, tableMetrics, TABLE_METRICS } from "./report-model.js";
export type { ReportModel, MetricTable, RankTable, ChartSpec } from "./report-model.js";
export { renderMarkdown } from "./report-markdown.js";
export { renderHtml } from "./report-html.js";
export { lineChart, barChart } from "./svg-charts.js";
export { writeReports } from "./write-reports.js";
export { findDataDir, findRepoRoot } from "./find-data-dir.js";
export type { CellRecord, CurvePoint, Experiment, MachineInfo, Setting } from "./types.js";
export { speedCommand, DEFAULT_SPEED_GRAPHS, SPEED_USAGE } from "./speed-command.js";
export { generatePowerLawGraph } from "./power-law-graph.js";
export type { PowerLawGraph, PowerLawGraphOptions } from "./power-law-graph.js";
export { measureOurs, heldOutTruth } from "./speed-ours.js";
export type { OurMeasurement, SpeedSettings } from "./speed-ours.js";
export { runTorchSpeed, speedTorchScript, DEFAULT_PYTHON, TORCH_ABSENT_TEXT } from "./speed-torch.js";
export type { TorchMeasurement, TorchOutcome, TorchRunOptions } from "./speed-torch.js";
export { renderSpeedMarkdown, ratio, TARGETS } from "./speed-report.js";
export type { SpeedReport, SpeedGraph } from "./speed-report.js";
export { pairedComparison, holmAdjust } from "./paired-comparison.js";
export type { PairedComparison } from "./paired-comparison.js";
export { studentTTwoSidedP, regularizedIncompleteBeta, logGamma } from "./student-t.js";
export { loadUserMetrics, testAgainstBaseline, correctTable, SIGNIFICANCE_LEVEL } from "./significance.js";
export type { CellTest, UserMetricsByCell } from "./significance.js";
export { scaleCommand, SCALE_SIZES, SCALE_USAGE, sampleTruthUsers, modelBytes } from "./scale-command.js";
export { measureScaleOurs } from "./scale-ours.js";
export type { ScaleOurs, ScaleSettings } from "./scale-ours.js";
export { renderScaleMarkdown, renderScaleChart, deriveScale, SCALE_TARGETS } from "./scale-report.js";
export type { ScaleReport, ScaleSize, ScaleDerived } from "./scale-report.js";
export {
  checkpointCommand,
  renderCheckpointMarkdown,
  CHECKPOINT_TARGET,
  CHECKPOINT_USAGE,
} from "./checkpoint-command.js";
export type { CheckpointCostReport } from "./checkpoint-command.js";
export { resumeCommand, renderResumeMarkdown, RESUME_USAGE } from "./resume-command.js";
export type { ResumePair } from "./resume-command.js";
export {
  oversubscriptionCommand,
  renderOversubscriptionMarkdown,
  OVERSUBSCRIPTION_TARGET,
  OVERSUBSCRIPTION_USAGE,
} from "./oversubscription-command.js";
export type { OversubscriptionReport } from "./oversubscription-command.js";
