import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeNpy } from "@llminit/core/node";
import type { Csr } from "@llminit/core";

/** The Python interpreter with Debian's python3-torch (the one on PATH may be a pyenv build without it). */
export const DEFAULT_PYTHON = "/usr/bin/python3";

/** What the table prints in a PyTorch cell when torch cannot run. */
export const TORCH_ABSENT_TEXT = "python3-torch not installed: apt-get install python3-torch";

/** The PyTorch side's measurements (speed_torch.py's JSON). */
export interface TorchMeasurement {
  torch: string;
  python: string;
  threads: number;
  blas: string;
  /** null when the run skipped it (`skipPropagation`). */
  propagationMs: number | null;
  trainStepMs: number | null;
  trainEpochSeconds: number;
  stepsPerEpoch: number;
  epochLosses: number[];
  fullRankSeconds: number;
  fullRankHits: number;
  /** Users ranked per evaluation (every user, or those with a truth item under `evalTruthUsers`). */
  fullRankUsers?: number;
  /** Timed training steps. */
  timedSteps?: number;
  peakRssMiB: number;
}

/** Either measurements or why there are none (python or torch missing, or the script failed). */
export type TorchOutcome =
  { available: true; result: TorchMeasurement } | { available: false; reason: string; detail: string };

export interface TorchRunOptions {
  python: string;
  /** Scratch folder for the graph files. */
  dir: string;
  train: Csr;
  truth: Csr;
  dim: number;
  layers: number;
  batchSize: number;
  repeats: number;
  /** Timed full-ranking evaluations (median), after `warmups` untimed ones. */
  evalRepeats: number;
  warmups: number;
  threads: number;
  topK: number;
  chunkSize: number;
  seed: number;
  /**
   * OpenMP wait policy for the child (default: $OMP_WAIT_POLICY, else "PASSIVE"). With busy
   * cores, spinning OpenMP threads made a 2-thread PyTorch step ~20× slower here (556 ms vs 31 ms on ml-100k).
   */
  ompWaitPolicy?: string;
  /**
   * Time this many full-batch steps (after `warmupSteps`, and for at least `minStepSeconds`) instead of
   * `repeats` whole epochs; the epoch is then the median step × steps per epoch.
   */
  steps?: number;
  warmupSteps?: number;
  minStepSeconds?: number;
  /** Rank only the users with a truth item (a sample), not every user. */
  evalTruthUsers?: boolean;
  /** Skip the single propagation layer. */
  skipPropagation?: boolean;
}

/** The OpenMP wait policy the PyTorch child runs with. */
export function torchWaitPolicy(env: Readonly<Record<string, string | undefined>>): string {
  return env.OMP_WAIT_POLICY ?? "PASSIVE";
}

/** apps/bench/python/speed_torch.py, from src/ or dist/. */
export function speedTorchScript(): string {
  return fileURLToPath(new URL("../python/speed_torch.py", import.meta.url));
}

async function writePairs(dir: string, prefix: string, csr: Csr): Promise<void> {
  const nnz = csr.indptr[csr.rows];
  const rows = new Int32Array(nnz);
  for (let r = 0; r < csr.rows; r++) rows.fill(r, csr.indptr[r], csr.indptr[r + 1]);
  await writeNpy(join(dir, `${prefix}_users.npy`), rows, [nnz]);
  await writeNpy(join(dir, `${prefix}_items.npy`), Int32Array.from(csr.indices.subarray(0, nnz)), [nnz]);
}

/**
 * Writes the graph as int32 .npy edge lists (train_*, truth_*) into `dir` and runs
 * speed_torch.py with `python`; reads one JSON object from its stdout. A missing interpreter or
 * torch gives `available: false` with the reason, never numbers.
 */
export async function runTorchSpeed(options: TorchRunOptions): Promise<TorchOutcome> {
  if (!existsSync(options.python))
    return { available: false, reason: TORCH_ABSENT_TEXT, detail: `${options.python} does not exist` };
  await writePairs(options.dir, "train", options.train);
  await writePairs(options.dir, "truth", options.truth);
  const args = [
    speedTorchScript(),
    ["--dir", options.dir],
    ["--users", options.train.rows],
    ["--items", options.train.cols],
    ["--dim", options.dim],
    ["--layers", options.layers],
    ["--batch", options.batchSize],
    ["--repeats", options.repeats],
    ["--eval-repeats", options.evalRepeats],
    ["--warmups", options.warmups],
    ["--threads", options.threads],
    ["--topk", options.topK],
    ["--chunk", options.chunkSize],
    ["--seed", options.seed],
    options.steps === undefined
      ? []
      : [
          ["--steps", options.steps],
          ["--warmup-steps", options.warmupSteps ?? 3],
          ["--min-step-seconds", options.minStepSeconds ?? 0],
        ],
    options.evalTruthUsers === true ? ["--eval-truth-users"] : [],
    options.skipPropagation === true ? ["--skip-propagation"] : [],
  ]
    .flat(2)
    .map(String);
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve) => {
      const env = { ...process.env, OMP_WAIT_POLICY: options.ompWaitPolicy ?? torchWaitPolicy(process.env) };
      const child = spawn(options.python, args, { stdio: ["ignore", "pipe", "pipe"], env });
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
      child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
      child.on("error", (error) => resolve({ code: -1, stdout: out, stderr: `${err}${error.message}` }));
      child.on("close", (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
    },
  );
  const last = stdout.trim().split("\n").pop() ?? "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch {
    const tail = stderr.trim().split("\n").slice(-3).join(" | ");
    return {
      available: false,
      reason: `PyTorch run failed (exit ${code})`,
      detail: tail === "" ? `no JSON on stdout: ${last.slice(0, 200)}` : tail,
    };
  }
  const record = parsed as { available?: boolean; reason?: string } & TorchMeasurement;
  if (record.available !== true)
    return {
      available: false,
      reason: TORCH_ABSENT_TEXT,
      detail: record.reason ?? "speed_torch.py reported torch unavailable",
    };
  if (code !== 0)
    return { available: false, reason: `PyTorch run failed (exit ${code})`, detail: stderr.trim().slice(-300) };
  const { available: _available, ...result } = record;
  return { available: true, result };
}
