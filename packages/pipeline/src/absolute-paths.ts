import { isAbsolute, resolve } from "node:path";
import { DATASETS } from "@llminit/data";
import type { RunConfig } from "./run-config.js";

/**
 * The configuration with every path made absolute against `cwd`: a dataset folder (a registry name
 * stays a name), `dataDir`, `cacheDir`, `modelDir`, `out` and a `file:` encoder's path. A run
 * records this in config.json, so that replaying it from any folder reads the same files.
 */
export function absolutePaths(config: RunConfig, cwd: string = process.cwd()): RunConfig {
  const path = (value: string | undefined) => (value === undefined ? undefined : resolve(cwd, value));
  const registered = DATASETS.some((entry) => entry.name === config.dataset);
  const file = config.encoder.startsWith("file:") ? config.encoder.slice("file:".length) : "";
  const encoder = file.trim() !== "" && !isAbsolute(file) ? `file:${resolve(cwd, file)}` : config.encoder;
  const out: RunConfig = { ...config, dataset: registered ? config.dataset : resolve(cwd, config.dataset), encoder };
  for (const key of ["dataDir", "cacheDir", "modelDir", "out"] as const)
    if (config[key] !== undefined) out[key] = path(config[key]);
  return out;
}
