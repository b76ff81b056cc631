import { ConfigError, NotAvailableError, createMatrix, silentLogger, silentProgress, validateCsr } from "@llminit/core";
import type { Logger, Matrix } from "@llminit/core";
import { kernelsSupported } from "@llminit/kernels";
import { selectBackend } from "./backend.js";
import { initializeEmbeddings } from "./initializers.js";
import { createKernelEngine } from "./kernel-engine.js";
import { isImprovement, shouldStop } from "./early-stopping.js";
import type { EarlyStoppingRule } from "./early-stopping.js";
import type { ModelBatch, ModelSettings } from "./model-definition.js";
import { resolveTrainConfig } from "./model-registry.js";
import { nativeBackendStatus } from "./node/platform.js";
import { sampleNegatives } from "./negative-sampling.js";
import { sampleRepeatableNegatives } from "./repeatable-negatives.js";
import { createTfjsEngine } from "./tfjs-engine.js";
import type { EngineName, TrainingEngine } from "./training-engine.js";
import type { Embeddings, EpochRecord, TrainingCheckpoint, TrainOptions, TrainResult } from "./types.js";

/** Distinct values of `values`, in order of first appearance, into `out`; `seen` must be all zero and is left so. */
function distinct(values: Int32Array, seen: Uint8Array, out: Int32Array): Int32Array {
  let n = 0;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (seen[v] === 0) {
      seen[v] = 1;
      out[n++] = v;
    }
  }
  for (let k = 0; k < n; k++) seen[out[k]] = 0;
  return out.slice(0, n);
}

/** Adam's ε as in PyTorch (tfjs would default to 1e-7). */
const ADAM_EPSILON = 1e-8;

/**
 * The engine for `options.engine` (default "auto"): "auto" takes the tfjs engine when a tfjs
 * backend is named explicitly (`backend` other than "auto") or `@tensorflow/tfjs-node-gpu` is
 * installed and can run (native binding present: training on the GPU), and the kernels engine
 * otherwise.
 */
function chooseEngine(options: TrainOptions, logger: Logger): EngineName {
  const preference = options.engine ?? "auto";
  if (preference !== "auto" && preference !== "tfjs" && preference !== "kernels") {
    throw new ConfigError("engine", `must be "auto", "tfjs" or "kernels", got ${JSON.stringify(preference)}`);
  }
  if (preference === "kernels") {
    if (!kernelsSupported())
      throw new NotAvailableError(
        "kernels engine",
        "this JavaScript engine cannot compile WebAssembly SIMD",
        "Use Node.js 20 or later, or --engine tfjs",
      );
    return "kernels";
  }
  if (preference === "tfjs") return "tfjs";
  const backend = options.backend ?? "auto";
  if (backend !== "auto") {
    logger.log("info", `engine: tfjs (backend ${backend} was asked for)`);
    return "tfjs";
  }
  const gpu = nativeBackendStatus("@tensorflow/tfjs-node-gpu");
  if (gpu.installed && gpu.problem === undefined) {
    logger.log("info", "engine: tfjs (@tensorflow/tfjs-node-gpu is installed)");
    return "tfjs";
  }
  if (gpu.installed) logger.log("warn", `engine: not tfjs: @tensorflow/tfjs-node-gpu is installed but ${gpu.problem}`);
  if (!kernelsSupported()) {
    logger.log("warn", "engine: tfjs (this JavaScript engine cannot compile WebAssembly SIMD for the kernels engine)");
    return "tfjs";
  }
  return "kernels";
}

/** Throws a ConfigError naming `resumeFrom` unless the checkpoint fits this run. */
function checkResume(
  checkpoint: TrainingCheckpoint,
  settings: ModelSettings,
  rule: EarlyStoppingRule,
  engine: EngineName,
  nodes: number,
): void {
  const fail = (reason: string): never => {
    throw new ConfigError("resumeFrom", reason);
  };
  if (checkpoint.engine !== engine)
    fail(`the checkpoint was trained on the ${checkpoint.engine} engine, this run uses ${engine}`);
  if (!Number.isSafeInteger(checkpoint.epoch) || checkpoint.epoch < 1 || checkpoint.epoch > settings.epochs)
    fail(`epoch must lie in [1, ${settings.epochs}] (config.epochs), got ${checkpoint.epoch}`);
  if (checkpoint.history.length !== checkpoint.epoch)
    fail(`holds ${checkpoint.history.length} epoch records for ${checkpoint.epoch} epochs`);
  if (checkpoint.bestEgo.length !== nodes * settings.dim)
    fail(`bestEgo has ${checkpoint.bestEgo.length} values, expected ${nodes} × ${settings.dim}`);
  // sinceBest and bestValid mean what the rule that counted them means.
  if (checkpoint.earlyStopping !== rule)
    fail(`the checkpoint counted early stopping by the "${checkpoint.earlyStopping}" rule, this run uses "${rule}"`);
}

function split(nodes: Float32Array, users: number, items: number, dim: number): Embeddings {
  return {
    user: createMatrix(users, dim, nodes.slice(0, users * dim)),
    item: createMatrix(items, dim, nodes.slice(users * dim, (users + items) * dim)),
  };
}

function concat(user: Matrix, item: Matrix): Float32Array {
  const out = new Float32Array(user.data.length + item.data.length);
  out.set(user.data, 0);
  out.set(item.data, user.data.length);
  return out;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new Error("training aborted");
}

/**
 * Trains a registered model (see `MODELS`): Adam on the model's loss over batches of train
 * (user, positive) pairs, each epoch visiting every pair once in a seeded shuffle; models that
 * want negatives get one uniform negative per pair, rejecting the user's train items
 * (`negatives: "exclude-positive"`: only the positive). With `validate`, keeps the parameters of
 * the best-scoring epoch (strictly greater; `earlyStopping: "recbole"`: ≥ on 4 decimals), stops
 * after `patience` evaluations without improvement (RecBole: `patience + 1`) and returns the best
 * parameters. `epochs: 0` returns the model's scoring embeddings of the initial table, validated
 * once (epoch 0) when `validate` is given.
 *
 * Random streams: `rng.child("init")` for the initialiser, `rng.child("epoch-<n>")` with children
 * "shuffle", "sampling", "views" (augmented graphs) and "noise" for epoch n, so results depend
 * only on the seed and the engine — and an epoch's streams need no saved state.
 *
 * Checkpoints: `onCheckpoint` receives after every epoch the engine's state (ego table, Adam's
 * moments and step count) with the best epoch's parameters and the early-stopping state;
 * `resumeFrom` continues from one, to the same bits as the uninterrupted run.
 */
export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  const { train, config, init, rng, validate, onEpoch, onCheckpoint, resumeFrom, signal } = options;
  const logger = options.logger ?? silentLogger;
  const progress = options.progress ?? silentProgress;
  const { model, settings } = resolveTrainConfig(config, options.models);
  const every = config.evalEvery ?? 1;
  if (!Number.isInteger(every) || every <= 0)
    throw new ConfigError("config.evalEvery", `must be a positive integer, got ${every}`);
  validateCsr(train, "train");
  throwIfAborted(signal);

  const users = train.rows;
  const items = train.cols;
  const dim = settings.dim;
  const tables = initializeEmbeddings(init, users, items, dim, rng.child("init"));
  const egoInit = concat(tables.user, tables.item);
  const needsNegatives = model.negatives;
  const engineOptions = {
    model,
    settings,
    train,
    egoInit,
    dim,
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: ADAM_EPSILON,
  };
  const stopping = config.earlyStopping ?? "strict";
  const engineName = chooseEngine(options, logger);
  if (resumeFrom !== undefined) checkResume(resumeFrom, settings, stopping, engineName, users + items);
  let engine: TrainingEngine;
  if (engineName === "kernels") {
    engine = createKernelEngine({ ...engineOptions, threads: options.threads });
  } else {
    const { name, tf } = await selectBackend(options.backend ?? "auto", logger);
    engine = createTfjsEngine({ ...engineOptions, tf, backend: name });
  }
  const backend = engine.backend;
  const resultFor = (ego: Float32Array) => ({
    final: split(engine.finalFromEgo(ego), users, items, dim),
    ego: split(ego, users, items, dim),
  });

  if (settings.epochs === 0) {
    try {
      const { final, ego } = resultFor(egoInit);
      const bestValid = validate === undefined ? undefined : await validate(final, 0);
      logger.log("info", "no training (epochs = 0): returning the initial embeddings", {
        model: model.name,
        bestValid,
      });
      return {
        final,
        ego,
        bestEpoch: 0,
        epochsRun: 0,
        history: [],
        secondsPerEpoch: 0,
        backend,
        engine: engineName,
        stoppedEarly: false,
        bestValid,
        settings,
      };
    } finally {
      engine.dispose();
    }
  }

  // Train pairs; users who interacted with every item have no negative to sample (some models sample none).
  const nnz = train.indptr[users];
  let droppedUsers = 0;
  let droppedPairs = 0;
  const pairUsers = new Int32Array(nnz);
  const pairItems = new Int32Array(nnz);
  let pairs = 0;
  for (let u = 0; u < users; u++) {
    const start = train.indptr[u];
    const end = train.indptr[u + 1];
    if (needsNegatives && end - start >= items && end > start) {
      droppedUsers++;
      droppedPairs += end - start;
      continue;
    }
    for (let k = start; k < end; k++) {
      pairUsers[pairs] = u;
      pairItems[pairs] = train.indices[k];
      pairs++;
    }
  }
  if (droppedUsers > 0) {
    logger.log(
      "warn",
      `dropped ${droppedPairs} train pairs of ${droppedUsers} users who interacted with every item (no negative to sample)`,
      {
        droppedUsers,
        droppedPairs,
      },
    );
  }
  if (pairs === 0) {
    engine.dispose();
    throw new ConfigError(
      "train",
      "no train pair to learn from (empty train set, or every user interacted with every item)",
    );
  }

  const batchSize = settings.batchSize;
  const steps = Math.ceil(pairs / batchSize);
  const evalEvery = every;
  logger.log("info", `training ${model.name}`, {
    engine: engineName,
    backend,
    users,
    items,
    pairs,
    steps,
    ...settings,
  });

  const order = new Int32Array(pairs);
  const batchUsers = new Int32Array(batchSize);
  const batchPositives = new Int32Array(batchSize);
  const batchNegatives = new Int32Array(batchSize);
  const tripleNodes = new Int32Array(3 * batchSize);
  const seen = new Uint8Array(Math.max(users, items));
  const distinctBuffer = new Int32Array(batchSize);
  const history: EpochRecord[] = [];
  let bestEgo = egoInit;
  let bestEpoch = 0;
  let bestValid: number | undefined;
  let sinceBest = 0;
  let stoppedEarly = false;
  let trainSeconds = 0;
  let firstEpoch = 1;

  try {
    if (resumeFrom !== undefined) {
      await engine.importState(resumeFrom.state);
      history.push(...resumeFrom.history.map((record) => ({ ...record })));
      ({ bestEgo, bestEpoch, bestValid, sinceBest } = resumeFrom);
      trainSeconds = history.reduce((sum, record) => sum + record.seconds, 0);
      firstEpoch = resumeFrom.epoch + 1;
      // A checkpoint taken after the last epoch or the early stop: nothing is left to train.
      if (validate !== undefined && shouldStop(stopping, sinceBest, settings.patience)) {
        stoppedEarly = resumeFrom.epoch < settings.epochs;
        firstEpoch = settings.epochs + 1;
      }
      logger.log("info", `resuming ${model.name} after epoch ${resumeFrom.epoch}`, {
        bestEpoch,
        bestValid,
        sinceBest,
      });
    }
    for (let epoch = firstEpoch; epoch <= settings.epochs; epoch++) {
      const epochRng = rng.child(`epoch-${epoch}`);
      const shuffleRng = epochRng.child("shuffle");
      const samplingRng = epochRng.child("sampling");
      for (let k = 0; k < pairs; k++) order[k] = k;
      shuffleRng.shuffle(order);

      const task = progress.begin(`${model.name} epoch ${epoch}`, steps);
      const started = performance.now();
      engine.beginEpoch(epochRng);
      let lossSum = 0;
      for (let step = 0; step < steps; step++) {
        throwIfAborted(signal);
        const from = step * batchSize;
        const size = Math.min(batchSize, pairs - from);
        for (let b = 0; b < size; b++) {
          const pair = order[from + b];
          batchUsers[b] = pairUsers[pair];
          batchPositives[b] = pairItems[pair];
        }
        if (needsNegatives && config.negatives === "exclude-positive")
          sampleRepeatableNegatives(items, batchPositives.subarray(0, size), samplingRng, batchNegatives);
        else if (needsNegatives) sampleNegatives(train, batchUsers.subarray(0, size), samplingRng, batchNegatives);
        // Rows stacked as [users; positives; negatives] (no negatives: [users; positives]), as node ids.
        const stacked = tripleNodes.subarray(0, (needsNegatives ? 3 : 2) * size);
        for (let b = 0; b < size; b++) {
          stacked[b] = batchUsers[b];
          stacked[size + b] = users + batchPositives[b];
          if (needsNegatives) stacked[2 * size + b] = users + batchNegatives[b];
        }
        const batch: ModelBatch = {
          size,
          triples: stacked,
          pairs: stacked.subarray(0, 2 * size),
          distinctUsers: () => distinct(batchUsers.subarray(0, size), seen, distinctBuffer),
          distinctItems: () => distinct(batchPositives.subarray(0, size), seen, distinctBuffer),
        };
        const loss = engine.step(batch);
        if (!Number.isFinite(loss))
          throw new ConfigError(
            "config.learningRate",
            `loss became ${loss} at epoch ${epoch}, step ${step + 1}; lower the learning rate`,
          );
        lossSum += loss * size;
        task.tick(1, { loss });
      }
      const seconds = (performance.now() - started) / 1000;
      trainSeconds += seconds;
      const record: EpochRecord = { epoch, loss: lossSum / pairs, seconds, best: false };

      if (validate !== undefined && (epoch % evalEvery === 0 || epoch === settings.epochs)) {
        const ego = engine.readEgo();
        const score = await validate(split(engine.finalFromEgo(ego), users, items, dim), epoch);
        record.valid = score;
        if (isImprovement(stopping, score, bestValid)) {
          bestValid = score;
          bestEpoch = epoch;
          bestEgo = ego;
          record.best = true;
          sinceBest = 0;
        } else {
          sinceBest++;
        }
      } else if (validate === undefined) {
        bestEgo = engine.readEgo();
        bestEpoch = epoch;
        record.best = true;
      }
      task.end({ loss: record.loss, ...(record.valid === undefined ? {} : { valid: record.valid }) });
      history.push(record);
      logger.log("debug", `epoch ${epoch}`, { ...record });
      onEpoch?.(record);
      await onCheckpoint?.({
        epoch,
        engine: engineName,
        state: await engine.exportState(),
        bestEgo,
        bestEpoch,
        bestValid,
        sinceBest,
        earlyStopping: stopping,
        history: history.map((r) => ({ ...r })),
      });
      // Training is synchronous between epochs; yield once so that I/O and signals get handled.
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      if (validate !== undefined && shouldStop(stopping, sinceBest, settings.patience)) {
        stoppedEarly = epoch < settings.epochs;
        break;
      }
    }
  } catch (error) {
    engine.dispose();
    throw error;
  }

  const epochsRun = history.length;
  let result: { final: Embeddings; ego: Embeddings };
  try {
    result = resultFor(bestEgo);
  } finally {
    engine.dispose();
  }
  const { final, ego } = result;
  logger.log("info", `trained ${model.name}`, {
    engine: engineName,
    backend,
    epochsRun,
    bestEpoch,
    bestValid,
    stoppedEarly,
    secondsPerEpoch: trainSeconds / epochsRun,
  });
  return {
    final,
    ego,
    bestEpoch,
    epochsRun,
    history,
    secondsPerEpoch: trainSeconds / epochsRun,
    backend,
    engine: engineName,
    stoppedEarly,
    bestValid,
    settings,
  };
}
