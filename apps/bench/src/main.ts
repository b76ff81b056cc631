import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ConfigError,
  flagName,
  LlminitError,
  parseCliArgs,
  wantsHelp,
  type FlagSpec,
  type Logger,
  type LogFields,
  type LogLevel,
} from "@llminit/core";
import {
  acquireFolderLock,
  checkDataset,
  checkEncoderSpec,
  checkOutputPath,
  coerceOption,
  createFolders,
  describeFsError,
  listModels,
  removeFolders,
  resolveRunConfig,
  RUN_OPTIONS,
  runExperiment,
  type FolderLock,
  type RunConfig,
} from "@llminit/pipeline";
import { checkCellLimits } from "./check-cell-limits.js";
import { findDataDir } from "./find-data-dir.js";

import { planFullCells, planGrid, type GridAxes, type PlannedCell } from "./plan-grid.js";
import { latestById, readResults } from "./results-file.js";
import { checkpointCommand, CHECKPOINT_USAGE } from "./checkpoint-command.js";
import { oversubscriptionCommand, OVERSUBSCRIPTION_USAGE } from "./oversubscription-command.js";
import { resumeCommand, RESUME_USAGE } from "./resume-command.js";
import { layersFor, resolveCell, runGrid, type ConfigLayer } from "./run-grid.js";
import {
  QUEUE_FLAGS,
  QUEUE_USAGE,
  collectCommand,
  enqueueGridCommand,
  statusCommand,
  workerCommand,
} from "./queue-commands.js";
import { scaleCommand, SCALE_USAGE } from "./scale-command.js";
import { speedCommand, SPEED_USAGE } from "./speed-command.js";
import type { Experiment, Setting } from "./types.js";
import { writeReports } from "./write-reports.js";

export interface BenchIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  /** Working directory for relative paths and the repository lookup (default: process.cwd()). */
  cwd?: string;
}

export interface BenchDeps {
  /** The pipeline's runExperiment (tests count or fake calls through this). */
  runExperiment?: typeof runExperiment;
}

export const DEFAULT_SEEDS = [2020, 2021, 2022];
export const DEFAULT_DATASETS = ["amazon-office-products", "ml-100k"];
export const DEFAULT_SPARSE_KEEP = 3;
export const DEFAULT_COLLAPSE_DIMS = [32, 64, 128, 256, 512];
export const DEFAULT_COLD_ITEMS = 0.2;

/** Run options the grids set themselves; every other pipeline option passes through. */
const GRID_KEYS = new Set([
  "dataset",
  "model",
  "init",
  "seed",
  "out",
  "sparseKeep",
  "sparseRatio",
  "dataDir",
  "coldItems",
]);

interface CommandSpec {
  experiment: Experiment;
  flags: FlagSpec[];
  /** Run options this command varies itself. */
  owned: string[];
  defaults: { models: string; inits: string; settings: string };
}

const COMMON_FLAGS: FlagSpec[] = [
  { key: "datasets" },
  { key: "seeds" },
  { key: "dataDir" },
  { key: "out" },
  { key: "models" },
  { key: "inits" },
  { key: "settings" },
  { key: "sparseKeep" },
  { key: "verbose", boolean: true },
  { key: "help", boolean: true },
  // Parsed only to be refused with a reason (see gridCommand).
  { key: "config" },
];

const COMMANDS: Record<Experiment, CommandSpec> = {
  paper: {
    experiment: "paper",
    flags: [],
    owned: [],
    defaults: { models: "lightgcn,sgl,sgcl", inits: "none,rand,uni,var", settings: "full,sparse" },
  },
  collapse: {
    experiment: "collapse",
    flags: [{ key: "dims" }],
    owned: ["dim"],
    defaults: { models: "lightgcn", inits: "none,var,full", settings: "full" },
  },
  encoders: {
    experiment: "encoders",
    flags: [{ key: "encoders" }],
    owned: ["encoder"],
    defaults: { models: "lightgcn", inits: "var", settings: "full" },
  },
  "cold-items": {
    experiment: "cold-items",
    flags: [{ key: "coldItems" }],
    owned: [],
    defaults: { models: "lightgcn,sgl,sgcl", inits: "none,var", settings: "full" },
  },
};

function runFlags(owned: readonly string[]): FlagSpec[] {
  return RUN_OPTIONS.filter((s) => !GRID_KEYS.has(s.key) && !owned.includes(s.key)).map((s) => ({
    key: s.key,
    boolean: s.kind === "boolean",
  }));
}

const GRID_OPTIONS_HELP = `common options:
  --datasets a,b        registry names or folders [${DEFAULT_DATASETS.join(",")}]
  --seeds 2020,2021     root seeds; one number 1…100 is a count (--seeds 5: 2020…2024) [${DEFAULT_SEEDS.join(",")}]
  --epochs N            maximum epochs per run [pipeline default 300]
  --data-dir DIR        where datasets are found by name [$LLMINIT_DATA_DIR, else <repo>/../shared/data]
  --out DIR             results.jsonl, report.md, report.html, runs/<cell-id>/; one grid at a time (locked)
  --models, --inits, --settings full,sparse, --sparse-keep K (sparse: ≤ K training interactions per user)
  --verbose             the pipeline's info logs and one line per epoch on stderr; stack traces on errors
  --queue URL           enqueue the cells on a BullMQ queue (redis://HOST:PORT/N) for \`bench worker\` processes
                        instead of running them here [--grid NAME] [--attempts 3] [--retry-delay 5]
  -h, --help            this help
  any other run option of \`llminit run\` (--dim, --encoder, --batch-size, --cache-dir, --backend, …)
  applies to every cell (llminit run --help lists them); a model's own option (--temperature,
  --ssl-weight, …) to the cells of the models that take it (llminit models). Every axis and every
  cell's options are checked before the first cell runs.

Each finished cell is appended to DIR/results.jsonl at once; a rerun skips cells recorded ok and
retries failed ones. Exit status: 0 every cell ok, 1 some cell failed, 2 bad usage or option.
`;

const USAGE = `llminit-bench — reproduce the LLMInit paper's tables and figures

usage (from the repository root: pnpm bench <command> …):
  paper     [--models lightgcn,sgl,sgcl] [--inits none,rand,uni,var] [--settings full,sparse] [--sparse-keep 3]
            the main tables: datasets × settings × models × inits × seeds (models: see llminit models)
  collapse  [--dims 32,64,128,256,512] [--inits none,var,full]
            LightGCN at each d; effective rank of the learned item embeddings (full = uni with d = D)
  encoders  --encoders use-lite,file:/x.npy,… [--inits var]
            the same LightGCN run with different text encoders
  cold-items [--cold-items 0.2] [--models lightgcn,sgl,sgcl] [--inits none,var]
            item cold-start: hold out a share of the items; direct / map / map-knn / content-knn / random
            scored in the cold and hybrid settings from each trained run
  report    --out DIR
            regenerate DIR/report.md and DIR/report.html from DIR/results.jsonl
  speed     [--json] [--graphs office,ml-100k,beauty-synthetic] [--repeats 3] [--python /usr/bin/python3]
            time training and evaluation against PyTorch on this CPU (speed --help)
  scale     [--sizes S,M,L] [--out docs/results]
            cost growth from 0.2 M to 20 M interactions, ours vs PyTorch (scale --help)
  checkpoint [--dataset amazon-office-products] [--epochs 10]
            what the per-epoch training checkpoint costs against an epoch (checkpoint --help)
  resume    [--dataset amazon-office-products] [--kill-after 3|random] [run options]
            a kill -9 / llminit run --resume pair beside an uninterrupted run (resume --help)
  oversubscription [--dataset amazon-office-products] [--processes 2] [run options]
            one llminit run alone, then two at once on the same cores (oversubscription --help)

${QUEUE_USAGE}
Each command's own options: pnpm bench <command> --help (or -h anywhere).

${GRID_OPTIONS_HELP}`;

const COMMAND_HELP: Record<string, string> = {
  paper: `usage: pnpm bench paper [--models lightgcn,sgl,sgcl] [--inits none,rand,uni,var] [--settings full,sparse]
                   [--sparse-keep 3] [common options]

The main tables: datasets × settings × models × inits × seeds.

${GRID_OPTIONS_HELP}`,
  collapse: `usage: pnpm bench collapse [--dims 32,64,128,256,512] [--inits none,var,full] [common options]

LightGCN at each d; effective rank of the learned item embeddings (full = init uni with d = D).

${GRID_OPTIONS_HELP}`,
  encoders: `usage: pnpm bench encoders --encoders use-lite,file:/x.npy,… [--inits var] [common options]

The same LightGCN run with different text encoders.

${GRID_OPTIONS_HELP}`,
  "cold-items": `usage: pnpm bench cold-items [--cold-items 0.2] [--models lightgcn,sgl,sgcl] [--inits none,var]
                        [common options]

Item cold-start: every cell holds out a seeded share of the items (--cold-items R, in (0, 0.9];
half cold validation, half cold test) with all their interactions, trains on the warm items, and
scores the held-out items from their text with direct / map / map-knn / content-knn / random, in
the cold setting (cold test items ranked alone) and the hybrid one (with the warm items). Every
run encodes the item texts, also with init none. The report has one cold/hybrid table and one
warm-items table per dataset.

  --cold-items R        share of the items held out in every cell [${DEFAULT_COLD_ITEMS}]

${GRID_OPTIONS_HELP}`,
  report: `usage: pnpm bench report --out DIR

Regenerates DIR/report.md and DIR/report.html from DIR/results.jsonl alone. With no results
there, it writes nothing (earlier reports stay as they are) and exits 2.
`,
  checkpoint: CHECKPOINT_USAGE,
  resume: RESUME_USAGE,
  oversubscription: OVERSUBSCRIPTION_USAGE,
  speed: SPEED_USAGE,
  scale: SCALE_USAGE,
  worker: QUEUE_USAGE,
  status: QUEUE_USAGE,
  collect: QUEUE_USAGE,
};

/** Runs a benchmark command; returns the exit status. */
export async function main(argv: readonly string[], io: BenchIo, deps: BenchDeps = {}): Promise<number> {
  const [command, ...rest] = argv;
  const verbose = argv.includes("--verbose");
  try {
    if (command !== undefined && command in COMMAND_HELP && wantsHelp(rest)) {
      io.stdout.write(COMMAND_HELP[command]);
      return 0;
    }
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        // `pnpm bench help scale`, `pnpm bench -h scale`: that command's help.
        io.stdout.write(rest[0] !== undefined && rest[0] in COMMAND_HELP ? COMMAND_HELP[rest[0]] : USAGE);
        return command === undefined ? 2 : 0;
      case "paper":
      case "collapse":
      case "encoders":
      case "cold-items":
        return await gridCommand(COMMANDS[command], rest, io, deps);
      case "report":
        return await reportCommand(rest, io);
      case "speed":
        return await speedCommand(rest, io);
      case "scale":
        return await scaleCommand(rest, io);
      case "worker":
        return await workerCommand(rest, io);
      case "status":
        return await statusCommand(rest, io);
      case "collect":
        return await collectCommand(rest, io);
      case "checkpoint":
        return await checkpointCommand(rest, io);
      case "resume":
        return await resumeCommand(rest, io);
      case "oversubscription":
        return await oversubscriptionCommand(rest, io);
      default:
        io.stderr.write(
          `llminit-bench: error: unknown command "${command}" (expected paper, collapse, encoders, cold-items, report, speed, scale, worker, status, collect, checkpoint, resume, oversubscription, help)\n`,
        );
        return 2;
    }
  } catch (error) {
    const stack = verbose && error instanceof Error && error.stack !== undefined ? `${error.stack}\n` : "";
    if (error instanceof LlminitError) {
      io.stderr.write(`llminit-bench: error: ${error.message}\n${stack}`);
      return error.code === "E_CONFIG" ? 2 : 1;
    }
    const fsError = error as NodeJS.ErrnoException;
    if (typeof fsError?.code === "string" && typeof fsError.path === "string") {
      io.stderr.write(`llminit-bench: error: ${fsError.path}: ${describeFsError(error)}\n${stack}`);
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(
      `llminit-bench: unexpected error: ${message}${verbose ? "" : " (--verbose shows the stack trace)"}\n${stack}`,
    );
    return 1;
  }
}

function list(value: string | boolean | undefined, fallback: string, key: string): string[] {
  const text = typeof value === "string" ? value : fallback;
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) throw new ConfigError(key, `--${flagName(key)} needs at least one value`);
  if (new Set(items).size !== items.length)
    throw new ConfigError(key, `--${flagName(key)} lists a value twice: ${text}`);
  return items;
}

function integers(
  value: string | boolean | undefined,
  fallback: readonly number[],
  key: string,
  min: number,
): number[] {
  const items = list(value, fallback.join(","), key);
  return items.map((item) => {
    const n = Number(item);
    if (!Number.isSafeInteger(n) || n < min)
      throw new ConfigError(
        key,
        `expected ${min === Number.MIN_SAFE_INTEGER ? "integers of at most 2^53 − 1 in size" : `integers ≥ ${min}`}, got "${item}"`,
      );
    return n;
  });
}

/**
 * `--seeds 2020,2021` lists seeds; one number up to 100 is a count: `--seeds 5` = 2020 … 2024.
 * `--seeds 0` (a count of none) is an error; `--seeds 0,` is the one seed 0.
 */
export function seedList(value: string | boolean | undefined): number[] {
  const seeds = integers(value, DEFAULT_SEEDS, "seeds", Number.MIN_SAFE_INTEGER);
  const count = seeds.length === 1 && typeof value === "string" && !value.includes(",");
  if (count && seeds[0] === 0)
    throw new ConfigError(
      "seeds",
      "--seeds 0: one number 1…100 is a count of seeds, so 0 plans no run; for the seed 0 alone write --seeds 0,",
    );
  if (count && seeds[0] >= 1 && seeds[0] <= 100) {
    return Array.from({ length: seeds[0] }, (_, i) => DEFAULT_SEEDS[0] + i);
  }
  return seeds;
}

/** `--cold-items R`: the share of items the cold-items benchmark holds out, in (0, 0.9]. */
function coldItemsOption(value: string | boolean | undefined): number {
  if (value === undefined) return DEFAULT_COLD_ITEMS;
  const spec = RUN_OPTIONS.find((s) => s.key === "coldItems")!;
  return coerceOption(spec, value, "command line", "--cold-items") as number;
}

function stderrLogger(stream: BenchIo["stderr"], verbose: boolean): Logger {
  return {
    log(level: LogLevel, message: string, fields?: LogFields) {
      if (level === "debug" || (level === "info" && !verbose)) return;
      const extra =
        fields === undefined
          ? ""
          : Object.entries(fields)
              .map(([k, v]) => ` ${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
              .join("");
      stream.write(`  [${level}] ${message}${extra}\n`);
    },
  };
}

function choicesOf(key: string): readonly string[] {
  return RUN_OPTIONS.find((spec) => spec.key === key)?.choices ?? [];
}

function checkChoices(key: string, values: readonly string[], choices: readonly string[]): void {
  for (const value of values)
    if (!choices.includes(value))
      throw new ConfigError(
        key,
        `--${flagName(key)}: "${value}" is not one of ${choices.join(", ")}` +
          (key === "models" ? " (llminit models lists them)" : ""),
      );
}

function outDir(values: Record<string, string | boolean>, io: BenchIo, command: string): string {
  const cwd = io.cwd ?? process.cwd();
  return typeof values.out === "string" ? resolve(cwd, values.out) : resolve(cwd, "runs", "bench", command);
}

async function gridCommand(spec: CommandSpec, argv: readonly string[], io: BenchIo, deps: BenchDeps): Promise<number> {
  const { values } = parseCliArgs(argv, [...COMMON_FLAGS, ...QUEUE_FLAGS, ...spec.flags, ...runFlags(spec.owned)]);
  if (values.config !== undefined)
    throw new ConfigError(
      "--config",
      `bench grids take no config file: a grid's options are flags (pnpm bench ${spec.experiment} --help lists ` +
        `them), recorded per cell in results.jsonl; a config file of llminit run replays one run ` +
        `(llminit run --config FILE)`,
    );
  const cwd = io.cwd ?? process.cwd();
  const out = outDir(values, io, spec.experiment);
  checkOutputPath("--out", out, "folder");
  const data = findDataDir(typeof values.dataDir === "string" ? resolve(cwd, values.dataDir) : undefined, io.env, [
    cwd,
    fileURLToPath(new URL(".", import.meta.url)),
  ]);
  const layers: ConfigLayer[] = [];
  if (data.dir !== undefined) layers.push({ source: data.source, values: { dataDir: data.dir } });
  const cli: Record<string, unknown> = {};
  for (const option of runFlags(spec.owned)) if (values[option.key] !== undefined) cli[option.key] = values[option.key];
  layers.push({ source: "command line", values: cli, kind: "flags" });
  // Options shared by every cell are checked once for each model, before anything runs.
  const models = list(values.models, spec.defaults.models, "models");
  const known = listModels();
  checkChoices(
    "models",
    models,
    known.map((m) => m.name),
  );
  const owned = new Set(models.flatMap((model) => known.find((m) => m.name === model)!.settings.map((s) => s.key)));
  for (const key of Object.keys(cli))
    if (RUN_OPTIONS.find((s) => s.key === key)?.models !== undefined && !owned.has(key))
      throw new ConfigError(`--${flagName(key)}`, `is not an option of any model of --models ${models.join(",")}`);
  const checks = models.map((model) =>
    resolveRunConfig([...layersFor(model, layers), { source: "check", values: { dataset: "check", model } }]),
  );
  const base: RunConfig = checks[0];

  const settings = list(values.settings, spec.defaults.settings, "settings");
  for (const s of settings)
    if (s !== "full" && s !== "sparse") throw new ConfigError("settings", `"${s}" is not one of full, sparse`);
  const inits = list(values.inits, spec.defaults.inits, "inits");
  if (spec.experiment !== "collapse" && inits.includes("full"))
    throw new ConfigError("inits", "init full (every encoder column) belongs to the collapse benchmark");
  checkChoices("inits", inits, spec.experiment === "collapse" ? [...choicesOf("init"), "full"] : choicesOf("init"));
  const axes: GridAxes = {
    experiment: spec.experiment,
    datasets: list(values.datasets, DEFAULT_DATASETS.join(","), "datasets").map((d) =>
      d.includes("/") ? resolve(cwd, d) : d,
    ),
    models,
    inits,
    seeds: seedList(values.seeds),
    settings: settings as Setting[],
    sparseKeep: integers(values.sparseKeep, [DEFAULT_SPARSE_KEEP], "sparseKeep", 1)[0],
    dims: spec.experiment === "collapse" ? integers(values.dims, DEFAULT_COLLAPSE_DIMS, "dims", 1) : [base.dim],
    encoders:
      spec.experiment === "encoders"
        ? list(values.encoders, "", "encoders").map((e) =>
            e.startsWith("file:") ? `file:${resolve(cwd, e.slice(5))}` : e,
          )
        : [base.encoder],
    protocol: base.protocol,
    coldItems: spec.experiment === "cold-items" ? coldItemsOption(values.coldItems) : undefined,
  };

  // Queued cells find their data on each worker (--data-dir there), so only a grid run here needs it.
  if (values.queue === undefined) for (const dataset of axes.datasets) await checkDataset(dataset, "datasets");
  // Cold-items cells encode the item texts whatever their init.
  if (axes.coldItems !== undefined || axes.inits.some((init) => init !== "none"))
    for (const encoder of axes.encoders)
      checkEncoderSpec(encoder, spec.experiment === "encoders" ? "encoders" : "encoder");

  const logger = stderrLogger(io.stderr, values.verbose === true);
  const cells = planGrid(axes);
  // Every cell's options are checked before the first one runs: a typo must not cost a grid.
  for (const cell of cells) {
    try {
      resolveCell(cell, { out, layers });
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(error.key, `${error.message} (cell ${cell.id})`);
      throw error;
    }
  }
  if (values.queue !== undefined)
    return await enqueueGridCommand(values, spec.experiment, axes, cells, layers, argv, io);
  // So are the limits that need the data (--ks ≤ items, memory): each dataset is read once for them.
  await checkCellLimits(cells, { out, layers });
  // One grid at a time per folder: a second one would run every cell again into the same results.
  const created = createFolders("--out", out);
  let lock: FolderLock;
  try {
    lock = acquireFolderLock(out, { command: `llminit-bench ${spec.experiment}`, option: "--out", logger });
  } catch (error) {
    removeFolders(created);
    throw error;
  }
  try {
    const plan = { spec, axes, cells, out, layers, dataDir: data.dir, verbose: values.verbose === true };
    return await runCells(plan, logger, io, deps);
  } finally {
    lock.release();
  }
}

interface GridPlan {
  spec: CommandSpec;
  axes: GridAxes;
  cells: PlannedCell[];
  out: string;
  layers: ConfigLayer[];
  dataDir: string | undefined;
  verbose: boolean;
}

async function runCells(plan: GridPlan, logger: Logger, io: BenchIo, deps: BenchDeps): Promise<number> {
  const { spec, axes, cells, out, layers, dataDir } = plan;
  const resultsPath = resolve(out, "results.jsonl");
  const existing = latestById(await readResults(resultsPath, { logger, repair: true }));
  const ctx = {
    out,
    layers,
    run: deps.runExperiment ?? runExperiment,
    stderr: io.stderr,
    logger,
    epochLines: plan.verbose,
  };
  io.stderr.write(
    `${spec.experiment}: results in ${resultsPath}; datasets from ${dataDir ?? "(no data dir: datasets must be folders)"}\n`,
  );

  const first = await runGrid(cells, existing, ctx);
  const outcome = { ran: first.ran, skipped: first.skipped, cells: cells.length };
  if (spec.experiment === "collapse") {
    const full = planFullCells(axes, [...existing, ...first.records]);
    for (const dataset of full.unknown)
      io.stderr.write(
        `collapse: no "full" cells for ${dataset}: no LLM-init cell of it finished, so the encoder dimension D is unknown\n`,
      );
    if (full.cells.length > 0) {
      const second = await runGrid(full.cells, existing, ctx);
      outcome.ran += second.ran;
      outcome.skipped += second.skipped;
      outcome.cells += full.cells.length;
      cells.push(...full.cells);
    }
  }
  const latest = new Map(latestById(await readResults(resultsPath, { logger })).map((r) => [r.id, r]));
  const failed = cells.filter((c) => latest.get(c.id)?.status !== "ok").length;
  const reports = await writeReports(out, { logger });
  io.stdout.write(
    `${spec.experiment}: ${outcome.cells} cells, ran ${outcome.ran}, skipped ${outcome.skipped} (recorded ok), failed ${failed}\n` +
      `results: ${resultsPath}\nreports: ${reports.markdown} ${reports.html}\n`,
  );
  return failed > 0 ? 1 : 0;
}

async function reportCommand(argv: readonly string[], io: BenchIo): Promise<number> {
  const { values } = parseCliArgs(argv, [{ key: "out" }, { key: "help", boolean: true }]);
  if (typeof values.out !== "string")
    throw new ConfigError("--out", "is required: the benchmark folder holding results.jsonl");
  const dir = outDir(values, io, "report");
  if (!existsSync(dir)) throw new ConfigError("--out", `${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new ConfigError("--out", `${dir} is a file, not a benchmark folder`);
  const results = join(dir, "results.jsonl");
  if (!existsSync(results))
    throw new ConfigError("--out", `${results} does not exist: nothing to report (earlier reports left as they are)`);
  const reports = await writeReports(dir, { logger: stderrLogger(io.stderr, false) });
  if (reports.cells === 0)
    throw new ConfigError("--out", `${results} holds no results: nothing to report (earlier reports left as they are)`);
  io.stdout.write(`report of ${reports.cells} cells: ${reports.markdown} ${reports.html}\n`);
  return 0;
}
