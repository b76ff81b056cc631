import type { Tensor2D, Variable } from "@tensorflow/tfjs-core";
import { ConfigError, createMatrix, silentLogger, silentProgress, validateCsr } from "@llminit/core";
import type { Matrix } from "@llminit/core";
import { selectBackend } from "./backend.js";
import { initializeEmbeddings } from "./initializers.js";
import { createLightGcn, lightgcnDefaults } from "./lightgcn.js";
import type { CfModel } from "./lightgcn.js";
import { bprLoss } from "./loss.js";
import { gatherRows } from "./row-ops.js";
import { createMf, mfDefaults } from "./mf.js";
import { sampleNegatives } from "./negative-sampling.js";
import { readValues } from "./read-values.js";
import type { Embeddings, EpochRecord, ModelName, TrainConfig, TrainOptions, TrainResult } from "./types.js";

/** Per-model defaults, next to each model (RecBole-style); merge with `{ ...modelDefaults[m], ...yours }`. */
export const modelDefaults: Record<ModelName, Partial<TrainConfig>> = { lightgcn: lightgcnDefaults, mf: mfDefaults };

/** Adam's ε as in PyTorch (tfjs would default to 1e-7). */
const ADAM_EPSILON = 1e-8;

function checkConfig(config: TrainConfig): void {
  if (config.model !== "lightgcn" && config.model !== "mf") {
    throw new ConfigError("config.model", `unknown model ${JSON.stringify(config.model)}; expected "lightgcn" or "mf"`);
  }
  const positiveInts: (keyof TrainConfig)[] = ["dim", "batchSize"];
  for (const key of positiveInts) {
    const v = config[key] as number;
    if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`config.${key}`, `must be a positive integer, got ${v}`);
  }
  const nonNegativeInts: (keyof TrainConfig)[] = ["layers", "epochs", "patience"];
  for (const key of nonNegativeInts) {
    const v = config[key] as number;
    if (!Number.isInteger(v) || v < 0) throw new ConfigError(`config.${key}`, `must be a non-negative integer, got ${v}`);
  }
  if (config.patience === 0) throw new ConfigError("config.patience", "must be at least 1");
  if (!(config.learningRate > 0) || !Number.isFinite(config.learningRate)) {
    throw new ConfigError("config.learningRate", `must be a positive number, got ${config.learningRate}`);
  }
  if (!(config.regWeight >= 0) || !Number.isFinite(config.regWeight)) {
    throw new ConfigError("config.regWeight", `must be a non-negative number, got ${config.regWeight}`);
  }
  const every = config.evalEvery ?? 1;
  if (!Number.isInteger(every) || every <= 0) throw new ConfigError("config.evalEvery", `must be a positive integer, got ${every}`);
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
 * Trains LightGCN or MF-BPR with Adam on BPR + L2 (see `bprLoss`), one uniform negative per
 * (user, positive) pair, rejecting the user's train items. Each epoch visits every train pair
 * once in a seeded shuffle. With `validate`, keeps the parameters of the best-scoring epoch
 * (strictly greater), stops after `patience` evaluations without improvement and returns the
 * best parameters. `epochs: 0` returns the (propagated) initial embeddings, validated once
 * (epoch 0) when `validate` is given.
 *
 * Random streams: `rng.child("init")` for the initialiser, `rng.child("epoch-<n>")` with children
 * "shuffle" and "sampling" for epoch n, so results depend only on the seed and the backend.
 */
export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  const { train, config, init, rng, validate, onEpoch, signal } = options;
  const logger = options.logger ?? silentLogger;
  const progress = options.progress ?? silentProgress;
  checkConfig(config);
  validateCsr(train, "train");
  throwIfAborted(signal);

  const { name: backend, tf } = await selectBackend(options.backend ?? "auto", logger);
  const users = train.rows;
  const items = train.cols;
  const nodes = users + items;
  const dim = config.dim;
  const tables = initializeEmbeddings(init, users, items, dim, rng.child("init"));
  const egoInit = concat(tables.user, tables.item);
  const model: CfModel = config.model === "lightgcn" ? createLightGcn(tf, train, config.layers) : createMf(tf);
  const resultFor = (ego: Float32Array) => ({ final: split(model.finalFromEgo(ego, dim), users, items, dim), ego: split(ego, users, items, dim) });

  if (config.epochs === 0) {
    const { final, ego } = resultFor(egoInit);
    const bestValid = validate === undefined ? undefined : await validate(final, 0);
    logger.log("info", "no training (epochs = 0): returning the initial embeddings", { model: config.model, bestValid });
    return { final, ego, bestEpoch: 0, epochsRun: 0, history: [], secondsPerEpoch: 0, backend, stoppedEarly: false, bestValid };
  }

  // Train pairs; users who interacted with every item have no negative to sample.
  const nnz = train.indptr[users];
  let droppedUsers = 0;
  let droppedPairs = 0;
  const pairUsers = new Int32Array(nnz);
  const pairItems = new Int32Array(nnz);
  let pairs = 0;
  for (let u = 0; u < users; u++) {
    const start = train.indptr[u];
    const end = train.indptr[u + 1];
    if (end - start >= items && end > start) {
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
    logger.log("warn", `dropped ${droppedPairs} train pairs of ${droppedUsers} users who interacted with every item (no negative to sample)`, {
      droppedUsers,
      droppedPairs,
    });
  }
  if (pairs === 0) throw new ConfigError("train", "no train pair to learn from (empty train set, or every user interacted with every item)");

  const batchSize = config.batchSize;
  const steps = Math.ceil(pairs / batchSize);
  const evalEvery = config.evalEvery ?? 1;
  logger.log("info", `training ${config.model}`, { backend, users, items, pairs, dim, layers: config.layers, batchSize, steps, epochs: config.epochs });

  const egoVar: Variable = tf.tidy(() => tf.variable(tf.tensor2d(egoInit, [nodes, dim], "float32"), true, undefined, "float32"));
  const optimizer = tf.train.adam(config.learningRate, 0.9, 0.999, ADAM_EPSILON);
  const order = new Int32Array(pairs);
  const batchUsers = new Int32Array(batchSize);
  const batchPositives = new Int32Array(batchSize);
  const batchNegatives = new Int32Array(batchSize);
  const tripleNodes = new Int32Array(3 * batchSize);
  const history: EpochRecord[] = [];
  let bestEgo = egoInit;
  let bestEpoch = 0;
  let bestValid: number | undefined;
  let sinceBest = 0;
  let stoppedEarly = false;
  let trainSeconds = 0;

  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const epochRng = rng.child(`epoch-${epoch}`);
      const shuffleRng = epochRng.child("shuffle");
      const samplingRng = epochRng.child("sampling");
      for (let k = 0; k < pairs; k++) order[k] = k;
      shuffleRng.shuffle(order);

      const task = progress.begin(`${config.model} epoch ${epoch}`, steps);
      const started = performance.now();
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
        sampleNegatives(train, batchUsers.subarray(0, size), samplingRng, batchNegatives);
        // Triples stacked as [users; positives; negatives], as node ids.
        const triples = tripleNodes.subarray(0, 3 * size);
        for (let b = 0; b < size; b++) {
          triples[b] = batchUsers[b];
          triples[size + b] = users + batchPositives[b];
          triples[2 * size + b] = users + batchNegatives[b];
        }
        const lossT = optimizer.minimize(
          () => {
            const ego = gatherRows(tf, egoVar as Tensor2D, triples);
            const final = config.model === "mf" ? ego : model.final(egoVar as Tensor2D, triples);
            return bprLoss(tf, { final, ego, regWeight: config.regWeight });
          },
          true,
          [egoVar],
        );
        const loss = lossT === null ? Number.NaN : lossT.dataSync()[0];
        lossT?.dispose();
        if (!Number.isFinite(loss)) throw new ConfigError("config.learningRate", `loss became ${loss} at epoch ${epoch}, step ${step + 1}; lower the learning rate`);
        lossSum += loss * size;
        task.tick(1, { loss });
      }
      const seconds = (performance.now() - started) / 1000;
      trainSeconds += seconds;
      const record: EpochRecord = { epoch, loss: lossSum / pairs, seconds, best: false };

      if (validate !== undefined && (epoch % evalEvery === 0 || epoch === config.epochs)) {
        const ego = new Float32Array(readValues(tf, egoVar));
        const score = await validate(split(model.finalFromEgo(ego, dim), users, items, dim), epoch);
        record.valid = score;
        if (bestValid === undefined || score > bestValid) {
          bestValid = score;
          bestEpoch = epoch;
          bestEgo = ego;
          record.best = true;
          sinceBest = 0;
        } else {
          sinceBest++;
        }
      } else if (validate === undefined) {
        bestEgo = new Float32Array(readValues(tf, egoVar));
        bestEpoch = epoch;
        record.best = true;
      }
      task.end({ loss: record.loss, ...(record.valid === undefined ? {} : { valid: record.valid }) });
      history.push(record);
      logger.log("info", `epoch ${epoch}`, { ...record });
      onEpoch?.(record);
      // Training is synchronous between epochs; yield once so that I/O and signals get handled.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (validate !== undefined && sinceBest >= config.patience) {
        stoppedEarly = epoch < config.epochs;
        break;
      }
    }
  } finally {
    egoVar.dispose();
    optimizer.dispose();
  }

  const epochsRun = history.length;
  const { final, ego } = resultFor(bestEgo);
  logger.log("info", `trained ${config.model}`, { backend, epochsRun, bestEpoch, bestValid, stoppedEarly, secondsPerEpoch: trainSeconds / epochsRun });
  return { final, ego, bestEpoch, epochsRun, history, secondsPerEpoch: trainSeconds / epochsRun, backend, stoppedEarly, bestValid };
}
