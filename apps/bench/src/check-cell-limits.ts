import { ConfigError, createRng, silentLogger, silentProgress, type Logger } from "@llminit/core";
import { absolutePaths, checkRunLimits, prepareFromConfig, type RunShape } from "@llminit/pipeline";
import { resolveCell, type GridContext } from "./run-grid.js";
import type { PlannedCell } from "./plan-grid.js";

/**
 * The limits that depend on the data (`--ks` ≤ items, var's popular share, the memory a run needs),
 * checked for every cell before the first one runs, as `llminit run` checks them before its work:
 * each dataset is loaded and filtered once, and each cell's options are checked against its size.
 * A dataset that cannot be read is left to its cells, which record the error; a refused cell is a
 * ConfigError naming it.
 */
export async function checkCellLimits(
  cells: readonly PlannedCell[],
  ctx: Pick<GridContext, "out" | "layers">,
  logger: Logger = silentLogger,
): Promise<void> {
  const byDataset = new Map<string, PlannedCell[]>();
  for (const cell of cells) byDataset.set(cell.dataset, [...(byDataset.get(cell.dataset) ?? []), cell]);
  for (const list of byDataset.values()) {
    const first = absolutePaths(resolveCell(list[0], ctx));
    let shape: RunShape;
    try {
      const prepared = await prepareFromConfig(first, createRng(first.seed), { logger, progress: silentProgress });
      const { split } = prepared;
      shape = { users: split.users.size, items: split.items.size, trainPairs: split.train.indices.length };
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(error.key, `${error.message} (cell ${list[0].id})`);
      continue; // bad data: every cell of it fails and is recorded with the reason
    }
    for (const cell of list) {
      try {
        checkRunLimits(resolveCell(cell, ctx), shape);
      } catch (error) {
        if (error instanceof ConfigError) throw new ConfigError(error.key, `${error.message} (cell ${cell.id})`);
        throw error;
      }
    }
  }
}
