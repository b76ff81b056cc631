import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ConfigError, DataFormatError } from "@llminit/core";
import { checkNotLocked } from "./folder-lock.js";
import { prepareRunFolder, replacedBy } from "./run-folder.js";
import { resolveRunConfig, type RunConfig } from "./run-config.js";
import { runExperiment, type RunHooks, type RunSummary } from "./run-experiment.js";

/**
 * The options a resumed run may take anew: where things are found and how many threads run.
 * None changes a result (the kernels engine gives the same bits for any thread count). Every
 * other option comes from the run folder's config.json.
 */
export const RESUME_OPTIONS = ["threads", "dataDir", "cacheDir", "modelDir"] as const;
type ResumeOption = (typeof RESUME_OPTIONS)[number];
/** New values of RESUME_OPTIONS; strings are parsed and checked as on the command line. */
export type ResumeOverrides = { [K in ResumeOption]?: RunConfig[K] | string };

export interface ResumeOutcome {
  summary: RunSummary;
  /** True when the run had already finished: `summary` is its metrics.json and nothing ran. */
  alreadyFinished: boolean;
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DataFormatError({ file: path }, `not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Continues the run in `dir` (a folder written by `runExperiment`) from its newest training
 * checkpoint, with the configuration in `dir/config.json` (plus `overrides`, see
 * RESUME_OPTIONS). It ends with the same metrics, bitwise, as the run would have uninterrupted;
 * a run that stopped before its first checkpoint trains from the first epoch. A finished run
 * (metrics.json present) is returned as it is. The resumed run takes the folder's lock as a new
 * run does: a folder that a live process writes (the original run, another `--resume`) is
 * refused, naming it; the lock of a killed run is taken over with a warning.
 */
export async function resumeExperiment(
  dir: string,
  overrides: ResumeOverrides = {},
  hooks: RunHooks = {},
): Promise<ResumeOutcome> {
  const folder = resolve(dir);
  const isFolder = await stat(folder).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isFolder)
    throw new ConfigError("--resume", `${folder} is not a folder (expected a run folder of \`llminit run\`)`);
  // Refuse a folder in use before reading anything: its files may be changing.
  checkNotLocked(folder, "--resume");
  const configPath = join(folder, "config.json");
  const stored = await readJson(configPath).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT")
      throw new ConfigError("--resume", `${folder} has no config.json: not a run folder written by \`llminit run\``);
    throw error;
  });
  if (stored === null || typeof stored !== "object" || Array.isArray(stored))
    throw new DataFormatError({ file: configPath }, "expected a JSON object of run options");
  for (const key of Object.keys(overrides))
    if (!(RESUME_OPTIONS as readonly string[]).includes(key))
      throw new ConfigError(key, `cannot be changed when resuming (allowed: ${RESUME_OPTIONS.join(", ")})`);

  // config.json holds no `out` (older run folders do): the run folder is DIR itself.
  const config = resolveRunConfig([
    { source: configPath, values: { ...(stored as Record<string, unknown>), out: undefined }, kind: "file" },
    { source: "the command line", values: overrides, kind: "flags" },
  ]);
  const metricsPath = join(folder, "metrics.json");
  const finished = await readJson(metricsPath).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (finished !== undefined) {
    // A replacing run killed between its metrics.json and the swap: finish the swap now.
    if (replacedBy(folder) !== undefined) {
      const staged = await prepareRunFolder(folder, {
        resume: true,
        option: "--resume",
        command: "llminit run --resume",
        logger: hooks.logger,
      });
      try {
        await staged.commit();
      } finally {
        staged.release();
      }
    }
    return { summary: finished as RunSummary, alreadyFinished: true };
  }
  const summary = await runExperiment(
    { ...config, out: folder },
    { ...hooks, folder: { resume: true, option: "--resume", command: "llminit run --resume" } },
  );
  return { summary, alreadyFinished: false };
}

/**
 * The part of a run's summary that its configuration and seed determine: everything but
 * wall-clock times (the cold-start's too), the run folder (and the per-user metrics folder in it),
 * the machine and the encoder's cache counts. A resumed run's equals the uninterrupted run's
 * bitwise (compare the JSON).
 */
export function deterministicSummary(
  summary: RunSummary,
): Omit<RunSummary, "seconds" | "secondsPerEpoch" | "runDir" | "machine" | "userMetricsDir"> {
  const {
    seconds: _seconds,
    secondsPerEpoch: _perEpoch,
    runDir: _dir,
    userMetricsDir: _userMetrics,
    machine: _machine,
    encoder,
    coldStart,
    ...rest
  } = summary;
  return {
    ...rest,
    encoder: encoder === undefined ? undefined : { ...encoder, cached: 0, encoded: 0, itemsPerSecond: 0 },
    ...(coldStart === undefined ? {} : { coldStart: { ...coldStart, seconds: 0 } }),
  };
}
