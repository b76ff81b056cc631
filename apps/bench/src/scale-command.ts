import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, createRng, csrFromPairs, flagName, parseCliArgs } from "@llminit/core";
import { writeFileAtomic, writeNpy } from "@llminit/core/node";
import type { Csr, Rng } from "@llminit/core";
import { assertKernelEngineFits, largestFittingDim } from "@llminit/models";
import { WASM32_MEMORY_LIMIT_BYTES } from "@llminit/models/internal";
import { findDataDir, findRepoRoot } from "./find-data-dir.js";
import { generatePowerLawGraph } from "./power-law-graph.js";
import { buildRealTitles, measureUseLite } from "./real-titles.js";
import { renderScaleMarkdown, renderScaleChart } from "./scale-report.js";
import type { ScaleReport, ScaleSize } from "./scale-report.js";
import { measureScaleOurs } from "./scale-ours.js";
import type { ScaleOurs, ScaleSettings } from "./scale-ours.js";
import { heldOutTruth } from "./speed-ours.js";
import { DEFAULT_PYTHON, runTorchSpeed, torchWaitPolicy } from "./speed-torch.js";
import type { BenchIo } from "./main.js";

/** The issue's three shapes (real datasets' counts), and a hidden tiny one for tests. */
export const SCALE_SIZES: Record<string, { like: string; users: number; items: number; interactions: number }> = {
  S: { like: "Amazon Beauty", users: 22_363, items: 12_101, interactions: 198_502 },
  M: { like: "Gowalla", users: 29_858, items: 40_981, interactions: 1_027_370 },
  L: { like: "MovieLens-20M", users: 138_493, items: 26_744, interactions: 20_000_263 },
  tiny: { like: "test", users: 300, items: 200, interactions: 3_000 },
};
export const DEFAULT_SCALE_SIZES = ["S", "M", "L"];
/** User × item pairs ranked per timed evaluation: sizes above it rank a fixed sample of users, and scale. */
const DEFAULT_EVAL_PAIRS = 250_000_000;

export const SCALE_USAGE = `llminit-bench scale — how training and evaluation cost grows from 0.2 M to 20 M interactions

usage: pnpm bench scale [--sizes S,M,L] [--out docs/results] [--steps 10] [--warmup-steps 3]
                        [--min-step-seconds 5] [--eval-pairs ${DEFAULT_EVAL_PAIRS}] [--eval-repeats 5]
                        [--dim 64] [--threads N] [--python /usr/bin/python3] [--json]
                        [--data-dir DIR] [--skip-encoding]
  sizes: S Beauty-like (22,363 × 12,101 × 198,502), M Gowalla-like (29,858 × 40,981 × 1,027,370),
  L MovieLens-20M-like (138,493 × 26,744 × 20,000,263): power-law graphs (Zipf 0.8), seed 2020.
  Per size, ours (a child process per size: the wasm SIMD kernels) and PyTorch (python/speed_torch.py)
  in the same run: the LightGCN training step (d = 64, 3 layers, batch 2048, full propagation, BPR,
  Adam; median of ≥ --steps full-batch steps and ≥ --min-step-seconds after --warmup-steps) and the
  epoch it implies; full-ranking evaluation of every user (top-20, train masked), timed on a fixed
  sample of ⌊--eval-pairs ÷ items⌋ users where there are more, and scaled; peak RSS; step time
  per edge and evaluation time per user × item pair. A size the kernels engine cannot hold
  (wasm32: 4 GiB) is reported with the check's message, before any training.
  --out DIR   writes DIR/scale.md, DIR/scale.svg (log-log chart) and DIR/scale.json [<repo>/docs/results]
  --threads N threads of our kernels and of PyTorch [every core: ${availableParallelism()}]
  Then use-lite text encoding (items/s) of ≥ 10 k real item texts built from the data dir's
  amazon-office-products and ml-100k item files (--skip-encoding: not; --sizes none: only that).
`;

function positiveNumber(value: string | boolean | undefined, fallback: number, key: string, integer: boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== "string" || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
    throw new ConfigError(
      key,
      `--${flagName(key)} expects ${integer ? "an integer" : "a number"} ≥ 0, got ${String(value)}`,
    );
  return n;
}

/** A fixed, seeded sample of `count` of the users that have a truth item, ascending. */
export function sampleTruthUsers(truth: Csr, count: number, rng: Rng): Csr {
  const candidates: number[] = [];
  for (let u = 0; u < truth.rows; u++) if (truth.indptr[u + 1] > truth.indptr[u]) candidates.push(u);
  if (count < candidates.length) {
    for (let k = 0; k < count; k++) {
      const j = k + rng.int(candidates.length - k);
      [candidates[k], candidates[j]] = [candidates[j], candidates[k]];
    }
    candidates.length = count;
    candidates.sort((a, b) => a - b);
  }
  const rows: number[] = [];
  const cols: number[] = [];
  for (const u of candidates)
    for (let k = truth.indptr[u]; k < truth.indptr[u + 1]; k++) {
      rows.push(u);
      cols.push(truth.indices[k]);
    }
  return csrFromPairs(truth.rows, truth.cols, rows, cols);
}

/** The child entry beside this module when built; from sources (vitest) there is none and ours runs in-process. */
function childScript(): string | undefined {
  const here = fileURLToPath(new URL("./scale-child.js", import.meta.url));
  return here.endsWith(".js") && existsSync(here) ? here : undefined;
}

async function runOurs(
  dir: string,
  train: Csr,
  sample: Csr,
  settings: ScaleSettings,
  io: BenchIo,
): Promise<{ ours: ScaleOurs; isolated: boolean }> {
  const script = childScript();
  if (script === undefined) return { ours: await measureScaleOurs(train, sample, settings), isolated: false };
  await writeNpy(join(dir, "train_indptr.npy"), train.indptr, [train.indptr.length]);
  await writeNpy(join(dir, "train_indices.npy"), train.indices, [train.indices.length]);
  await writeNpy(join(dir, "sample_indptr.npy"), sample.indptr, [sample.indptr.length]);
  await writeNpy(join(dir, "sample_indices.npy"), sample.indices, [sample.indices.length]);
  await writeFile(join(dir, "graph.json"), JSON.stringify({ users: train.rows, items: train.cols }));
  await writeFile(join(dir, "settings.json"), JSON.stringify(settings));
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (done) => {
      const child = spawn(process.execPath, [script, "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
      child.stderr.on("data", (chunk: Buffer) => {
        err += chunk.toString("utf8");
        io.stderr.write(chunk.toString("utf8"));
      });
      child.on("error", (error) => done({ code: -1, stdout: out, stderr: `${err}${error.message}` }));
      child.on("close", (exitCode) => done({ code: exitCode, stdout: out, stderr: err }));
    },
  );
  const last = stdout.trim().split("\n").pop() ?? "";
  if (code !== 0 || last === "")
    throw new Error(
      `scale: our measurement (${script}) exited ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`,
    );
  return { ours: JSON.parse(last) as ScaleOurs, isolated: true };
}

/** Bytes of what a run must hold: parameters, Adam's two moments, Â as CSR (int32 + float32) and the train CSR. */
export function modelBytes(users: number, items: number, interactions: number, dim: number) {
  const nodes = users + items;
  const parameters = 4 * nodes * dim;
  const graph = 4 * (nodes + 1) + 8 * 2 * interactions + 4 * (users + 1) + 4 * interactions;
  return { parameters, optimizer: 2 * parameters, graph, total: 3 * parameters + graph };
}

/** `pnpm bench scale`: see SCALE_USAGE. Returns the exit status. */
export async function scaleCommand(argv: readonly string[], io: BenchIo): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, [
    { key: "sizes" },
    { key: "out" },
    { key: "steps" },
    { key: "warmupSteps" },
    { key: "minStepSeconds" },
    { key: "evalPairs" },
    { key: "evalRepeats" },
    { key: "dim" },
    { key: "threads" },
    { key: "python" },
    { key: "dataDir" },
    { key: "skipEncoding", boolean: true },
    { key: "json", boolean: true },
    { key: "help", boolean: true },
  ]);
  if (values.help) {
    io.stdout.write(SCALE_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new ConfigError(positionals[0], `unexpected argument "${positionals[0]}"`);
  const cwd = io.cwd ?? process.cwd();
  const sizeText = typeof values.sizes === "string" ? values.sizes : DEFAULT_SCALE_SIZES.join(",");
  const sizes =
    sizeText.trim() === "none"
      ? []
      : sizeText
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "");
  if (sizes.length === 0 && sizeText.trim() !== "none")
    throw new ConfigError("sizes", "--sizes needs at least one of S, M, L (or none: text encoding only)");
  for (const s of sizes)
    if (SCALE_SIZES[s] === undefined) throw new ConfigError("sizes", `unknown size "${s}"; expected S, M or L`);
  if (new Set(sizes).size !== sizes.length) throw new ConfigError("sizes", `--sizes lists a size twice: ${sizeText}`);
  const threads = positiveNumber(values.threads, 0, "threads", true) || availableParallelism();
  const dim = positiveNumber(values.dim, 64, "dim", true);
  if (dim < 1) throw new ConfigError("dim", "--dim must be at least 1");
  const settings: ScaleSettings = {
    dim,
    layers: 3,
    batchSize: 2048,
    topK: 20,
    warmupSteps: positiveNumber(values.warmupSteps, 3, "warmupSteps", true),
    steps: Math.max(1, positiveNumber(values.steps, 10, "steps", true)),
    minStepSeconds: positiveNumber(values.minStepSeconds, 5, "minStepSeconds", false),
    evalRepeats: Math.max(1, positiveNumber(values.evalRepeats, 5, "evalRepeats", true)),
    evalWarmups: 1,
    chunkSize: 256,
    seed: 2020,
    threads,
  };
  const evalPairs = Math.max(1, positiveNumber(values.evalPairs, DEFAULT_EVAL_PAIRS, "evalPairs", true));
  const python = typeof values.python === "string" ? resolve(cwd, values.python) : DEFAULT_PYTHON;
  const root = findRepoRoot(cwd) ?? findRepoRoot(fileURLToPath(new URL(".", import.meta.url))) ?? cwd;
  const out = typeof values.out === "string" ? resolve(cwd, values.out) : join(root, "docs", "results");
  const ompWaitPolicy = torchWaitPolicy(io.env);

  const loadStart = loadavg();
  const measured: ScaleSize[] = [];
  const scratch = await mkdtemp(join(tmpdir(), "llminit-scale-"));
  try {
    for (const name of sizes) {
      const shape = SCALE_SIZES[name];
      const rng = createRng(settings.seed).child(`scale-${name}`);
      io.stderr.write(
        `scale: ${name}: generating ${shape.like}-like ${shape.users} users × ${shape.items} items × ${shape.interactions} interactions\n`,
      );
      const t0 = performance.now();
      const graph = generatePowerLawGraph({ ...shape, rng: rng.child("edges") });
      const train = graph.train;
      const truth = heldOutTruth(train, rng.child("truth"));
      const truthUsers = truth.indptr.reduce(
        (n, _, u) => (u < truth.rows && truth.indptr[u + 1] > truth.indptr[u] ? n + 1 : n),
        0,
      );
      const sampleSize = Math.min(truthUsers, Math.max(1, Math.floor(evalPairs / train.cols)));
      const sample = sampleTruthUsers(truth, sampleSize, rng.child("eval-sample"));
      const generateSeconds = (performance.now() - t0) / 1000;
      const dir = join(scratch, name);
      await mkdir(dir, { recursive: true });
      const engineShape = {
        model: "lightgcn" as const,
        users: train.rows,
        items: train.cols,
        interactions: graph.interactions,
        dim,
        layers: settings.layers,
        batchSize: settings.batchSize,
        threads,
      };
      let fits: ScaleSize["fits"];
      try {
        const memory = assertKernelEngineFits(engineShape);
        fits = { ok: true, wasmBytes: memory.total, largestDim: largestFittingDim({ ...engineShape, dim: 1 << 16 }) };
      } catch (error) {
        fits = {
          ok: false,
          message: error instanceof Error ? error.message : String(error),
          largestDim: largestFittingDim(engineShape),
        };
      }
      let ours: ScaleOurs | null = null;
      let isolated = false;
      if (fits.ok) {
        io.stderr.write(`scale: ${name}: ours (${sampleSize} of ${truthUsers} users ranked per evaluation)\n`);
        ({ ours, isolated } = await runOurs(dir, train, sample, settings, io));
      } else io.stderr.write(`scale: ${name}: ours not run: ${fits.message}\n`);
      io.stderr.write(`scale: ${name}: PyTorch (${python})\n`);
      const torch = await runTorchSpeed({
        python,
        dir,
        train,
        truth: sample,
        dim,
        layers: settings.layers,
        batchSize: settings.batchSize,
        repeats: 1,
        evalRepeats: settings.evalRepeats,
        warmups: settings.evalWarmups,
        threads,
        topK: settings.topK,
        chunkSize: settings.chunkSize,
        seed: settings.seed,
        ompWaitPolicy,
        steps: settings.steps,
        warmupSteps: settings.warmupSteps,
        minStepSeconds: settings.minStepSeconds,
        evalTruthUsers: true,
        skipPropagation: true,
      });
      await rm(dir, { recursive: true, force: true });
      measured.push({
        name,
        like: shape.like,
        users: train.rows,
        items: train.cols,
        interactions: graph.interactions,
        duplicateDraws: graph.duplicateDraws,
        generateSeconds,
        truthUsers,
        sampleUsers: sampleSize,
        model: modelBytes(train.rows, train.cols, graph.interactions, dim),
        fits,
        ours,
        oursIsolated: isolated,
        torch,
      });
      if (ours !== null)
        io.stderr.write(
          `scale: ${name}: ours step ${ours.trainStepMs.toFixed(1)} ms, eval ${ours.evalSampleSeconds.toFixed(2)} s per ${ours.evalUsers} users, peak RSS ${ours.peakRssMiB.toFixed(0)} MiB\n`,
        );
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  let encoding: ScaleReport["encoding"] = null;
  if (values.skipEncoding !== true) {
    const data = findDataDir(typeof values.dataDir === "string" ? resolve(cwd, values.dataDir) : undefined, io.env, [
      cwd,
      fileURLToPath(new URL(".", import.meta.url)),
    ]);
    const titles = data.dir === undefined ? { texts: [], source: "" } : await buildRealTitles(data.dir);
    if (titles.texts.length === 0) {
      io.stderr.write("scale: text encoding skipped: no amazon-office-products or ml-100k item file in the data dir\n");
    } else {
      io.stderr.write(`scale: use-lite encoding of ${titles.texts.length} real item texts\n`);
      encoding = { ...(await measureUseLite(titles.texts)), source: titles.source };
    }
  }

  const cpuList = cpus();
  const torchVersion =
    measured.map((g) => (g.torch.available ? g.torch.result.torch : null)).find((v) => v !== null) ?? null;
  const report: ScaleReport = {
    machine: {
      cpu: cpuList[0]?.model.trim() ?? "unknown",
      cores: cpuList.length,
      node: process.version,
      torch: torchVersion,
      python,
      ompWaitPolicy,
      loadAverageStart: loadStart,
      loadAverageEnd: loadavg(),
    },
    settings: { ...settings, evalPairs, wasmLimitBytes: WASM32_MEMORY_LIMIT_BYTES },
    command: `pnpm bench scale ${argv.join(" ")}`.trim(),
    date: new Date().toISOString(),
    sizes: measured,
    encoding,
  };
  const markdown = renderScaleMarkdown(report, "scale.svg");
  const json = `${JSON.stringify(report, null, 2)}\n`;
  await mkdir(out, { recursive: true });
  await writeFileAtomic(join(out, "scale.md"), markdown);
  await writeFileAtomic(join(out, "scale.svg"), `${renderScaleChart(report)}\n`);
  await writeFileAtomic(join(out, "scale.json"), json);
  io.stderr.write(`scale: wrote ${join(out, "scale.md")}, scale.svg and scale.json\n`);
  io.stdout.write(values.json === true ? json : markdown);
  return measured.length > 0 || encoding !== null ? 0 : 1;
}
