import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, createRng, csrNnz, parseCliArgs, silentLogger } from "@llminit/core";
import { writeFileAtomic } from "@llminit/core/node";
import { prepareDataset } from "@llminit/data";
import { modelDefaults, trainModel, type TrainConfig } from "@llminit/models";
import { checkOutputPath, checkpointFingerprint, CheckpointWriter } from "@llminit/pipeline";
import { findDataDir } from "./find-data-dir.js";
import { benchMachine, type BenchMachine } from "./bench-machine.js";
import { lockBenchOut } from "./lock-bench-out.js";
import type { BenchIo } from "./main.js";
import { median } from "./speed-ours.js";

/** The target: a checkpoint costs at most this share of an epoch's training time. */
export const CHECKPOINT_TARGET = 0.1;

export const CHECKPOINT_USAGE = `usage: pnpm bench checkpoint [--dataset amazon-office-products] [--data-dir DIR] [--epochs 10]
                             [--threads 0] [--out DIR] [--json]

What the per-epoch training checkpoint costs.
  LightGCN with the paper's settings (d = 128, 2 layers, batch 256, Adam lr 1e-3; xavier init: the
  cost does not depend on it) on the dataset as the pipeline prepares it (rating ≥ 4, 5-core, random
  leave-one-out). Without a validation callback the best epoch changes every epoch, so every
  checkpoint also writes the best-epoch table: the worst case. Per epoch: training seconds, the
  state's export from the engine, and the write (four fsync'd .npy tables and the manifest) into a
  temporary folder. Target: export + write ≤ ${CHECKPOINT_TARGET * 100} % of the median epoch.
  --out DIR   also write DIR/checkpoint.json and DIR/checkpoint.md
`;

export interface CheckpointCostReport {
  command: string;
  machine: BenchMachine;
  dataset: { name: string; users: number; items: number; trainInteractions: number };
  settings: { dim: number; layers: number; batchSize: number; epochs: number; threads: number | "auto" };
  backend: string;
  /** Bytes of one checkpoint (tables and manifest). */
  checkpointBytes: number;
  epochSeconds: number[];
  exportSeconds: number[];
  writeSeconds: number[];
  medianEpochSeconds: number;
  medianCheckpointSeconds: number;
  /** median(export + write) ÷ median(epoch). */
  share: number;
  target: number;
}

export function renderCheckpointMarkdown(report: CheckpointCostReport): string {
  const ms = (s: number) => (1000 * s).toFixed(1);
  const { dataset, settings } = report;
  return [
    `## Training checkpoint cost on ${dataset.name}`,
    "",
    `\`${report.command}\``,
    "",
    `${dataset.users} users × ${dataset.items} items × ${dataset.trainInteractions} train interactions; LightGCN ` +
      `d = ${settings.dim}, ${settings.layers} layers, batch ${settings.batchSize}, ${settings.epochs} epochs on ` +
      `${report.backend}; machine ${report.machine.cpu} × ${report.machine.cores}, node ${report.machine.node}, ` +
      `load average ${report.machine.loadAverageStart.map((x) => x.toFixed(2)).join("/")} at start, ` +
      `${report.machine.loadAverageEnd.map((x) => x.toFixed(2)).join("/")} at end`,
    "",
    "| | median | min | max |",
    "|---|---|---|---|",
    ...(
      [
        ["epoch training (ms)", report.epochSeconds],
        ["checkpoint: export from the engine (ms)", report.exportSeconds],
        ["checkpoint: write, fsync, rename (ms)", report.writeSeconds],
      ] as const
    ).map(
      ([label, values]) =>
        `| ${label} | ${ms(median(values))} | ${ms(Math.min(...values))} | ${ms(Math.max(...values))} |`,
    ),
    "",
    `checkpoint: ${(report.checkpointBytes / 2 ** 20).toFixed(2)} MiB; median export + write ` +
      `${ms(report.medianCheckpointSeconds)} ms = ${(100 * report.share).toFixed(1)} % of the median epoch ` +
      `(target ≤ ${report.target * 100} %: ${report.share <= report.target ? "met" : "**missed**"})`,
    "",
  ].join("\n");
}

/** `pnpm bench checkpoint`: see CHECKPOINT_USAGE. */
export async function checkpointCommand(argv: readonly string[], io: BenchIo): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, [
    { key: "dataset" },
    { key: "dataDir" },
    { key: "epochs" },
    { key: "threads" },
    { key: "out" },
    { key: "json", boolean: true },
    { key: "help", boolean: true },
  ]);
  if (values.help) {
    io.stdout.write(CHECKPOINT_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new ConfigError(positionals[0], `unexpected argument "${positionals[0]}"`);
  const cwd = io.cwd ?? process.cwd();
  const epochs = values.epochs === undefined ? 10 : Number(values.epochs);
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new ConfigError("epochs", `expected an integer ≥ 1, got ${JSON.stringify(values.epochs)}`);
  const threadCount = values.threads === undefined ? 0 : Number(values.threads);
  if (!Number.isInteger(threadCount) || threadCount < 0)
    throw new ConfigError("threads", `expected an integer ≥ 0 (0: every core), got ${JSON.stringify(values.threads)}`);
  const threads = threadCount === 0 ? "auto" : threadCount;
  const out = typeof values.out === "string" ? resolve(cwd, values.out) : undefined;
  if (out !== undefined) checkOutputPath("--out", out, "folder");
  const dataset = typeof values.dataset === "string" ? values.dataset : "amazon-office-products";
  const data = findDataDir(typeof values.dataDir === "string" ? resolve(cwd, values.dataDir) : undefined, io.env, [
    cwd,
    fileURLToPath(new URL(".", import.meta.url)),
  ]);
  const loadAverageStart = loadavg();
  io.stderr.write(`checkpoint: preparing ${dataset}\n`);
  const prepared = await prepareDataset(dataset.includes("/") ? resolve(cwd, dataset) : dataset, {
    dataDir: data.dir,
    rng: createRng(2020).child("data"),
    download: false,
    logger: silentLogger,
  });
  const train = prepared.split.train;
  const settings = { dim: 128, layers: 2, batchSize: 256 };
  const config = {
    ...modelDefaults.lightgcn,
    model: "lightgcn",
    ...settings,
    learningRate: 1e-3,
    epochs,
    patience: epochs + 1,
  } as TrainConfig;
  const scratch = await mkdtemp(join(tmpdir(), "llminit-checkpoint-bench-"));
  const writer = new CheckpointWriter(
    join(scratch, "training"),
    checkpointFingerprint("lightgcn", train, settings.dim),
  );
  const exportSeconds: number[] = [];
  const writeSeconds: number[] = [];
  let epochEnded = 0;
  try {
    io.stderr.write(`checkpoint: ${epochs} epochs of LightGCN, a checkpoint after each\n`);
    const result = await trainModel({
      train,
      config,
      init: { kind: "xavier" },
      rng: createRng(2020).child("train"),
      engine: "kernels",
      threads,
      logger: silentLogger,
      // onEpoch runs just before the trainer exports the state, onCheckpoint just after.
      onEpoch: () => (epochEnded = performance.now()),
      onCheckpoint: async (checkpoint) => {
        const exported = performance.now();
        exportSeconds.push((exported - epochEnded) / 1000);
        await writer.save(checkpoint);
        writeSeconds.push((performance.now() - exported) / 1000);
      },
    });
    const epochSeconds = result.history.map((h) => h.seconds);
    const checkpointSeconds = exportSeconds.map((s, k) => s + writeSeconds[k]);
    const report: CheckpointCostReport = {
      command: `pnpm bench checkpoint ${argv.join(" ")}`.trim(),
      machine: benchMachine(loadAverageStart),
      dataset: { name: prepared.name, users: train.rows, items: train.cols, trainInteractions: csrNnz(train) },
      settings: { ...settings, epochs, threads },
      backend: result.backend,
      checkpointBytes: await newestCheckpointBytes(writer.dir),
      epochSeconds,
      exportSeconds,
      writeSeconds,
      medianEpochSeconds: median(epochSeconds),
      medianCheckpointSeconds: median(checkpointSeconds),
      share: median(checkpointSeconds) / median(epochSeconds),
      target: CHECKPOINT_TARGET,
    };
    const markdown = renderCheckpointMarkdown(report);
    if (out !== undefined) {
      const lock = lockBenchOut(out, "checkpoint");
      try {
        await writeFileAtomic(join(out, "checkpoint.json"), `${JSON.stringify(report, null, 2)}\n`);
        await writeFileAtomic(join(out, "checkpoint.md"), markdown);
      } finally {
        lock.release();
      }
      io.stderr.write(`checkpoint: wrote ${join(out, "checkpoint.md")} and .json\n`);
    }
    io.stdout.write(values.json === true ? `${JSON.stringify(report)}\n` : markdown);
    return 0;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Bytes of the newest checkpoint in `dir`: its manifest, its tables and the newest best-epoch table. */
async function newestCheckpointBytes(dir: string): Promise<number> {
  const names = (await readdir(dir)).sort();
  const manifest = names.filter((name) => /^epoch-\d+\.json$/.test(name)).at(-1);
  const best = names.filter((name) => name.startsWith("best-ego-")).at(-1);
  if (manifest === undefined) return 0;
  const stem = manifest.slice(0, -".json".length);
  const files = [...names.filter((name) => name.startsWith(stem)), ...(best === undefined ? [] : [best])];
  let bytes = 0;
  for (const name of files) bytes += (await stat(join(dir, name))).size;
  return bytes;
}
