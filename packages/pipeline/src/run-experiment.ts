import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import {
  createRng,
  csrColumnDegrees,
  gatherRows,
  csrRowDegrees,
  silentLogger,
  silentProgress,
  type Csr,
  type Logger,
  type Matrix,
  type ProgressReporter,
} from "@llminit/core";
import { sparsifyTrain, type StageStats } from "@llminit/data";
import {
  ACCURACY_METRICS,
  BEYOND_ACCURACY_METRICS,
  createKernelRanking,
  evaluateFullRanking,
  type EvaluationResult,
  type MetricGroup,
} from "@llminit/metrics";
import {
  trainModel,
  type EngineName,
  type EpochRecord,
  type Embeddings,
  type Initializer,
  type TrainConfig,
} from "@llminit/models";
import { llminitInit } from "@llminit/selection";
import { holdOutColdItems } from "./cold-items-split.js";
import { finishColdStart, type ColdStartSummary } from "./cold-start-run.js";
import { encodeItems, type EncodingSummary } from "./encode-items.js";
import { trainConfigOf } from "./model-options.js";
import { prepareFromConfig } from "./prepare-from-config.js";
import { PROTOCOLS, type ProtocolName } from "./protocol.js";
import { absolutePaths } from "./absolute-paths.js";
import { checkEncoderSpec } from "./check-inputs.js";
import { checkItemTexts } from "./check-item-texts.js";
import { checkRunLimits } from "./check-run-limits.js";
import { checkOutputPath } from "./output-path.js";
import {
  checkRunFolder,
  defaultRunDir,
  freshRunDir,
  prepareRunFolder,
  type RunFolder,
  type RunFolderOptions,
} from "./run-folder.js";
import type { RunConfig } from "./run-config.js";
import { checkpointFingerprint, CheckpointWriter, loadTrainingCheckpoint } from "./training-checkpoint.js";
import { USER_METRICS_DIR, writeUserMetrics } from "./user-metrics-file.js";

/** Hooks a caller (CLI, benchmark, test) passes to observe a run. */
export interface RunHooks {
  logger?: Logger;
  progress?: ProgressReporter;
  onEpoch?: (record: EpochRecord) => void;
  signal?: AbortSignal;
  /**
   * How to treat an existing `out` folder: by default one that holds files is refused;
   * `overwrite` replaces a previous run's files once the new run is validated; `resume`
   * continues the run in it from its newest training checkpoint (see `resumeExperiment`, which
   * reads the configuration from the folder and names `--resume` as the `option`).
   */
  folder?: Pick<RunFolderOptions, "overwrite" | "resume" | "command" | "option">;
  /**
   * Called once the run holds its folder (locked, before anything is written in it), so that a
   * caller can release the lock on a signal and say where the run can be resumed.
   */
  onFolder?: (folder: RunFolder) => void;
}

/** Everything a run reports; also written to `metrics.json` in the run folder. */
export interface RunSummary {
  /** After filtering; `train` is after the sparse setting when one is set. */
  dataset: {
    name: string;
    users: number;
    items: number;
    interactions: number;
    train: number;
    valid: number;
    test: number;
  };
  stats: StageStats[];
  model: string;
  init: string;
  /** The evaluation and sampling protocol (see `PROTOCOLS`). */
  protocol: ProtocolName;
  /** What the trainer ran with: the model and its settings (the run's values over the model's defaults). */
  trainConfig: TrainConfig;
  /** The training engine: "kernels" (wasm SIMD) or "tfjs". */
  engine: EngineName;
  /** What ran the arithmetic: "kernels (wasm SIMD, N threads)" or the tfjs backend. */
  backend: string;
  encoder?: EncodingSummary;
  selectedColumns?: number[];
  epochs: number;
  bestEpoch: number;
  stoppedEarly: boolean;
  secondsPerEpoch: number;
  valid: Record<string, number>;
  test: Record<string, number>;
  testByDegree: MetricGroup[];
  /** Per-user valid and test metrics in the run folder (see `writeUserMetrics`). */
  userMetricsDir: string;
  /** Item cold-start results (runs with `coldItems`); `dataset`, `valid` and `test` are then the warm part. */
  coldStart?: ColdStartSummary;
  seconds: { total: number; data: number; encode: number; train: number; evaluate: number };
  machine: { cpus: number; cpuModel: string; node: string; platform: string };
  runDir: string;
}

const VALID_METRIC = "ndcg@10";
/** The final evaluations: accuracy, then novelty, popularity (ARP) and coverage. */
const FINAL_METRICS = [...ACCURACY_METRICS, ...BEYOND_ACCURACY_METRICS];

/** Where a run folder keeps its training checkpoints (removed once metrics.json is written). */
export const TRAINING_CHECKPOINT_DIR = "checkpoint/training";

/**
 * One LLMInit experiment: load → filter → split → (encode → select → initialise) → train with
 * early stopping on valid NDCG@10 → full-ranking test. Writes the run folder as it goes, with a
 * training checkpoint after every epoch. `hooks.folder.resume`: continue the run in `config.out`
 * from its newest checkpoint, under the folder's lock (see `resumeExperiment`).
 */
export async function runExperiment(given: RunConfig, hooks: RunHooks = {}): Promise<RunSummary> {
  // Recorded in config.json as it is used: with absolute paths, so that it replays from anywhere.
  const config = absolutePaths(given);
  const logger = hooks.logger ?? silentLogger;
  const progress = hooks.progress ?? silentProgress;
  const started = performance.now();
  const rng = createRng(config.seed);

  // Everything that can be checked is checked before the run folder exists, so that a refused
  // run leaves nothing behind: the folder and cache paths, then (with the data) the limits.
  const dir = resolve(config.out ?? freshRunDir(defaultRunDir(config.dataset, config.model, config.init)));
  const folderOptions: RunFolderOptions = { ...hooks.folder, logger };
  checkRunFolder(dir, folderOptions);
  if (config.init !== "none" || config.coldItems !== undefined) {
    checkEncoderSpec(config.encoder);
    if (config.cacheDir !== undefined) checkOutputPath("--cache-dir", config.cacheDir, "folder");
  }

  const prepared = await prepareFromConfig(config, rng, { logger, progress });
  if ((config.init !== "none" || config.coldItems !== undefined) && !config.encoder.startsWith("file:"))
    checkItemTexts(prepared, config.init === "none" ? "--cold-items" : `an LLM init (--init ${config.init})`);
  const cold =
    config.coldItems === undefined
      ? undefined
      : holdOutColdItems(prepared.split, { ratio: config.coldItems, rng: rng.child("cold-items"), logger });
  const base = cold?.warm ?? prepared.split;
  const split =
    config.sparseKeep === undefined && config.sparseRatio === undefined
      ? base
      : {
          ...base,
          // The sparse setting: the model only ever sees the thinned training graph (init, training,
          // masking, degree buckets); validation and test stay as they are.
          train: sparsifyTrain(base.train, {
            keep: config.sparseKeep,
            ratio: config.sparseRatio,
            rng: rng.child("sparse"),
            logger,
          }),
        };
  const shape = {
    users: split.users.size,
    items: split.items.size,
    trainPairs: split.train.indices.length,
    coldTestItems: cold?.coldTestItems.length,
  };
  checkRunLimits(config, shape, { logger });
  const dataSeconds = (performance.now() - started) / 1000;

  let initializer: Initializer = { kind: "xavier" };
  let encoder: EncodingSummary | undefined;
  let selectedColumns: number[] | undefined;
  // Encoder vectors of every item of the prepared split (warm and cold), when the run encodes.
  let vectors: Matrix | undefined;
  const encodeStarted = performance.now();
  if (config.init !== "none" || cold !== undefined) {
    const encoded = await encodeItems(prepared, config, { logger, progress, signal: hooks.signal });
    encoder = encoded.summary;
    vectors = encoded.matrix;
  }
  if (vectors !== undefined && config.init !== "none") {
    const init = llminitInit(cold === undefined ? vectors : gatherRows(vectors, cold.warmItems), split.train, {
      strategy: config.init,
      dim: config.dim,
      rng: rng.child("init"),
      normalize: config.normalize,
      popularRatio: config.popularRatio,
      withReplacement: config.withReplacement,
    });
    selectedColumns = Array.from(init.columns);
    initializer = { kind: "pretrained", user: init.user, item: init.item };
  }
  const encodeSeconds = (performance.now() - encodeStarted) / 1000;

  const resume = folderOptions.resume === true;
  const folder = await prepareRunFolder(dir, folderOptions);
  hooks.onFolder?.(folder);
  if (resume && existsSync(folder.path("config.json"))) {
    // Keep what the killed run wrote; its config.json is the one this run was read from.
    logger.log("info", "resuming run folder", { dir: folder.dir });
  } else {
    // The folder is where the record lives: `out` is left out so that replaying config.json
    // (`--config DIR/config.json`) starts a new run instead of targeting this one.
    const { out: _out, ...recorded } = config;
    await folder.writeJson("config.json", recorded);
    logger.log("info", "run folder", {
      dir: folder.finalDir,
      ...(folder.staged ? { until: `complete, written to ${folder.dir}` } : {}),
    });
  }

  try {
    const numUsers = split.users.size;
    const numItems = split.items.size;
    let evaluateSeconds = 0;
    const threads = config.threads === 0 ? "auto" : config.threads;
    // One ranking (worker threads and buffers) for every evaluation of the run.
    const ranking = createKernelRanking({ threads });
    const evaluate = async (
      embeddings: Embeddings,
      truth: Csr,
      exclude: Csr[],
      full: boolean,
    ): Promise<EvaluationResult> => {
      const t0 = performance.now();
      const result = await evaluateFullRanking({
        numUsers,
        numItems,
        rank: ranking.ranker(embeddings.user, embeddings.item),
        truth,
        exclude,
        metrics: full ? FINAL_METRICS : ["ndcg"],
        ks: full ? config.ks : [10],
        chunkSize: config.evalChunk,
        userDegrees: full ? csrRowDegrees(split.train) : undefined,
        itemPopularity: full ? csrColumnDegrees(split.train) : undefined,
        perUser: full,
        signal: hooks.signal,
      });
      evaluateSeconds += (performance.now() - t0) / 1000;
      return result;
    };

    const protocol = PROTOCOLS[config.protocol];
    const trainConfig: TrainConfig = { ...trainConfigOf(config), ...protocol.training };
    const fingerprint = checkpointFingerprint(config.model, split.train, config.dim);
    const checkpointDir = folder.path(TRAINING_CHECKPOINT_DIR);
    // Read under the lock: no other writer can change the checkpoints meanwhile.
    const resumeFrom = resume ? await loadTrainingCheckpoint(checkpointDir, fingerprint, logger) : undefined;
    if (resume) {
      if (resumeFrom === undefined && config.epochs > 0)
        logger.log("warn", "no training checkpoint in the run folder: training from the first epoch", {
          dir: checkpointDir,
        });
      // The log holds exactly the checkpoint's epochs: a line written after it is written again.
      await folder.rewriteLog(resumeFrom?.history ?? []);
    } else {
      await rm(checkpointDir, { recursive: true, force: true });
    }
    const checkpoints = new CheckpointWriter(checkpointDir, fingerprint);
    const trainStarted = performance.now();
    let result: Awaited<ReturnType<typeof trainModel>>;
    let valid: EvaluationResult;
    let test: EvaluationResult;
    let trainSeconds: number;
    try {
      result = await trainModel({
        train: split.train,
        config: trainConfig,
        init: initializer,
        rng: rng.child("train"),
        engine: config.engine,
        threads,
        backend: config.backend,
        validate: async (embeddings) =>
          (await evaluate(embeddings, split.valid, protocol.validExclude(split), false)).metrics[VALID_METRIC],
        onEpoch: (record) => {
          folder.appendLog(record);
          hooks.onEpoch?.(record);
        },
        onCheckpoint: (checkpoint) => checkpoints.save(checkpoint),
        resumeFrom,
        progress,
        logger,
        signal: hooks.signal,
      });
      trainSeconds = (performance.now() - trainStarted) / 1000 - evaluateSeconds;
      valid = await evaluate(result.final, split.valid, protocol.validExclude(split), true);
      test = await evaluate(result.final, split.test, protocol.testExclude(split), true);
    } finally {
      ranking.dispose();
    }

    await folder.writeMatrix("user.npy", result.final.user);
    await folder.writeMatrix("item.npy", result.final.item);
    await folder.writeMatrix("checkpoint/user.npy", result.ego.user);
    await folder.writeMatrix("checkpoint/item.npy", result.ego.item);
    await folder.writeIds("users.txt", split.users.toArray());
    await folder.writeIds("items.txt", split.items.toArray());
    await folder.writeCsr("checkpoint/train", split.train);
    await folder.writeCsr("checkpoint/valid", split.valid);
    const userIds = split.users.toArray();
    const trainDegrees = csrRowDegrees(split.train);
    for (const [name, evaluation] of [
      ["valid", valid],
      ["test", test],
    ] as const) {
      if (evaluation.perUser !== undefined)
        await writeUserMetrics(folder.dir, name, evaluation.perUser, userIds, trainDegrees);
    }
    const coldStart =
      vectors === undefined || encoder === undefined
        ? undefined
        : await finishColdStart({
            ...{ folder, config, vectors, cold, split, selectedColumns, logger, signal: hooks.signal },
            final: result.final,
            itemTexts: prepared.itemTexts,
            textTemplate: prepared.textTemplate,
            rng: rng.child("cold-start"),
          });

    const cpuList = cpus();
    const summary: RunSummary = {
      dataset: {
        name: prepared.name,
        users: numUsers,
        items: numItems,
        interactions: base.train.indices.length + split.valid.indices.length + split.test.indices.length,
        train: split.train.indices.length,
        valid: split.valid.indices.length,
        test: split.test.indices.length,
      },
      stats: prepared.stats,
      model: config.model,
      init: config.init,
      protocol: config.protocol,
      trainConfig,
      engine: result.engine,
      backend: result.backend,
      encoder,
      selectedColumns,
      epochs: result.epochsRun,
      bestEpoch: result.bestEpoch,
      stoppedEarly: result.stoppedEarly,
      secondsPerEpoch: result.secondsPerEpoch,
      valid: valid.metrics,
      test: test.metrics,
      testByDegree: test.byDegree,
      userMetricsDir: join(folder.finalDir, USER_METRICS_DIR),
      ...(coldStart === undefined ? {} : { coldStart }),
      seconds: {
        total: (performance.now() - started) / 1000,
        data: dataSeconds,
        encode: encodeSeconds,
        train: trainSeconds,
        evaluate: evaluateSeconds,
      },
      machine: {
        cpus: cpuList.length,
        cpuModel: cpuList[0]?.model ?? "unknown",
        node: process.version,
        platform: process.platform,
      },
      runDir: folder.finalDir,
    };
    await folder.writeJson("metrics.json", summary);
    // A finished run is not resumed: its training checkpoints have served.
    await rm(checkpointDir, { recursive: true, force: true });
    await folder.commit();
    return summary;
  } finally {
    folder.release();
  }
}
