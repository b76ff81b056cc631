import { createRng } from "@llminit/core";
import type { Csr, ProgressReporter } from "@llminit/core";
import { createKernelRanking, evaluateFullRanking } from "@llminit/metrics";
import { kernelEngineMemory, modelDefaults, trainModel } from "@llminit/models";
import type { TrainConfig } from "@llminit/models";
import { median, randomMatrix } from "./speed-ours.js";

/** What `bench scale` times, on both sides. */
export interface ScaleSettings {
  dim: number;
  layers: number;
  batchSize: number;
  topK: number;
  /** Untimed training steps first (V8 and wasm tiering, caches). */
  warmupSteps: number;
  /** Timed full-batch steps, at least … */
  steps: number;
  /** … and at least this many seconds of them. */
  minStepSeconds: number;
  /** Timed evaluations of the user sample (median), after `evalWarmups` untimed ones. */
  evalRepeats: number;
  evalWarmups: number;
  chunkSize: number;
  seed: number;
  /** Threads of the kernels (and of PyTorch). */
  threads: number;
}

/** Our side's measurements on one graph. */
export interface ScaleOurs {
  /** trainModel from its call to its first step: adjacency, shared-sums plan, engine. */
  setupSeconds: number;
  trainStepMs: number;
  timedSteps: number;
  stepsPerEpoch: number;
  /** stepsPerEpoch × the median step. */
  trainEpochSeconds: number;
  /** Median seconds to rank the user sample (`evalUsers` users) against every item. */
  evalSampleSeconds: number;
  evalUsers: number;
  /** Recall@K of the random embeddings (a check that the ranking ran, not a quality figure). */
  evalRecall: number;
  /** Peak RSS of the process (MiB) and its RSS when the measurement started (MiB). */
  peakRssMiB: number;
  startRssMiB: number;
  /** The kernels engine's wasm memory for this run (kernelEngineMemory, bytes). */
  wasmBytes: number;
  backend: string;
}

/** Thrown through trainModel's abort signal once the timed steps are done. */
class StepsDone extends Error {}

function maxRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * Times LightGCN training steps through `trainModel` as training runs them (negative sampling,
 * full propagation, backward, Adam; per-step progress ticks) and stops it once `warmupSteps` +
 * `steps` steps and `minStepSeconds` of timed steps are done; then ranks `truth`'s users (a
 * fixed sample) against every item with the kernel ranking on random d-dim embeddings, train
 * masked, top-K.
 */
export async function measureScaleOurs(train: Csr, truth: Csr, settings: ScaleSettings): Promise<ScaleOurs> {
  const startRssMiB = process.memoryUsage().rss / 2 ** 20;
  const rng = createRng(settings.seed).child("scale");
  const interactions = train.indptr[train.rows];
  const stepsPerEpoch = Math.ceil(interactions / settings.batchSize);
  const stepMs: number[] = [];
  const controller = new AbortController();
  const started = performance.now();
  let firstStep = Number.NaN;
  let timedStart = Number.NaN;
  let stepsDone = 0;
  const partialLast = interactions % settings.batchSize !== 0;
  const progress: ProgressReporter = {
    begin() {
      let last = performance.now();
      if (Number.isNaN(firstStep)) firstStep = last;
      if (Number.isNaN(timedStart) && settings.warmupSteps === 0) timedStart = last;
      let step = 0;
      return {
        tick() {
          const now = performance.now();
          // Warm-up steps first; an epoch's last step may be a partial batch: only full ones are timed.
          if (stepsDone >= settings.warmupSteps && !(partialLast && step === stepsPerEpoch - 1))
            stepMs.push(now - last);
          stepsDone++;
          step++;
          if (stepsDone === settings.warmupSteps) timedStart = now;
          last = now;
          if (stepMs.length >= settings.steps && now - timedStart >= 1000 * settings.minStepSeconds)
            controller.abort(new StepsDone());
        },
        end() {},
      };
    },
  };
  const config = {
    ...modelDefaults.lightgcn,
    model: "lightgcn",
    dim: settings.dim,
    layers: settings.layers,
    batchSize: settings.batchSize,
    learningRate: 1e-3,
    // Enough epochs for the timed steps on a small graph; large graphs stop within the first.
    epochs: Math.ceil((settings.warmupSteps + settings.steps + 1) / Math.max(1, stepsPerEpoch - 1)) + 1,
    patience: 10,
  } as TrainConfig;
  let backend = "kernels";
  try {
    const result = await trainModel({
      train,
      config,
      init: { kind: "xavier" },
      rng: rng.child("train"),
      engine: "kernels",
      threads: settings.threads,
      progress,
      // The engine names itself in the "training" line (threads, shared sums): the run is stopped before its result.
      logger: {
        log(_level, message, fields) {
          if (message.startsWith("training") && typeof fields?.backend === "string") backend = fields.backend;
        },
      },
      signal: controller.signal,
    });
    backend = result.backend;
  } catch (error) {
    if (!(error instanceof StepsDone)) throw error;
  }
  const setupSeconds = (firstStep - started) / 1000;
  const trainStepMs = median(stepMs);

  const user = randomMatrix(train.rows, settings.dim, rng.child("users"));
  const item = randomMatrix(train.cols, settings.dim, rng.child("items"));
  const ranking = createKernelRanking({ threads: settings.threads });
  const times: number[] = [];
  let recall = Number.NaN;
  let evalUsers = 0;
  try {
    for (let r = -settings.evalWarmups; r < settings.evalRepeats; r++) {
      const t0 = performance.now();
      const evaluation = await evaluateFullRanking({
        numUsers: train.rows,
        numItems: train.cols,
        rank: ranking.ranker(user, item),
        truth,
        exclude: [train],
        ks: [settings.topK],
        metrics: ["recall"],
        chunkSize: settings.chunkSize,
      });
      if (r >= 0) times.push((performance.now() - t0) / 1000);
      recall = evaluation.metrics[`recall@${settings.topK}`];
      evalUsers = evaluation.users;
    }
  } finally {
    ranking.dispose();
  }
  return {
    setupSeconds,
    trainStepMs,
    timedSteps: stepMs.length,
    stepsPerEpoch,
    trainEpochSeconds: (stepsPerEpoch * trainStepMs) / 1000,
    evalSampleSeconds: median(times),
    evalUsers,
    evalRecall: recall,
    peakRssMiB: maxRssMiB(),
    startRssMiB,
    wasmBytes: kernelEngineMemory({
      model: "lightgcn",
      users: train.rows,
      items: train.cols,
      interactions,
      dim: settings.dim,
      layers: settings.layers,
      batchSize: settings.batchSize,
      threads: settings.threads,
    }).total,
    backend,
  };
}
