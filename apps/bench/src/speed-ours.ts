import { createMatrix, createRng, csrFromPairs, silentLogger } from "@llminit/core";
import type { Csr, Matrix, ProgressReporter, Rng } from "@llminit/core";
import { createKernels } from "@llminit/kernels";
import { createKernelRanking, evaluateFullRanking } from "@llminit/metrics";
import { modelDefaults, trainModel } from "@llminit/models";
import {
  allocateKernelCsr,
  buildNormalizedAdjacency,
  copyIntoKernelCsr,
  sharedProductsFor,
} from "@llminit/models/internal";
import type { EnginePreference, TrainConfig } from "@llminit/models";

/** Our side's measurements for one graph. */
export interface OurMeasurement {
  /** One layer Â·X (d columns) as training computes it (the shared-sums plan, else `pullRows`), median. */
  propagationMs: number;
  /**
   * How that layer ran: "pullRows", or "shared sums" with the share of row additions left and the plan's build
   * time.
   */
  propagationPath:
    | { kind: "pullRows" }
    | { kind: "shared sums"; additionsRatio: number; sums: number; buildMs: number; pullRowsMs: number };
  /** The memory-bandwidth floor of that layer: bytes it must move ÷ measured copy bandwidth. */
  propagationFloor: { bytesMoved: number; copyGBps: number; floorMs: number; ratio: number };
  /** Median wall time of the full-batch steps of trainModel (from its per-step progress ticks). */
  trainStepMs: number | null;
  trainEpochSeconds: number;
  stepsPerEpoch: number;
  epochLosses: number[];
  fullRankSeconds: number;
  fullRankRecall: number;
  /** The training engine and what ran its arithmetic. */
  engine: string;
  tfjsBackend: string;
}

/** Training and validation time with the paper's settings (d = 128, 2 layers, batch 256). */
export interface PaperMeasurement {
  dim: number;
  layers: number;
  batchSize: number;
  epochs: number;
  /** Median training seconds per epoch. */
  epochSeconds: number;
  /**
   * Median seconds of one full-ranking validation (all users with a held-out item, K = 10, 20, 50, every metric),
   * after warm-ups.
   */
  validationSeconds: number;
}

export interface SpeedSettings {
  dim: number;
  layers: number;
  batchSize: number;
  topK: number;
  /** Timed training epochs (and train-step samples). */
  repeats: number;
  /** Timed full-ranking evaluations (median), after `warmups` untimed ones; the same on the PyTorch side. */
  evalRepeats: number;
  warmups: number;
  chunkSize: number;
  seed: number;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

export function randomMatrix(rows: number, cols: number, rng: Rng): Matrix {
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

/** Least time spent warming up the propagation layer before timing it (both sides). */
export const PROPAGATION_WARMUP_MS = 500;
/**
 * Least time of timed propagation calls (at least 21 of them), on both sides: a small graph's
 * layer takes ~0.15 ms, and 21 calls (3 ms) fall within one noisy moment of this shared VM.
 */
export const PROPAGATION_TIMED_MS = 100;

/** Copy bandwidth of this machine (GB/s, bytes read + written), median of 5 copies of 64 MiB. */
export function measureCopyBandwidth(): number {
  const source = new Float32Array(16 * 1024 * 1024).fill(1);
  const target = new Float32Array(source.length);
  const times: number[] = [];
  for (let r = 0; r < 6; r++) {
    const t0 = performance.now();
    target.set(source);
    if (r > 0) times.push(performance.now() - t0); // the first copy also faults the pages in
  }
  return (2 * source.byteLength) / (median(times) / 1000) / 1e9;
}

/** Options of {@link measureOurs}. */
export interface MeasureOptions {
  /** Training engine for `trainModel` (default "auto"). */
  engine?: EnginePreference;
  /** tfjs backend for the tfjs engine (default "auto"). */
  backend?: string;
  /** Threads of the kernels (training, propagation, ranking); default "auto" (every core). */
  threads?: number | "auto";
}

/**
 * Times our stack on one graph: one propagation layer (Â × X with d columns as training computes
 * it: the shared-sums plan, else `pullRows`; median of ≥ 21 calls and ≥ 0.1 s of them, after ≥ 10
 * warm-up calls and 0.5 s; `pullRows` is timed too), LightGCN training through `trainModel`
 * (`repeats` epochs, wasm/auto backend; epoch = median of the epochs' training seconds, step =
 * median full-batch step from the progress ticks), and full ranking of every user with a truth
 * item (`evaluateFullRanking` + the kernel ranking on random d-dim embeddings, train masked,
 * top-K; median of `evalRepeats` after `warmups` untimed ones).
 */
export async function measureOurs(
  train: Csr,
  truth: Csr,
  settings: SpeedSettings,
  options: MeasureOptions = {},
): Promise<OurMeasurement> {
  const rng = createRng(settings.seed).child("speed");
  const { dim } = settings;

  // One propagation layer on the kernels, data already in their memory (as in training).
  const adjacency = buildNormalizedAdjacency(train);
  const threads = options.threads ?? "auto";
  const kernels = createKernels({ threads });
  const csr = copyIntoKernelCsr(
    adjacency,
    allocateKernelCsr(kernels, adjacency.nodes, adjacency.indptr[adjacency.nodes]),
  );
  const x = kernels.f32(adjacency.nodes * dim);
  const out = kernels.f32(adjacency.nodes * dim);
  x.array.set(randomMatrix(adjacency.nodes, dim, rng.child("propagation")).data);
  const buildStart = performance.now();
  const shared = sharedProductsFor(kernels, train, dim);
  const buildMs = performance.now() - buildStart;
  const pull = () =>
    kernels.parallel.pullRows(
      csr.indptr,
      csr.indices.ptr,
      csr.values.ptr,
      x.ptr,
      dim,
      out.ptr,
      null,
      0,
      adjacency.nodes,
    );
  const timeLayer = (layer: () => void) => {
    // Warm-up, at least 10 calls and 0.5 s: V8 runs a wasm function on baseline code until an
    // optimising compile on a background thread is done, and with both cores busy that took the
    // first 10–30 calls here (each 3–5× slower). Training makes thousands of these calls.
    for (let r = 0, start = performance.now(); r < 10 || performance.now() - start < PROPAGATION_WARMUP_MS; r++)
      layer();
    const times: number[] = [];
    for (
      let start = performance.now();
      times.length < Math.max(21, settings.repeats) || performance.now() - start < PROPAGATION_TIMED_MS;
    ) {
      const t0 = performance.now();
      layer();
      times.push(performance.now() - t0);
    }
    return median(times);
  };
  const pullRowsMs = timeLayer(pull);
  const propagationMs = shared === undefined ? pullRowsMs : timeLayer(() => shared.apply(x.ptr, out.ptr));
  const propagationPath: OurMeasurement["propagationPath"] =
    shared === undefined
      ? { kind: "pullRows" }
      : {
          kind: "shared sums",
          additionsRatio: shared.additions / shared.entries,
          sums: shared.sums,
          buildMs,
          pullRowsMs,
        };
  // Bytes a layer cannot avoid: the CSR (indptr, indices, values), X read once, the output written once.
  const entries = adjacency.indptr[adjacency.nodes];
  const bytesMoved = 4 * (adjacency.nodes + 1) + 8 * entries + 2 * 4 * adjacency.nodes * dim;
  const copyGBps = measureCopyBandwidth();
  kernels.dispose();
  const floorMs = (bytesMoved / (copyGBps * 1e9)) * 1000;

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
  const result = await trainModel({
    train,
    config,
    init: { kind: "xavier" },
    rng: rng.child("train"),
    engine: options.engine,
    threads,
    backend: options.backend,
    progress: timer,
    logger: silentLogger,
  });
  const pairs = train.indptr[train.rows];
  const stepsPerEpoch = Math.ceil(pairs / settings.batchSize);
  const fullSteps = timer.steps.flatMap((epoch) =>
    pairs % settings.batchSize === 0 ? epoch : epoch.slice(0, stepsPerEpoch - 1),
  );

  const user = randomMatrix(train.rows, dim, rng.child("users"));
  const item = randomMatrix(train.cols, dim, rng.child("items"));
  const ranking: number[] = [];
  let recall = Number.NaN;
  const ranker = createKernelRanking({ threads });
  try {
    // Untimed evaluations first: the worker threads start, and V8 optimises the JS around the kernels.
    for (let r = -settings.warmups; r < settings.evalRepeats; r++) {
      const t0 = performance.now();
      const evaluation = await evaluateFullRanking({
        numUsers: train.rows,
        numItems: train.cols,
        rank: ranker.ranker(user, item),
        truth,
        exclude: [train],
        ks: [settings.topK],
        chunkSize: settings.chunkSize,
      });
      if (r >= 0) ranking.push((performance.now() - t0) / 1000);
      recall = evaluation.metrics[`recall@${settings.topK}`];
    }
  } finally {
    ranker.dispose();
  }

  return {
    propagationMs,
    propagationPath,
    propagationFloor: { bytesMoved, copyGBps, floorMs, ratio: propagationMs / floorMs },
    trainStepMs: fullSteps.length === 0 ? null : median(fullSteps),
    trainEpochSeconds: median(result.history.map((h) => h.seconds)),
    stepsPerEpoch,
    epochLosses: result.history.map((h) => h.loss),
    fullRankSeconds: median(ranking),
    fullRankRecall: recall,
    engine: result.engine,
    tfjsBackend: result.backend,
  };
}

/**
 * The real workload: LightGCN with the paper's settings (d = 128, 2 layers, batch 256,
 * lr 1e-3, xavier) for `epochs` epochs, each followed by a full-ranking validation against
 * `truth` with the train items masked, K = 10, 20, 50 (what the pipeline does every epoch). The
 * validation time is then measured on the trained embeddings as the speed workload's: median of
 * `evalRepeats` after `warmups` untimed ones (the first validation of a run also starts the
 * ranking's worker threads).
 */
export async function measurePaperSettings(
  train: Csr,
  truth: Csr,
  seed: number,
  epochs: number,
  timing: Pick<SpeedSettings, "evalRepeats" | "warmups">,
  options: MeasureOptions = {},
): Promise<PaperMeasurement> {
  const settings = { dim: 128, layers: 2, batchSize: 256 };
  const config = {
    ...modelDefaults.lightgcn,
    model: "lightgcn",
    ...settings,
    learningRate: 1e-3,
    epochs,
    patience: epochs + 1,
  } as TrainConfig;
  const threads = options.threads ?? "auto";
  const ranking = createKernelRanking({ threads });
  const validate = async (embeddings: { user: Matrix; item: Matrix }) => {
    const evaluation = await evaluateFullRanking({
      numUsers: train.rows,
      numItems: train.cols,
      rank: ranking.ranker(embeddings.user, embeddings.item),
      truth,
      exclude: [train],
      ks: [10, 20, 50],
    });
    return evaluation.metrics["ndcg@10"];
  };
  try {
    const result = await trainModel({
      train,
      config,
      init: { kind: "xavier" },
      rng: createRng(seed).child("paper"),
      engine: options.engine,
      threads,
      backend: options.backend,
      logger: silentLogger,
      validate,
    });
    const validations: number[] = [];
    for (let r = -timing.warmups; r < timing.evalRepeats; r++) {
      const t0 = performance.now();
      await validate(result.final);
      if (r >= 0) validations.push((performance.now() - t0) / 1000);
    }
    return {
      ...settings,
      epochs,
      epochSeconds: median(result.history.map((h) => h.seconds)),
      validationSeconds: median(validations),
    };
  } finally {
    ranking.dispose();
  }
}
