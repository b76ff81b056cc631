import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import { ConfigError, DataFormatError, silentLogger, type Logger } from "@llminit/core";
import { readNpy } from "@llminit/core/node";
import {
  otherModelsOptions,
  resolveRunConfig,
  type ConfigLayer,
  type RunConfig,
  type runExperiment,
} from "@llminit/pipeline";
import { cellIdentity } from "./cell-identity.js";
import { effectiveRank } from "./effective-rank.js";
import { appendResult } from "./results-file.js";
import type { PlannedCell } from "./plan-grid.js";
import type { CellRecord, CurvePoint, MachineInfo } from "./types.js";

export type { ConfigLayer } from "@llminit/pipeline";

export interface GridContext {
  /** The benchmark folder: results.jsonl and runs/<cell-id>/. */
  out: string;
  /** Common option layers under each cell's own values. */
  layers: readonly ConfigLayer[];
  run: typeof runExperiment;
  /** Progress lines. */
  stderr: { write(text: string): unknown };
  /** The pipeline's logger. */
  logger?: Logger;
  /** Also write one line per training epoch. */
  epochLines?: boolean;
}

export interface GridOutcome {
  ran: number;
  skipped: number;
  failed: number;
  records: CellRecord[];
}

/** Options that may differ between a recorded cell and a rerun without changing its result. */
const LOCATION_KEYS = new Set(["out", "dataDir", "cacheDir", "modelDir"]);

/** A recorded option as it compares: cells recorded before `minRating` lost its default held 4 for it. */
function recorded(key: string, value: unknown): unknown {
  return key === "minRating" && value === undefined ? 4 : value;
}

function machine(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? "unknown",
    node: process.version,
    platform: process.platform,
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs the cells one after the other, appending each finished cell to `out/results.jsonl` at once.
 * Cells recorded `ok` before are skipped (after checking that they were run with the same
 * options); a cell that throws is recorded `failed` with the error and the grid goes on.
 */
export async function runGrid(
  cells: readonly PlannedCell[],
  existing: readonly CellRecord[],
  ctx: GridContext,
): Promise<GridOutcome> {
  const resultsPath = join(ctx.out, "results.jsonl");
  await mkdir(join(ctx.out, "runs"), { recursive: true });
  const done = new Map<string, CellRecord>();
  for (const record of existing) if (record.status === "ok") done.set(record.id, record);

  // Resolve every cell first: a recorded cell run with other options would mix two protocols.
  const resolved = cells.map((cell) => {
    try {
      return { config: resolveCell(cell, ctx), error: undefined };
    } catch (error) {
      return { config: undefined, error };
    }
  });
  cells.forEach((cell, i) => {
    const previous = done.get(cell.id);
    const config = resolved[i].config;
    if (previous === undefined || config === undefined) return;
    const differing = Object.keys({ ...previous.config, ...config }).filter(
      (key) =>
        !LOCATION_KEYS.has(key) &&
        JSON.stringify(recorded(key, previous.config[key])) !==
          JSON.stringify(recorded(key, (config as unknown as Record<string, unknown>)[key])),
    );
    if (differing.length > 0) {
      const key = differing[0];
      throw new ConfigError(
        key,
        `${resultsPath} already holds cell ${cell.id} run with ${key}=${JSON.stringify(previous.config[key])}, now ${JSON.stringify((config as unknown as Record<string, unknown>)[key])}` +
          ` (differing: ${differing.join(", ")}); use another --out or the same options`,
      );
    }
  });

  const outcome: GridOutcome = { ran: 0, skipped: 0, failed: 0, records: [] };
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    const tag = `[${i + 1}/${cells.length}] ${cell.id}`;
    if (done.has(cell.id)) {
      outcome.skipped++;
      ctx.stderr.write(`${tag}: skipped (recorded ok in results.jsonl)\n`);
      continue;
    }
    ctx.stderr.write(`${tag}: running\n`);
    const record = await runCell(cell, resolved[i], ctx);
    await appendResult(resultsPath, record);
    outcome.ran++;
    outcome.records.push(record);
    if (record.status === "failed") {
      outcome.failed++;
      ctx.stderr.write(`${tag}: FAILED after ${record.seconds.toFixed(1)} s: ${record.error}\n`);
    } else {
      const t = record.test ?? {};
      const rank = record.effectiveRank === undefined ? "" : ` erank ${(record.effectiveRank ?? NaN).toFixed(2)}`;
      ctx.stderr.write(
        `${tag}: ok in ${record.seconds.toFixed(1)} s (${record.epochs} epochs, ${(record.secondsPerEpoch ?? NaN).toFixed(2)} s/epoch) test recall@10 ${(t["recall@10"] ?? NaN).toFixed(4)} ndcg@10 ${(t["ndcg@10"] ?? NaN).toFixed(4)}${rank}\n`,
      );
    }
  }
  return outcome;
}

/**
 * The common option layers as a cell of `model` sees them: options of other models are left out
 * (one `--temperature` for a grid of LightGCN and SGL applies to the SGL cells).
 */
export function layersFor(model: string, layers: readonly ConfigLayer[]): ConfigLayer[] {
  return layers.map((layer) => {
    const drop = new Set(otherModelsOptions(model, layer.values));
    return { ...layer, values: Object.fromEntries(Object.entries(layer.values).filter(([key]) => !drop.has(key))) };
  });
}

/**
 * Resolves and runs one planned cell on its own (a queue worker's unit of work); never throws:
 * a failure is a `failed` record, as in a grid.
 */
export async function runPlannedCell(cell: PlannedCell, ctx: GridContext): Promise<CellRecord> {
  let resolved: { config?: RunConfig; error?: unknown };
  try {
    resolved = { config: resolveCell(cell, ctx) };
  } catch (error) {
    resolved = { error };
  }
  return runCell(cell, resolved, ctx);
}

/** A cell's configuration: the common layers under its own values, its run folder under `out/runs/`. */
export function resolveCell(cell: PlannedCell, ctx: Pick<GridContext, "out" | "layers">): RunConfig {
  return resolveRunConfig([
    ...layersFor(cell.model, ctx.layers),
    { source: `bench cell ${cell.id}`, values: { ...cell.values, out: join(ctx.out, "runs", cell.id) } },
  ]);
}

/** What a cell that failed validation asked for: the common options (resolved) under its own values. */
function unresolvedConfig(cell: PlannedCell, ctx: GridContext): Record<string, unknown> {
  const values = { ...cell.values, out: join(ctx.out, "runs", cell.id) };
  try {
    return {
      ...(resolveRunConfig([
        ...layersFor(cell.model, ctx.layers),
        { source: "common options", values: { dataset: cell.dataset, model: cell.model } },
      ]) as unknown as Record<string, unknown>),
      ...values,
    };
  } catch {
    return values;
  }
}

async function runCell(
  cell: PlannedCell,
  resolved: { config?: RunConfig; error?: unknown },
  ctx: GridContext,
): Promise<CellRecord> {
  const runDir = join(ctx.out, "runs", cell.id);
  const startedAt = new Date();
  const t0 = performance.now();
  const base: CellRecord = {
    ...cellIdentity(cell),
    status: "failed",
    startedAt: startedAt.toISOString(),
    seconds: 0,
    machine: machine(),
    config:
      resolved.config === undefined
        ? unresolvedConfig(cell, ctx)
        : (resolved.config as unknown as Record<string, unknown>),
    runDir,
  };
  if (resolved.config === undefined)
    return { ...base, error: message(resolved.error), seconds: (performance.now() - t0) / 1000 };
  try {
    // A folder left by an interrupted attempt would add its epochs to log.jsonl.
    await rm(runDir, { recursive: true, force: true });
    const summary = await ctx.run(resolved.config, {
      logger: ctx.logger ?? silentLogger,
      folder: { overwrite: true, command: `llminit-bench cell ${cell.id}` },
      onEpoch: ctx.epochLines
        ? (r) =>
            ctx.stderr.write(
              `  ${cell.id} epoch ${r.epoch}: loss ${r.loss.toFixed(4)}${r.valid === undefined ? "" : ` valid ndcg@10 ${r.valid.toFixed(4)}`} (${r.seconds.toFixed(2)} s)\n`,
            )
        : undefined,
    });
    const curve = await readCurve(join(summary.runDir, "log.jsonl"));
    let rank: number | undefined;
    if (cell.effectiveRank) {
      const item = await readNpy(join(summary.runDir, "item.npy"));
      rank = effectiveRank(item.data as Float32Array, item.shape[0], item.shape[1]);
    }
    return {
      ...base,
      status: "ok",
      seconds: (performance.now() - t0) / 1000,
      datasetStats: summary.dataset,
      valid: summary.valid,
      test: summary.test,
      testByDegree: summary.testByDegree,
      epochs: summary.epochs,
      bestEpoch: summary.bestEpoch,
      secondsPerEpoch: summary.secondsPerEpoch,
      backend: summary.backend,
      ...(summary.encoder === undefined ? {} : { encoderDimension: summary.encoder.dimension }),
      machine: summary.machine,
      curve,
      ...(rank === undefined ? {} : { effectiveRank: rank }),
      ...(summary.coldStart === undefined ? {} : { coldStart: summary.coldStart }),
      runDir: summary.runDir,
    };
  } catch (error) {
    return { ...base, error: message(error), seconds: (performance.now() - t0) / 1000 };
  }
}

/** The per-epoch records of a run folder's log.jsonl (none when the run trained 0 epochs). */
export async function readCurve(path: string): Promise<CurvePoint[]> {
  if (!existsSync(path)) return [];
  const text = await readFile(path, "utf8");
  const curve: CurvePoint[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let r: CurvePoint;
    try {
      r = JSON.parse(line) as CurvePoint;
    } catch (error) {
      throw new DataFormatError({ file: path, line: i + 1 }, `not JSON: ${(error as Error).message}`);
    }
    if (typeof r.epoch !== "number")
      throw new DataFormatError(
        { file: path, line: i + 1, field: "epoch" },
        `expected a number, got ${JSON.stringify(r.epoch)}`,
      );
    curve.push({
      epoch: r.epoch,
      loss: r.loss,
      seconds: r.seconds,
      ...(r.valid === undefined ? {} : { valid: r.valid }),
      best: r.best,
    });
  });
  return curve;
}
