import { validateCsr } from "@llminit/core";
import type { Csr, Rng } from "@llminit/core";
import { buildNormalizedAdjacency } from "./adjacency.js";
import type { NormalizedAdjacency } from "./adjacency.js";

/** SGL's graph augmentations: edge dropout, node dropout, random walk (edge dropout per layer). */
export type Augmentation = "ed" | "nd" | "rw";

/**
 * One augmented view of the train graph for SGL: the re-normalised adjacency of each
 * propagation layer. ED and ND use one graph for every layer (`layers` has one entry); RW draws
 * an independent edge-dropout graph per layer (`layers` has K entries).
 */
export interface AugmentedView {
  readonly augmentation: Augmentation;
  readonly layers: readonly NormalizedAdjacency[];
  /** Train edges kept in each of `layers`. */
  readonly keptEdges: readonly number[];
}

function subgraph(train: Csr, keep: Uint8Array, kept: number): Csr {
  const users = train.rows;
  const indptr = new Int32Array(users + 1);
  const indices = new Int32Array(kept);
  let n = 0;
  for (let u = 0; u < users; u++) {
    for (let k = train.indptr[u]; k < train.indptr[u + 1]; k++) {
      if (keep[k] === 1) indices[n++] = train.indices[k];
    }
    indptr[u + 1] = n;
  }
  return { rows: users, cols: train.cols, indptr, indices };
}

/** Marks `count` of `n` slots, drawn uniformly without replacement (partial Fisher–Yates). */
function chooseWithoutReplacement(n: number, count: number, rng: Rng): Uint8Array {
  const chosen = new Uint8Array(n);
  const pool = new Int32Array(n);
  for (let k = 0; k < n; k++) pool[k] = k;
  for (let k = 0; k < count; k++) {
    const j = k + rng.int(n - k);
    const t = pool[k];
    pool[k] = pool[j];
    pool[j] = t;
    chosen[pool[k]] = 1;
  }
  return chosen;
}

/**
 * Edge dropout: keeps ⌊nnz · (1 − dropRatio)⌋ train edges drawn uniformly without replacement
 * (RecBole's SGL `create_adjust_matrix`, type "ED"/"RW"), re-normalised as
 * `D^-1/2 A D^-1/2` over the kept edges.
 */
export function edgeDropout(train: Csr, dropRatio: number, rng: Rng): { adjacency: NormalizedAdjacency; kept: number } {
  const nnz = train.indptr[train.rows];
  const kept = Math.floor(nnz * (1 - dropRatio));
  const keep = chooseWithoutReplacement(nnz, kept, rng);
  return { adjacency: buildNormalizedAdjacency(subgraph(train, keep, kept)), kept };
}

/**
 * Node dropout: drops ⌊users · dropRatio⌋ users and ⌊items · dropRatio⌋ items drawn uniformly
 * without replacement, with all their edges (RecBole's SGL, type "ND"); the dropped nodes keep
 * their ego embedding (layer 0) but receive and send nothing. Re-normalised over the kept edges.
 */
export function nodeDropout(train: Csr, dropRatio: number, rng: Rng): { adjacency: NormalizedAdjacency; kept: number } {
  const droppedUsers = chooseWithoutReplacement(train.rows, Math.floor(train.rows * dropRatio), rng.child("users"));
  const droppedItems = chooseWithoutReplacement(train.cols, Math.floor(train.cols * dropRatio), rng.child("items"));
  const nnz = train.indptr[train.rows];
  const keep = new Uint8Array(nnz);
  let kept = 0;
  for (let u = 0; u < train.rows; u++) {
    if (droppedUsers[u] === 1) continue;
    for (let k = train.indptr[u]; k < train.indptr[u + 1]; k++) {
      if (droppedItems[train.indices[k]] === 0) {
        keep[k] = 1;
        kept++;
      }
    }
  }
  return { adjacency: buildNormalizedAdjacency(subgraph(train, keep, kept)), kept };
}

/** Graphs one view holds for `layers` layers: one per layer for random walks (rw), one otherwise. */
export function augmentedViewGraphs(augmentation: Augmentation, layers: number): number {
  return augmentation === "rw" ? layers : 1;
}

/**
 * Draws one SGL view of the train graph (users × items CSR) for `layers` propagation layers.
 * Everything random comes from `rng` (pass a child per epoch and view): the same rng state
 * gives the same view. `dropRatio` must lie in [0, 1).
 */
export function sampleAugmentedView(
  train: Csr,
  augmentation: Augmentation,
  dropRatio: number,
  layers: number,
  rng: Rng,
): AugmentedView {
  validateCsr(train, "train");
  if (!(dropRatio >= 0 && dropRatio < 1)) throw new RangeError(`dropRatio must lie in [0, 1), got ${dropRatio}`);
  if (!Number.isInteger(layers) || layers < 0)
    throw new RangeError(`layers must be a non-negative integer, got ${layers}`);
  if (augmentation === "rw") {
    const drawn = Array.from({ length: layers }, (_, k) => edgeDropout(train, dropRatio, rng.child(`layer-${k + 1}`)));
    return { augmentation, layers: drawn.map((d) => d.adjacency), keptEdges: drawn.map((d) => d.kept) };
  }
  const drawn = augmentation === "ed" ? edgeDropout(train, dropRatio, rng) : nodeDropout(train, dropRatio, rng);
  return { augmentation, layers: [drawn.adjacency], keptEdges: [drawn.kept] };
}
