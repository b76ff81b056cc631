import { createMatrix, createRng, csrFromPairs, silentLogger } from "@llminit/core";
import type { Csr, Matrix, ProgressReporter, Rng } from "@llminit/core";
import { dotProductScorer, evaluateFullRanking } from "@llminit/metrics";
import { buildNormalizedAdjacency, modelDefaults, spmm, trainModel } from "@llminit/models";
import type { TrainConfig } from "@llminit/models";

/** Our side's measurements for one graph. */
export interface OurMeasurement {
  propagationMs: number;
  /** Median wall time of the full-batch steps of trainModel (from its per-step progress ticks). */
  trainStepMs: number | null;
  trainEpochSeconds: number;
  stepsPerEpoch: number;
  epochLosses: number[];
  fullRankSeconds: number;
  fullRankRecall: number;
  tfjsBackend: string;
}

export interface SpeedSettings {
  dim: number;
  layers: number;
  batchSize: number;
  topK: number;
  repeats: number;
  chunkSize: number;
  seed: number;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function randomMatrix(rows: number, cols: number, rng: Rng): Matrix {
  const data = new Float32Array(rows * cols);
  for (let k = 0; k < data.length; k++) data[k] = rng.normal();
  return createMatrix(rows, cols, data);
}

/**
 * One held-out item per user, drawn uniformly among the items the user has not interacted with
 * (users who have every item get none): the "truth" of the full-ranking workload on a generated graph.
 */
export function heldOutTruth(train: Csr, rng: Rng): Csr {
  const rows: number[] = [];
  const cols: number[] = [];
  for (let u = 0; u < train.rows; u++) {
    const start = train.indptr[u];
    const end = train.indptr[u + 1];
    if (end - start >= train.cols) continue;
    for (;;) {
      const i = rng.int(train.cols);
      let lo = start;
      let hi = end;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (train.indices[mid] < i) lo = mid + 1;
        else hi = mid;
      }
      if (lo < end && train.indices[lo] === i) continue;
      rows.push(u);
      cols.push(i);
      break;
    }
  }
  return csrFromPairs(train.rows, train.cols, rows, cols);
}

/** Per-step wall times from trainModel's progress ticks (the first interval runs from begin()). */
function stepTimer(): ProgressReporter & { steps: number[][] } {
  const steps: number[][] = [];
  return {
    steps,
    begin() {
      const epoch: number[] = [];
      steps.push(epoch);
      let last = performance.now();
      return {
        tick() {
          const now = performance.now();
          epoch.push(now - last);
          last = now;
        },
        end() {},
      };
    },
  };
}

/**
 * Times our stack on one graph: one propagation layer (`spmm`, Â × X with d columns, median
 * of ≥ 3 after a warm-up), LightGCN training through `trainModel` (`repeats` epochs, wasm/auto
 * backend; epoch = median of the epochs' training seconds, step = median full-batch step from
 * the progress ticks), and full ranking of every user with a truth item (`evaluateFullRanking`
 * + `dotProductScorer` on random d-dim embeddings, train masked, top-K; median of `repeats`).
 */
export async function measureOurs(train: Csr, truth: Csr, settings: SpeedSettings, backend = "auto"): Promise<OurMeasurement> {
  const rng = createRng(settings.seed).child("speed");
  const { dim } = settings;

  const adjacency = buildNormalizedAdjacency(train);
  const x = randomMatrix(adjacency.nodes, dim, rng.child("propagation")).data;
  const out = new Float32Array(x.length);
  spmm(adjacency, x, dim, out); // warm-up (JIT)
  const propagation: number[] = [];
  for (let r = 0; r < Math.max(3, settings.repeats); r++) {
    const t0 = performance.now();
    spmm(adjacency, x, dim, out);
    propagation.push(performance.now() - t0);
  }

  const timer = stepTimer();
  const config = {
    ...modelDefaults.lightgcn,
    model: "lightgcn",
    dim,
    layers: settings.layers,
    batchSize: settings.batchSize,
    learningRate: 1e-3,
    epochs: settings.repeats,
    patience: 10,
  } as TrainConfig;
  const result = await trainModel({ train, config, init: { kind: "xavier" }, rng: rng.child("train"), backend, progress: timer, logger: silentLogger });
  const pairs = train.indptr[train.rows];
  const stepsPerEpoch = Math.ceil(pairs / settings.batchSize);
  const fullSteps = timer.steps.flatMap((epoch) => (pairs % settings.batchSize === 0 ? epoch : epoch.slice(0, stepsPerEpoch - 1)));

  const user = randomMatrix(train.rows, dim, rng.child("users"));
  const item = randomMatrix(train.cols, dim, rng.child("items"));
  const ranking: number[] = [];
  let recall = Number.NaN;
  for (let r = 0; r < settings.repeats; r++) {
    const t0 = performance.now();
    const evaluation = await evaluateFullRanking({
      numUsers: train.rows,
      numItems: train.cols,
      score: dotProductScorer(user, item),
      truth,
      exclude: [train],
      ks: [settings.topK],
      chunkSize: settings.chunkSize,
    });
    ranking.push((performance.now() - t0) / 1000);
    recall = evaluation.metrics[`recall@${settings.topK}`];
  }

  return {
    propagationMs: median(propagation),
    trainStepMs: fullSteps.length === 0 ? null : median(fullSteps),
    trainEpochSeconds: median(result.history.map((h) => h.seconds)),
    stepsPerEpoch,
    epochLosses: result.history.map((h) => h.loss),
    fullRankSeconds: median(ranking),
    fullRankRecall: recall,
    tfjsBackend: result.backend,
  };
}
