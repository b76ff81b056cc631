import type { CellIdentity } from "./types.js";

/**
 * The fields of `cell` that name a cell in results.jsonl, and nothing else (a planned cell carries its run
 * values too). Every record of a cell starts from this, so a new identity field cannot be missed by one of
 * the paths that write records (local grid, queue worker, queue collector).
 */
export function cellIdentity(cell: CellIdentity): CellIdentity {
  return {
    id: cell.id,
    experiment: cell.experiment,
    dataset: cell.dataset,
    model: cell.model,
    init: cell.init,
    seed: cell.seed,
    setting: cell.setting,
    ...(cell.sparseKeep === undefined ? {} : { sparseKeep: cell.sparseKeep }),
    dim: cell.dim,
    encoder: cell.encoder,
    ...(cell.protocol === undefined ? {} : { protocol: cell.protocol }),
  };
}
