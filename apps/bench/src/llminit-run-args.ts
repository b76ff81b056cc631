import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { flagName, type FlagSpec } from "@llminit/core";
import { resolveRunConfig, RUN_OPTIONS, type RunConfig } from "@llminit/pipeline";
import { findDataDir } from "./find-data-dir.js";
import type { BenchIo } from "./main.js";

/** Options of `llminit run` that a bench command sets itself and does not take from its own command line. */
const SET_BY_BENCH = ["dataset", "dataDir", "out"];

/** Flags of the `llminit run` options a bench command passes on to the runs it starts. */
export const RUN_PASS_THROUGH: FlagSpec[] = RUN_OPTIONS.filter((s) => !SET_BY_BENCH.includes(s.key)).map((s) => ({
  key: s.key,
  boolean: s.kind === "boolean",
}));

/**
 * The `llminit run` arguments of a bench command (dataset, data folder, passed-through options over
 * `defaults`), checked up front as the runs will check them.
 */
export function llminitRunArgs(
  values: Record<string, string | boolean>,
  io: BenchIo,
  defaults: Record<string, string> = {},
): { args: string[]; config: RunConfig; dataDir?: string } {
  const cwd = io.cwd ?? process.cwd();
  const dataset = typeof values.dataset === "string" ? values.dataset : "amazon-office-products";
  const data = findDataDir(typeof values.dataDir === "string" ? resolve(cwd, values.dataDir) : undefined, io.env, [
    cwd,
    fileURLToPath(new URL(".", import.meta.url)),
  ]);
  const options: Record<string, string> = { ...defaults };
  for (const { key } of RUN_PASS_THROUGH) if (values[key] !== undefined) options[key] = String(values[key]);
  const datasetPath = dataset.includes("/") ? resolve(cwd, dataset) : dataset;
  const config = resolveRunConfig([
    { source: "command line", values: { dataset: datasetPath, dataDir: data.dir, ...options } },
  ]);
  const args = ["--dataset", datasetPath, ...(data.dir === undefined ? [] : ["--data-dir", data.dir])];
  for (const [key, value] of Object.entries(options)) args.push(`--${flagName(key)}=${value}`);
  return { args, config, dataDir: data.dir };
}
