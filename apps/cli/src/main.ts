import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, resolve } from "node:path";
import {
  ConfigError,
  flagName,
  LlminitError,
  parseCliArgs,
  wantsHelp,
  type FlagSpec,
  type Logger,
} from "@llminit/core";
import { listDatasets, type DatasetListing } from "@llminit/data";
import {
  checkOutputPath,
  COLD_START_METHODS,
  describeFsError,
  encodeDataset,
  listModels,
  openRecommender,
  readNewItems,
  recommendFromRun,
  resolveRunConfig,
  RESUME_OPTIONS,
  resumeExperiment,
  RUN_OPTIONS,
  runExperiment,
  stagingDir,
  type ColdStartMethod,
  type ConfigLayer,
  type ModelListing,
  type OptionSpec,
  type Recommendation,
  type ResumeOverrides,
  type RunConfig,
  type RunSummary,
} from "@llminit/pipeline";
import { formatColdStart, smallestK } from "./format-cold-start.js";
import { inspectCommand, INSPECT_USAGE } from "./inspect-command.js";
import { watchInterrupts, type InterruptWatch, type SignalSource } from "./interrupt.js";
import { loadConfigFile } from "./load-config-file.js";

import { terminalLogger, terminalProgress, type TerminalStream } from "./terminal-reporter.js";

export interface CliIo {
  stdout: TerminalStream;
  stderr: TerminalStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Where SIGINT / SIGTERM are heard during a run (default: the process). */
  signals?: SignalSource;
  /** How an interrupted run exits (default: process.exit). */
  exit?: (status: number) => void;
}

const OUTPUT_FLAGS: FlagSpec[] = [
  { key: "json", boolean: true },
  { key: "verbose", boolean: true },
  { key: "help", boolean: true },
];
const RUN_FLAGS: FlagSpec[] = [
  { key: "config" },
  ...OUTPUT_FLAGS,
  ...RUN_OPTIONS.map((spec) => ({ key: spec.key, boolean: spec.kind === "boolean" })),
];
/** `run --resume DIR`: the flags it takes besides the run options that RESUME_OPTIONS lets change. */
const RESUME_FLAGS = ["resume", "json", "verbose", "help"];
/** The flags `--resume` allows, as the help and its error name them. */
const RESUME_ALLOWED = [...RESUME_OPTIONS.map((key) => `--${flagName(key)}`), "--json", "--verbose"].join(", ");

/** What `encode` uses of the run options; the others are accepted (one config file serves both) and ignored. */
const ENCODE_KEYS = new Set([
  "dataset",
  "dataDir",
  "minRating",
  "kCore",
  "split",
  "textTemplate",
  "encoder",
  "modelDir",
  "cacheDir",
  "seed",
  "out",
]);

const OUTPUT_HELP = `  --json               JSON on stdout, one object (an array for lists); logs and progress on stderr
  --verbose            debug logs, and the stack trace of an error
  -h, --help           this help`;

const CONFIG_HELP = `  --config FILE        options from a YAML or JSON file: keys as the flags (data-dir: x) or in
                       camelCase (dataDir: x); command line > file > LLMINIT_DATA_DIR > defaults`;

const CONVENTIONS = `Yes/no options take --x, --no-x, --x=false or --x false. Exit status: 0 ok, 1 failure,
2 bad usage or configuration (the message names the option, or the file, line and field).`;

function optionHelp(spec: OptionSpec): string {
  const choices = spec.choices === undefined ? "" : ` {${spec.choices.join("|")}}`;
  const fallback =
    spec.default === undefined
      ? ""
      : ` [${Array.isArray(spec.default) ? spec.default.join(",") : String(spec.default)}]`;
  return `  --${flagName(spec.key).padEnd(18)} ${spec.help}${choices}${fallback}`;
}

const MODEL_OPTIONS_HELP = `model options (each model's own; [default: the models that take it]; llminit models):
${RUN_OPTIONS.filter((spec) => spec.models !== undefined)
  .map(optionHelp)
  .join("\n")}`;

const HELP: Record<string, string> = {
  inspect: INSPECT_USAGE,
  run: `usage: llminit run --dataset NAME [options]
       llminit run --resume DIR [--threads N] [--data-dir D] [--cache-dir C] [--model-dir M] [--json]

Trains and evaluates one model and writes a run folder (--out; default
runs/<dataset>-<model>-<init>-<time>), with a checkpoint after every epoch. Nothing is created
until the options and the data are checked. A folder that holds files is refused unless
--overwrite or --resume.

options (defaults reproduce the paper's protocol):
${RUN_OPTIONS.filter((spec) => spec.models === undefined)
  .map(optionHelp)
  .join("\n")}
  --overwrite          replace the llminit run in a non-empty --out: the new run is written to
                       OUT.llminit-new and replaces it once complete (a kill keeps the old one)
  --resume DIR         continue the run in DIR (stopped at any moment, even by kill -9) from its
                       last epoch checkpoint, to the same metrics, bitwise, as an uninterrupted run;
                       its options come from DIR/config.json, and only these may be given with it:
                       ${RESUME_ALLOWED}
                       A folder in use by a live run is refused; a killed run's lock is taken over.
${CONFIG_HELP}
${OUTPUT_HELP}

${MODEL_OPTIONS_HELP}

${CONVENTIONS}
`,
  encode: `usage: llminit encode --dataset NAME --out FILE.npy [options]

Encodes the filtered items' text into a float32 [items × D] .npy, with the item ids one per line
in FILE.npy.ids.txt; feed it back with --encoder file:FILE.npy.

options:
${RUN_OPTIONS.filter((spec) => ENCODE_KEYS.has(spec.key) && spec.key !== "out")
  .map(optionHelp)
  .join("\n")}
  --out FILE.npy       the matrix to write (required)
${CONFIG_HELP}
${OUTPUT_HELP}
The other options of \`llminit run\` are accepted and ignored, so one config file serves both.

${CONVENTIONS}
`,
  models: `usage: llminit models [--json]

Lists the registered models (--model) with their settings, own options, limits and defaults, as
each model's file declares them; --json gives the same as one JSON array. A setting that a run
does not give takes the chosen model's default.

options:
${OUTPUT_HELP}
`,
  datasets: `usage: llminit datasets [--data-dir DIR] [--json]

Lists the dataset registry and where each dataset is found (or which public files it downloads).

options:
  --data-dir DIR       folder holding <dataset>/ folders [$LLMINIT_DATA_DIR]
${OUTPUT_HELP}
`,
  recommend: `usage: llminit recommend --run DIR --users ID[,ID…] [--k 10] [--json]
       llminit recommend --run DIR --users ID[,ID…] --new-items FILE [--method map] [--encoder SPEC]

Top-k items for users (original ids) from a run folder's final embeddings, leaving out the items
each user trained on. With --new-items, items the run never saw are embedded from their text by
the run's encoder and ranked together with the catalogue (marked "new"); the run needs its
cold-start/ folder (an LLM init, or --cold-items).

options:
  --run DIR            a run folder written by \`llminit run\` (required)
  --users ID,ID        comma-separated user ids (required)
  --k K                items per user, 1 … the run's items (plus the new ones) [10]
  --new-items FILE     new items: a RecBole .item file, or .csv/.tsv with a header naming item_id
                       (or id) and text (or the run's item-text template fields)
  --method M           how a new item is embedded {${COLD_START_METHODS.join("|")}} [map];
                       content-knn scores every item, the catalogue too, by text alone (no CF)
  --encoder SPEC       encode the new items with this spec of the run's model instead of the run's
                       own (e.g. file:new.npy holding their vectors)
  --cache-dir DIR      embedding cache the new items and the catalogue are read through [the run's]
${OUTPUT_HELP}
`,
};

const USAGE = `llminit — LLMInit for collaborative filtering

usage:
  llminit run --dataset NAME [options]       train and evaluate one model (writes a run folder)
  llminit run --resume DIR [--threads N]     continue a killed run from its last epoch checkpoint
  llminit encode --dataset NAME --out FILE.npy [options]
                                             encode the filtered items' text; ids go to FILE.npy.ids.txt
  llminit datasets [--data-dir DIR] [--json] list the dataset registry and where each one is found
  llminit models [--json]                    list the models with their settings, options and defaults
  llminit inspect --dataset NAME [options]   what a run would read, keep and drop; trains nothing
  llminit recommend --run DIR --users ID[,ID…] [--k 10] [--json]
                                             top-k items for users from a saved run
        [--new-items FILE [--method map|map-knn|direct|content-knn|random] [--encoder SPEC]]
                                             …ranked together with new items read from FILE (.item,
                                             .csv or .tsv: item_id + text), embedded by the run's encoder
  llminit help COMMAND                       that command's options (also: llminit COMMAND --help)

common: --config FILE (YAML or JSON; keys as the flags, data-dir, or camelCase, dataDir;
command line > file > defaults), --json (JSON on stdout, logs on stderr), --verbose,
-h/--help. ${CONVENTIONS}

run/encode options (defaults reproduce the paper's protocol):
${RUN_OPTIONS.filter((spec) => spec.models === undefined)
  .map(optionHelp)
  .join("\n")}

${MODEL_OPTIONS_HELP}
`;

function version(): string {
  return (createRequire(import.meta.url)("../package.json") as { version: string }).version;
}

/** Runs the CLI; returns the exit status (0 ok, 1 failure, 2 bad usage or configuration). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const verbose = argv.includes("--verbose");
  try {
    switch (command) {
      case undefined:
      case "--help":
      case "-h":
        // `llminit -h run`: that command's help, as `llminit run -h` gives.
        io.stdout.write(rest[0] !== undefined && rest[0] in HELP ? HELP[rest[0]] : USAGE);
        return command === undefined ? 2 : 0;
      case "help": {
        const topic = rest[0];
        if (topic !== undefined && HELP[topic] === undefined)
          throw new ConfigError(topic, `no help on "${topic}" (commands: ${Object.keys(HELP).join(", ")})`);
        io.stdout.write(topic === undefined ? USAGE : HELP[topic]);
        return 0;
      }
      case "--version":
      case "-v":
        io.stdout.write(`${version()}\n`);
        return 0;
    }
    if (command in HELP && wantsHelp(rest)) {
      io.stdout.write(HELP[command]);
      return 0;
    }
    switch (command) {
      case "run":
        return await runCommand(rest, io);
      case "encode":
        return await encodeCommand(rest, io);
      case "datasets":
        return await datasetsCommand(rest, io);
      case "models":
        return modelsCommand(rest, io);
      case "inspect":
        return await inspectCommand(rest, io, (values) => resolveFromArgs(values, io));
      case "recommend":
        return await recommendCommand(rest, io);
      default:
        io.stderr.write(
          `llminit: error: unknown command "${command}" (expected run, encode, datasets, models, inspect, recommend, help)\n`,
        );
        return 2;
    }
  } catch (error) {
    return reportError(error, io, verbose);
  }
}

/** One line naming what went wrong (the stack follows with --verbose); returns the exit status. */
function reportError(error: unknown, io: CliIo, verbose: boolean): number {
  const stack = verbose && error instanceof Error && error.stack !== undefined ? `${error.stack}\n` : "";
  if (error instanceof LlminitError) {
    io.stderr.write(`llminit: error: ${error.message}\n${stack}`);
    return error.code === "E_CONFIG" ? 2 : 1;
  }
  const fsError = error as NodeJS.ErrnoException;
  if (typeof fsError?.code === "string" && typeof fsError.path === "string") {
    io.stderr.write(`llminit: error: ${fsError.path}: ${describeFsError(error)}\n${stack}`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(
    `llminit: unexpected error: ${message}${verbose ? "" : " (--verbose shows the stack trace)"}\n${stack}`,
  );
  return 1;
}

async function resolveFromArgs(values: Record<string, string | boolean>, io: CliIo): Promise<RunConfig> {
  const layers: ConfigLayer[] = [];
  if (io.env.LLMINIT_DATA_DIR)
    layers.push({ source: "LLMINIT_DATA_DIR", values: { dataDir: io.env.LLMINIT_DATA_DIR } });
  if (typeof values.config === "string") {
    const file = await loadConfigFile(values.config);
    layers.push({
      source: values.config,
      values: replayable(values.config, file.values, io),
      kind: "file",
      lines: file.lines,
    });
  }
  const cli: Record<string, unknown> = {};
  for (const spec of RUN_OPTIONS) if (values[spec.key] !== undefined) cli[spec.key] = values[spec.key];
  layers.push({ source: "command line", values: cli, kind: "flags" });
  return resolveRunConfig(layers);
}

/**
 * A run folder's own config.json, replayed with --config, must not send the new run back into that
 * folder: an `out` naming the config file's own folder is dropped, with a notice.
 */
function replayable(path: string, values: Record<string, unknown>, io: CliIo): Record<string, unknown> {
  const out = values.out;
  if (typeof out !== "string" || resolve(out) !== resolve(dirname(path))) return values;
  io.stderr.write(
    `[warn] ${basename(path)} is the record of the run in ${resolve(out)}; its out is not reused: ` +
      `the new run gets a new folder (choose one with --out)\n`,
  );
  const { out: _dropped, ...rest } = values;
  return rest;
}

function reporters(
  values: Record<string, string | boolean>,
  io: CliIo,
): { logger: Logger; progress: ReturnType<typeof terminalProgress> } {
  return { logger: terminalLogger(io.stderr, values.verbose === true), progress: terminalProgress(io.stderr) };
}

async function runCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCliArgs(argv, [...RUN_FLAGS, { key: "overwrite", boolean: true }, { key: "resume" }]);
  if (values.resume !== undefined) return resumeCommand(values, io);
  const config = await resolveFromArgs(values, io);
  const { logger, progress } = reporters(values, io);
  const summary = await interruptible(io, (watch) =>
    runExperiment(config, {
      logger,
      progress,
      folder: { overwrite: values.overwrite === true, command: "llminit run" },
      signal: watch.signal,
      onFolder: watch.onFolder,
    }),
  );
  if (typeof summary === "number") return summary;
  if (values.json) io.stdout.write(`${JSON.stringify(summary)}\n`);
  else io.stdout.write(formatSummary(summary));
  return 0;
}

/** `run --resume DIR`: the configuration comes from DIR/config.json; only RESUME_OPTIONS may be given anew. */
async function resumeCommand(values: Record<string, string | boolean>, io: CliIo): Promise<number> {
  const allowed = [...RESUME_FLAGS, ...RESUME_OPTIONS];
  const refused = Object.keys(values).filter((key) => !allowed.includes(key));
  if (refused.length > 0)
    throw new ConfigError(
      `--${flagName(refused[0])}`,
      `cannot be given with --resume: a resumed run takes its configuration from DIR/config.json ` +
        `(with --resume: ${RESUME_ALLOWED})`,
    );
  const dir = values.resume;
  if (typeof dir !== "string" || dir.trim() === "")
    throw new ConfigError("--resume", "needs a run folder: --resume DIR");
  const overrides: ResumeOverrides = {};
  for (const key of RESUME_OPTIONS) {
    const value = values[key];
    if (typeof value === "string") overrides[key] = value;
  }
  const { logger, progress } = reporters(values, io);
  const outcome = await interruptible(io, (watch) =>
    resumeExperiment(dir, overrides, { logger, progress, signal: watch.signal, onFolder: watch.onFolder }),
  );
  if (typeof outcome === "number") return outcome;
  if (outcome.alreadyFinished) {
    const unfinished = stagingDir(dir);
    const hint = existsSync(unfinished)
      ? `; the unfinished run of an interrupted --overwrite of it is in ${unfinished} (--resume that)`
      : "";
    io.stderr.write(
      `llminit: ${outcome.summary.runDir ?? dir} already finished: nothing to resume (metrics.json)${hint}\n`,
    );
  }
  if (values.json) io.stdout.write(`${JSON.stringify(outcome.summary)}\n`);
  else io.stdout.write(formatSummary(outcome.summary));
  return 0;
}

/**
 * Runs `work` with SIGINT / SIGTERM watched (see `watchInterrupts`): the result, or the exit
 * status when a signal interrupted it (the process normally exits in the handler already).
 */
async function interruptible<T>(io: CliIo, work: (watch: InterruptWatch) => Promise<T>): Promise<T | number> {
  const watch = watchInterrupts(io.stderr, io.signals ?? process, io.exit ?? ((status) => process.exit(status)));
  try {
    return await work(watch);
  } catch (error) {
    if (watch.interrupted !== undefined) return watch.interrupted;
    throw error;
  } finally {
    watch.dispose();
  }
}

function formatSummary(summary: RunSummary): string {
  const keys = Object.keys(summary.test);
  // The degree table at the run's smallest cut-off (--ks 5: @5; the default 10, 20, 50: @10).
  const k = smallestK(summary.test) ?? 10;
  // A bucket without users has no value: "–", not NaN.
  const fixed = (value: number | undefined) =>
    value === undefined || Number.isNaN(value) ? "–".padEnd(6) : value.toFixed(4);
  const lines = [
    `${summary.dataset.name}: ${summary.dataset.users} users, ${summary.dataset.items} items, ${summary.dataset.interactions} interactions`,
    `${summary.model} init=${summary.init} backend=${summary.backend} epochs=${summary.epochs} (best ${summary.bestEpoch}) ${summary.secondsPerEpoch.toFixed(2)} s/epoch`,
    `${"metric".padEnd(16)}${"valid".padStart(10)}${"test".padStart(10)}`,
    ...keys.map(
      (k) =>
        `${k.padEnd(16)}${(summary.valid[k] ?? NaN).toFixed(4).padStart(10)}${summary.test[k].toFixed(4).padStart(10)}`,
    ),
    "test by training degree:",
    ...summary.testByDegree.map(
      (g) =>
        `  ${g.bucket.padEnd(8)} users ${String(g.users).padStart(6)}  recall@${k} ${fixed(g.metrics[`recall@${k}`])}  ndcg@${k} ${fixed(g.metrics[`ndcg@${k}`])}`,
    ),
    ...(summary.coldStart === undefined ? [] : formatColdStart(summary.coldStart)),
    `run folder: ${summary.runDir}`,
  ];
  return `${lines.join("\n")}\n`;
}

async function encodeCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCliArgs(argv, RUN_FLAGS);
  const config = await resolveFromArgs(values, io);
  if (config.out === undefined) throw new ConfigError("--out", "is required: the .npy file to write");
  const { logger, progress } = reporters(values, io);
  const result = await encodeDataset(config, config.out, { logger, progress });
  if (values.json) io.stdout.write(`${JSON.stringify(result)}\n`);
  else
    io.stdout.write(
      `wrote ${result.items} × ${result.dimension} float32 to ${result.out} (ids: ${result.ids}), ${result.itemsPerSecond.toFixed(1)} items/s\n`,
    );
  return 0;
}

async function datasetsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCliArgs(argv, [...OUTPUT_FLAGS, { key: "dataDir" }]);
  const dataDir = typeof values.dataDir === "string" ? values.dataDir : io.env.LLMINIT_DATA_DIR;
  const listing = await listDatasets({ dataDir });
  if (values.json) io.stdout.write(`${JSON.stringify(listing)}\n`);
  else for (const entry of listing) io.stdout.write(`${formatListing(entry, dataDir)}\n`);
  return 0;
}

function formatListing(entry: DatasetListing, dataDir: string | undefined): string {
  // A run given a data dir reads only from it (it never downloads into it), so say so here too.
  const remote =
    dataDir === undefined
      ? `not here; a run downloads ${entry.location.kind === "remote" ? entry.location.urls.join(" ") : ""}`
      : `not in ${dataDir} (a run with --data-dir does not download; without it, it downloads the files)`;
  const where = entry.location.kind === "remote" ? remote : `found (${entry.location.kind}) in ${entry.location.dir}`;
  return `${entry.name.padEnd(32)} ${entry.description}\n${" ".repeat(33)}${where}`;
}

function modelsCommand(argv: readonly string[], io: CliIo): number {
  const { values } = parseCliArgs(argv, OUTPUT_FLAGS);
  const models = listModels();
  if (values.json) io.stdout.write(`${JSON.stringify(models)}\n`);
  else io.stdout.write(models.map(formatModel).join("\n"));
  return 0;
}

function formatModel(model: ModelListing): string {
  const limits = (s: ModelListing["settings"][number]) =>
    [
      s.choices === undefined ? "" : `{${s.choices.join("|")}}`,
      s.min === undefined ? "" : `≥ ${s.min}`,
      s.above === undefined ? "" : `> ${s.above}`,
      s.max === undefined ? "" : `≤ ${s.max}`,
      s.below === undefined ? "" : `< ${s.below}`,
    ]
      .filter((t) => t !== "")
      .join(", ");
  const lines = [
    `${model.name} — ${model.title}: ${model.summary}`,
    `  ${model.reference}`,
    ...model.settings.map(
      (s) =>
        `  --${flagName(s.key).padEnd(16)} ${String(s.default).padEnd(8)} ${s.help}${limits(s) === "" ? "" : ` (${limits(s)})`}`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

async function recommendCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCliArgs(argv, [
    ...OUTPUT_FLAGS,
    { key: "run" },
    { key: "users" },
    { key: "k" },
    { key: "newItems" },
    { key: "method" },
    { key: "encoder" },
    { key: "cacheDir" },
  ]);
  if (typeof values.run !== "string")
    throw new ConfigError("--run", "is required: a run folder written by `llminit run`");
  if (typeof values.users !== "string") throw new ConfigError("--users", "is required: comma-separated user ids");
  const k = values.k === undefined ? 10 : Number(values.k);
  if (!Number.isSafeInteger(k) || k < 1)
    throw new ConfigError("--k", `expected a whole number ≥ 1, got "${String(values.k)}"`);
  const users = values.users
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  if (users.length === 0)
    throw new ConfigError("--users", `lists no user ids ("${values.users}"); give ids separated by commas`);
  if (values.newItems === undefined)
    for (const key of ["method", "encoder", "cacheDir"])
      if (values[key] !== undefined)
        throw new ConfigError(`--${flagName(key)}`, "applies to new items only: give --new-items FILE with it");
  const recommendations =
    typeof values.newItems === "string"
      ? await recommendWithNewItems(values.run, values.newItems, users, k, values, io)
      : await recommendFromRun(values.run, users, k);
  if (values.json) io.stdout.write(`${JSON.stringify(recommendations)}\n`);
  else {
    for (const r of recommendations) {
      io.stdout.write(
        `${r.user}: ${r.items.map((x) => `${x.item} (${x.score.toFixed(3)}${x.new ? ", new" : ""})`).join(", ")}\n`,
      );
    }
  }
  return 0;
}

/** `recommend --new-items FILE`: the run's catalogue and the new items ranked together. */
async function recommendWithNewItems(
  run: string,
  file: string,
  users: string[],
  k: number,
  values: Record<string, string | boolean>,
  io: CliIo,
): Promise<Recommendation[]> {
  const method = values.method ?? "map";
  if (!COLD_START_METHODS.includes(method as ColdStartMethod))
    throw new ConfigError("--method", `"${String(method)}" is not one of ${COLD_START_METHODS.join(", ")}`);
  if (typeof values.cacheDir === "string") checkOutputPath("--cache-dir", values.cacheDir, "folder");
  const { logger, progress } = reporters(values, io);
  const recommender = await openRecommender(run, {
    method: method as ColdStartMethod,
    encoder: values.encoder as string | undefined,
    cacheDir: values.cacheDir as string | undefined,
    logger,
    progress,
  });
  try {
    await recommender.addItems(await readNewItems(file, recommender.textTemplate, { logger }));
    return await recommender.recommend(users, k);
  } finally {
    await recommender.dispose();
  }
}
