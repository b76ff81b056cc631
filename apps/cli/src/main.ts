import { createRequire } from "node:module";
import { ConfigError, flagName, LlminitError, parseCliArgs, type FlagSpec, type Logger } from "@llminit/core";
import { listDatasets, type DatasetListing } from "@llminit/data";
import {
  encodeDataset,
  openRecommender,
  readNewItems,
  recommendFromRun,
  resolveRunConfig,
  RUN_OPTIONS,
  runExperiment,
  type ColdStartMethod,
  type OptionSpec,
  type Recommendation,
  type RunConfig,
  type RunSummary,
} from "@llminit/pipeline";
import { formatColdStart } from "./format-cold-start.js";
import { loadConfigFile } from "./load-config-file.js";

import { terminalLogger, terminalProgress, type TerminalStream } from "./terminal-reporter.js";

export interface CliIo {
  stdout: TerminalStream;
  stderr: TerminalStream;
  env: Readonly<Record<string, string | undefined>>;
}

const COMMON_FLAGS: FlagSpec[] = [
  { key: "config" },
  { key: "json", boolean: true },
  { key: "verbose", boolean: true },
  { key: "help", boolean: true },
];
const RUN_FLAGS: FlagSpec[] = [
  ...COMMON_FLAGS,
  ...RUN_OPTIONS.map((spec) => ({ key: spec.key, boolean: spec.kind === "boolean" })),
];

const USAGE = `llminit — LLMInit for collaborative filtering

usage:
  llminit run --dataset NAME [options]       train and evaluate one model (writes a run folder)
  llminit encode --dataset NAME --out FILE.npy [options]
                                             encode the filtered items' text; ids go to FILE.npy.ids.txt
  llminit datasets [--data-dir DIR] [--json] list the dataset registry and where each one is found
  llminit recommend --run DIR --users ID[,ID…] [--k 10] [--json]
                                             top-k items for users from a saved run
        [--new-items FILE [--method map|map-knn|direct|content-knn|random] [--encoder SPEC]]
                                             …ranked together with new items read from FILE (.item,
                                             .csv or .tsv: item_id + text), embedded by the run's encoder

common: --config FILE (YAML or JSON; command line > file > defaults), --json (one JSON object
on stdout, logs on stderr), --verbose, --help

run/encode options (defaults reproduce the paper's protocol):
${RUN_OPTIONS.map(optionHelp).join("\n")}
`;

function optionHelp(spec: OptionSpec): string {
  const choices = spec.choices === undefined ? "" : ` {${spec.choices.join("|")}}`;
  const fallback =
    spec.default === undefined
      ? ""
      : ` [${Array.isArray(spec.default) ? spec.default.join(",") : String(spec.default)}]`;
  return `  --${flagName(spec.key).padEnd(18)} ${spec.help}${choices}${fallback}`;
}

function version(): string {
  return (createRequire(import.meta.url)("../package.json") as { version: string }).version;
}

/** Runs the CLI; returns the exit status (0 ok, 1 failure, 2 bad usage or configuration). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      case "--version":
      case "-v":
        io.stdout.write(`${version()}\n`);
        return 0;
      case "run":
        return await runCommand(rest, io);
      case "encode":
        return await encodeCommand(rest, io);
      case "datasets":
        return await datasetsCommand(rest, io);
      case "recommend":
        return await recommendCommand(rest, io);
      default:
        io.stderr.write(`llminit: unknown command "${command}" (expected run, encode, datasets, recommend, help)\n`);
        return 2;
    }
  } catch (error) {
    if (error instanceof LlminitError) {
      io.stderr.write(`llminit: error: ${error.message}\n`);
      return error.code === "E_CONFIG" ? 2 : 1;
    }
    io.stderr.write(
      `llminit: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}

async function resolveFromArgs(values: Record<string, string | boolean>, io: CliIo): Promise<RunConfig> {
  const layers: Array<{ source: string; values: Record<string, unknown> }> = [];
  if (io.env.LLMINIT_DATA_DIR)
    layers.push({ source: "LLMINIT_DATA_DIR", values: { dataDir: io.env.LLMINIT_DATA_DIR } });
  if (typeof values.config === "string")
    layers.push({ source: values.config, values: await loadConfigFile(values.config) });
  const cli: Record<string, unknown> = {};
  for (const spec of RUN_OPTIONS) if (values[spec.key] !== undefined) cli[spec.key] = values[spec.key];
  layers.push({ source: "command line", values: cli });
  return resolveRunConfig(layers);
}

function reporters(
  values: Record<string, string | boolean>,
  io: CliIo,
): { logger: Logger; progress: ReturnType<typeof terminalProgress> } {
  return { logger: terminalLogger(io.stderr, values.verbose === true), progress: terminalProgress(io.stderr) };
}

async function runCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCliArgs(argv, RUN_FLAGS);
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const config = await resolveFromArgs(values, io);
  const { logger, progress } = reporters(values, io);
  const summary = await runExperiment(config, { logger, progress });
  if (values.json) io.stdout.write(`${JSON.stringify(summary)}\n`);
  else io.stdout.write(formatSummary(summary));
  return 0;
}

function formatSummary(summary: RunSummary): string {
  const keys = Object.keys(summary.test);
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
        `  ${g.bucket.padEnd(8)} users ${String(g.users).padStart(6)}  recall@10 ${(g.metrics["recall@10"] ?? NaN).toFixed(4)}  ndcg@10 ${(g.metrics["ndcg@10"] ?? NaN).toFixed(4)}`,
    ),
    ...(summary.coldStart === undefined ? [] : formatColdStart(summary.coldStart)),
    `run folder: ${summary.runDir}`,
  ];
  return `${lines.join("\n")}\n`;
}

async function encodeCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCliArgs(argv, RUN_FLAGS);
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const config = await resolveFromArgs(values, io);
  if (config.out === undefined) throw new ConfigError("out", "is required: the .npy file to write");
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
  const { values } = parseCliArgs(argv, [...COMMON_FLAGS, { key: "dataDir" }]);
  const dataDir = typeof values.dataDir === "string" ? values.dataDir : io.env.LLMINIT_DATA_DIR;
  const listing = await listDatasets({ dataDir });
  if (values.json) io.stdout.write(`${JSON.stringify(listing)}\n`);
  else for (const entry of listing) io.stdout.write(`${formatListing(entry)}\n`);
  return 0;
}

function formatListing(entry: DatasetListing): string {
  const where =
    entry.location.kind === "remote"
      ? `not here; downloads ${entry.location.urls.join(" ")}`
      : `found (${entry.location.kind}) in ${entry.location.dir}`;
  return `${entry.name.padEnd(32)} ${entry.description}\n${" ".repeat(33)}${where}`;
}

async function recommendCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCliArgs(argv, [
    ...COMMON_FLAGS,
    { key: "run" },
    { key: "users" },
    { key: "k" },
    { key: "newItems" },
    { key: "method" },
    { key: "encoder" },
    { key: "cacheDir" },
  ]);
  if (typeof values.run !== "string")
    throw new ConfigError("run", "is required: a run folder written by `llminit run`");
  if (typeof values.users !== "string") throw new ConfigError("users", "is required: comma-separated user ids");
  const k = values.k === undefined ? 10 : Number(values.k);
  const users = values.users
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
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
  for (const key of ["method", "encoder", "cacheDir"])
    if (typeof values[key] === "boolean") throw new ConfigError(key, "needs a value");
  const { logger, progress } = reporters(values, io);
  const recommender = await openRecommender(run, {
    method: (values.method as ColdStartMethod | undefined) ?? "map",
    encoder: values.encoder as string | undefined,
    cacheDir: values.cacheDir as string | undefined,
    logger,
    progress,
  });
  try {
    await recommender.addItems(await readNewItems(file, recommender.textTemplate));
    return await recommender.recommend(users, k);
  } finally {
    await recommender.dispose();
  }
}
