import type { ColdStartSummary, RunSummary } from "@llminit/pipeline";

/** Which benchmark produced a cell. */
export type Experiment = "paper" | "collapse" | "encoders" | "cold-items";

/** `full`: the whole training graph; `sparse`: at most `sparseKeep` training interactions per user. */
export type Setting = "full" | "sparse";

/** One point of a cell's training curve, as the run folder's log.jsonl has it. */
export interface CurvePoint {
  epoch: number;
  loss: number;
  seconds: number;
  /** Valid NDCG@10 when the epoch was validated. */
  valid?: number;
  best: boolean;
}

/** The machine a cell ran on. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
}

/** What names a cell of a grid: shared by planned cells and their recorded results. */
export interface CellIdentity {
  id: string;
  experiment: Experiment;
  dataset: string;
  model: string;
  /** none | rand | uni | var, or `full` (uni with d = D: every encoder column) in collapse. */
  init: string;
  seed: number;
  setting: Setting;
  sparseKeep?: number;
  dim: number;
  /** Encoder spec of the run (only used when init ≠ none). */
  encoder: string;
  /** The run's `--protocol` when not the default "standard" (it then names the cell too). */
  protocol?: string;
}

/**
 * One finished cell of a grid: one line of `results.jsonl`. Metrics that were NaN (a degree
 * bucket without users) are `null` in the file.
 */
export interface CellRecord extends CellIdentity {
  status: "ok" | "failed";
  error?: string;
  startedAt: string;
  /** Wall-clock seconds of the whole cell. */
  seconds: number;
  datasetStats?: RunSummary["dataset"];
  valid?: Record<string, number | null>;
  test?: Record<string, number | null>;
  testByDegree?: Array<{ bucket: string; users: number; metrics: Record<string, number | null> }>;
  epochs?: number;
  bestEpoch?: number;
  secondsPerEpoch?: number;
  backend?: string;
  /** Columns D of the encoder's vectors, when the cell encoded items. */
  encoderDimension?: number;
  machine: MachineInfo;
  curve?: CurvePoint[];
  /** Effective rank of the learned item embeddings (collapse). */
  effectiveRank?: number | null;
  /** Item cold-start results of every method (cold-items); `test`/`valid` are then the warm part. */
  coldStart?: ColdStartSummary;
  /** The resolved RunConfig, or the values given to it when resolution failed. */
  config: Record<string, unknown>;
  runDir: string;
}
