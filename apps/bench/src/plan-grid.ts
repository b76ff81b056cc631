import { basename } from "node:path";
import { ConfigError } from "@llminit/core";
import type { CellIdentity, CellRecord, Experiment, Setting } from "./types.js";

/** One cell to run: its identity and the run options it sets over the common ones. */
export interface PlannedCell extends CellIdentity {
  /** The layer given to resolveRunConfig over the common options (out is added when run). */
  values: Record<string, unknown>;
  /** Compute the effective rank of the learned item embeddings (collapse). */
  effectiveRank: boolean;
}

export interface GridAxes {
  experiment: Experiment;
  datasets: readonly string[];
  models: readonly string[];
  inits: readonly string[];
  seeds: readonly number[];
  settings: readonly Setting[];
  /** K of the sparse setting. */
  sparseKeep: number;
  /** d values; one value (the common --dim) outside collapse. */
  dims: readonly number[];
  /** Encoder specs; one value (the common --encoder) outside the encoders benchmark. */
  encoders: readonly string[];
  /** cold-items: the share of items every cell holds out (the pipeline's `coldItems`). */
  coldItems?: number;
  /** The common `--protocol`; cells of another protocol than "standard" get it in their id. */
  protocol?: string;
}

function slug(text: string): string {
  return (
    text
      .replace(/^file:/, "file-")
      .replace(/[^A-Za-z0-9._]+/g, "-")
      .replace(/^-+|-+$/g, "") || "x"
  );
}

/** A stable, folder-safe id naming every axis that varies in this kind of grid. */
export function cellId(cell: Omit<PlannedCell, "id" | "values" | "effectiveRank">): string {
  const parts = [
    cell.experiment,
    slug(basename(cell.dataset)),
    cell.setting === "sparse" ? `sparse${cell.sparseKeep}` : "full",
    slug(cell.model),
    slug(cell.init),
  ];
  if (cell.experiment === "collapse") parts.push(`d${cell.dim}`);
  if (cell.experiment === "encoders") parts.push(slug(basename(cell.encoder)));
  // Standard cells keep their ids, so that existing results files stay valid.
  if (cell.protocol !== undefined && cell.protocol !== "standard") parts.push(slug(cell.protocol));
  parts.push(`s${cell.seed}`);
  return parts.join("-");
}

function makeCell(cell: Omit<PlannedCell, "id" | "values" | "effectiveRank">): PlannedCell {
  const { protocol, ...rest } = cell;
  const base = protocol === undefined || protocol === "standard" ? rest : { ...rest, protocol };
  const values: Record<string, unknown> = {
    dataset: base.dataset,
    model: base.model,
    init: base.init === "full" ? "uni" : base.init,
    seed: base.seed,
    dim: base.dim,
    encoder: base.encoder,
  };
  if (base.setting === "sparse") values.sparseKeep = base.sparseKeep;
  return { ...base, id: cellId(base), values, effectiveRank: base.experiment === "collapse" };
}

/**
 * The cells of a grid, datasets × settings × models × dims × encoders × inits × seeds, in that
 * order. In collapse, `full` is planned later by {@link planFullCells} once D is known.
 */
export function planGrid(axes: GridAxes): PlannedCell[] {
  const cells: PlannedCell[] = [];
  for (const dataset of axes.datasets)
    for (const setting of axes.settings)
      for (const model of axes.models)
        for (const dim of axes.dims)
          for (const encoder of axes.encoders)
            for (const init of axes.inits) {
              if (init === "full") continue;
              for (const seed of axes.seeds) {
                cells.push(
                  makeCell({
                    experiment: axes.experiment,
                    dataset,
                    model,
                    init,
                    seed,
                    setting,
                    sparseKeep: setting === "sparse" ? axes.sparseKeep : undefined,
                    dim,
                    encoder,
                    protocol: axes.protocol,
                  }),
                );
              }
            }
  if (axes.coldItems !== undefined) for (const cell of cells) cell.values.coldItems = axes.coldItems;
  checkUnique(cells);
  return cells;
}

/**
 * Collapse's `full` cells: init uni with d = D, every column of the encoder. D is read from the
 * finished LLM-init cells of the same dataset and encoder; datasets without one are returned in
 * `unknown` so that the caller can say so.
 */
export function planFullCells(
  axes: GridAxes,
  records: readonly CellRecord[],
): { cells: PlannedCell[]; unknown: string[] } {
  const cells: PlannedCell[] = [];
  const unknown: string[] = [];
  if (!axes.inits.includes("full")) return { cells, unknown };
  for (const dataset of axes.datasets)
    for (const encoder of axes.encoders) {
      const found = records.find(
        (r) =>
          r.status === "ok" && r.dataset === dataset && r.encoder === encoder && typeof r.encoderDimension === "number",
      );
      if (found === undefined) {
        unknown.push(dataset);
        continue;
      }
      for (const setting of axes.settings)
        for (const model of axes.models)
          for (const seed of axes.seeds) {
            cells.push(
              makeCell({
                experiment: axes.experiment,
                dataset,
                model,
                init: "full",
                seed,
                setting,
                sparseKeep: setting === "sparse" ? axes.sparseKeep : undefined,
                dim: found.encoderDimension as number,
                encoder,
                protocol: axes.protocol,
              }),
            );
          }
    }
  checkUnique(cells);
  return { cells, unknown };
}

function checkUnique(cells: readonly PlannedCell[]): void {
  const seen = new Map<string, PlannedCell>();
  for (const cell of cells) {
    const other = seen.get(cell.id);
    if (other !== undefined) {
      const key = cell.dataset !== other.dataset ? "datasets" : cell.encoder !== other.encoder ? "encoders" : "seeds";
      throw new ConfigError(
        key,
        `two cells get the same id "${cell.id}" (${JSON.stringify(other.values)} and ${JSON.stringify(cell.values)}); give distinct names`,
      );
    }
    seen.set(cell.id, cell);
  }
}
