import type { KernelBuffer, Kernels } from "./kernels.js";
import { planSharedSums } from "./shared-sums.js";
import type { SharedSums } from "./shared-sums.js";

/** A user–item graph: row u of the CSR lists the items of user u (ids in [0, items)), each once. */
export interface BipartiteGraph {
  readonly users: number;
  readonly items: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
}

/** Options of {@link createSharedPropagation}. */
export interface SharedPropagationOptions {
  /**
   * Bytes of leaves + sums each thread should keep in its cache (default 768 KiB: three quarters
   * of a 1 MiB L2). Sums are only made while a half's leaves and sums fit; 0 = no sums.
   */
  cacheBytes?: number;
}

/**
 * `out = Â · x` with `Â = D^-1/2 A D^-1/2` the normalised adjacency of a bipartite graph over
 * `users + items` nodes (users first), by the kernels' `sumShared`: each half of the graph
 * (users pull items, items pull users) sums unweighted, pre-scaled rows, with pairs shared by
 * many rows summed once (see `planSharedSums`). Same values as a `pullRows` over Â up to float32
 * rounding (the order of the additions differs); bitwise the same for any thread count.
 */
export interface SharedPropagation {
  readonly nodes: number;
  /** Row width the plan was made for (floats, a multiple of 4). */
  readonly width: number;
  /** Stored entries of Â (2 × interactions). */
  readonly entries: number;
  /** Row additions per product with the plan: rewritten entries + one per sum. */
  readonly additions: number;
  /** Shared sums made (both halves). */
  readonly sums: number;
  /** `out = Â · x` for x and out (nodes × width floats, byte offsets in the kernels memory; not overlapping). */
  apply(x: number, out: number): void;
}

const DEFAULT_CACHE_BYTES = 768 * 1024;
/** Words of the plan header: scales pointer, then 8 per half (see `sumShared` in assembly/index.ts). */
const HEADER_WORDS = 1 + 2 * 8;

/** Rows of `width` floats that fit the cache budget of {@link SharedPropagationOptions.cacheBytes}. */
function cacheRowsFor(width: number, options: SharedPropagationOptions): number {
  return Math.floor((options.cacheBytes ?? DEFAULT_CACHE_BYTES) / (4 * width));
}

/**
 * Whether {@link createSharedPropagation} can make sums in both halves of a graph of `users` ×
 * `items` and `width`-float rows: a half makes sums only while its leaves (the other side) fit
 * the cache budget. When one side does not fit, that half would only copy its leaves into
 * scratch on every product, so callers keep `pullRows` (as `@llminit/models` does).
 */
export function sharedSumsPossible(
  users: number,
  items: number,
  width: number,
  options: SharedPropagationOptions = {},
): boolean {
  return Math.max(users, items) < cacheRowsFor(width, options);
}

/** Builds the plan for `graph` and `width`-float rows in `kernels`' memory. */
export function createSharedPropagation(
  kernels: Kernels,
  graph: BipartiteGraph,
  width: number,
  options: SharedPropagationOptions = {},
): SharedPropagation {
  const { users, items } = graph;
  const nodes = users + items;
  if (!Number.isInteger(width) || width < 4 || width % 4 !== 0)
    throw new RangeError(`shared propagation: width must be a positive multiple of 4, got ${width}`);
  if (graph.indptr.length !== users + 1)
    throw new RangeError(
      `shared propagation: indptr has ${graph.indptr.length} entries, expected users + 1 = ${users + 1}`,
    );
  const interactions = graph.indptr[users];
  const rowBytes = 4 * width;
  const cacheRows = cacheRowsFor(width, options);

  // Degrees and the item → users transpose (users ascending in each item row).
  const degree = new Int32Array(nodes);
  for (let u = 0; u < users; u++) degree[u] = graph.indptr[u + 1] - graph.indptr[u];
  for (let k = 0; k < interactions; k++) {
    const i = graph.indices[k];
    if (!(i >= 0 && i < items))
      throw new RangeError(`shared propagation: entry ${k} is item ${i}, outside [0, ${items})`);
    degree[users + i]++;
  }
  const itemPtr = new Int32Array(items + 1);
  for (let i = 0; i < items; i++) itemPtr[i + 1] = itemPtr[i] + degree[users + i];
  const itemUsers = new Int32Array(interactions);
  const cursor = itemPtr.slice(0, items);
  for (let u = 0; u < users; u++)
    for (let k = graph.indptr[u]; k < graph.indptr[u + 1]; k++) itemUsers[cursor[graph.indices[k]]++] = u;

  const plans: SharedSums[] = [
    planSharedSums(graph.indptr.subarray(0, users + 1), graph.indices, items, {
      maxSums: Math.max(0, cacheRows - items),
    }),
    planSharedSums(itemPtr, itemUsers, users, { maxSums: Math.max(0, cacheRows - users) }),
  ];
  // Half 0: user rows [0, users) over item leaves [users, nodes); half 1: item rows over user leaves.
  const layout = [
    { rowFrom: 0, rowTo: users, leafFrom: users, leafTo: nodes },
    { rowFrom: users, rowTo: nodes, leafFrom: 0, leafTo: users },
  ];

  // Offsets into a thread's scratch (leaves, then sums) are 32-bit byte counts.
  const scratchRows = Math.max(...plans.map((plan) => plan.leaves + plan.pairs.length / 2));
  if (scratchRows * rowBytes >= 2 ** 31)
    throw new RangeError(`shared propagation: ${scratchRows} rows of ${rowBytes} bytes do not fit 32-bit offsets`);
  const scales = kernels.f32(nodes);
  const header = kernels.i32(HEADER_WORDS);
  const buffers: KernelBuffer<Int32Array>[][] = plans.map((plan) => [
    kernels.i32(plan.pairs.length),
    kernels.i32(plan.indptr.length),
    kernels.i32(plan.ids.length),
  ]);
  const scaleValues = scales.array;
  for (let n = 0; n < nodes; n++) scaleValues[n] = degree[n] === 0 ? 0 : 1 / Math.sqrt(degree[n]);
  plans.forEach((plan, h) => {
    const [pairs, indptr, ids] = buffers[h];
    // Ids become byte offsets into the thread's scratch: leaf j at row j, sum n at row leaves + n.
    pairs.array.set(plan.pairs.map((id) => id * rowBytes));
    indptr.array.set(plan.indptr);
    ids.array.set(plan.ids.map((id) => id * rowBytes));
    const { rowFrom, rowTo, leafFrom, leafTo } = layout[h];
    header.array.set(
      [rowFrom, rowTo, leafFrom, leafTo, plan.pairs.length / 2, pairs.ptr, indptr.ptr, ids.ptr],
      1 + 8 * h,
    );
  });
  header.array[0] = scales.ptr;

  // Thread ranges of nodes, balanced by cost: a row costs its additions + 1; a half's
  // preparation (scaling its leaves, adding its sums) is counted at its first row. A split close
  // to the border of the halves moves onto it, so that no thread prepares both halves for a few rows.
  const cost = new Float64Array(nodes + 1);
  const preparation = plans.map((plan) => plan.leaves + plan.pairs.length / 2);
  plans.forEach((plan, h) => {
    const { rowFrom } = layout[h];
    for (let r = 0; r < plan.indptr.length - 1; r++) cost[rowFrom + r + 1] = plan.indptr[r + 1] - plan.indptr[r] + 1;
    if (plan.indptr.length > 1) cost[rowFrom + 1] += preparation[h];
  });
  for (let n = 0; n < nodes; n++) cost[n + 1] += cost[n];
  const threads = kernels.threads;
  const ranges: [number, number][] = [];
  let start = 0;
  for (let part = 1; part <= threads && start < nodes; part++) {
    let end = nodes;
    if (part < threads) {
      const target = (cost[nodes] * part) / threads;
      end = start + 1;
      while (end < nodes && cost[end] < target) end++;
      if (users > start && Math.abs(cost[end] - cost[users]) <= preparation[1] + cost[nodes] / 100) end = users;
    }
    ranges.push([start, end]);
    start = end;
  }
  const scratchBytes = Math.ceil((scratchRows * rowBytes) / 64) * 64;
  const scratch = kernels.f32((scratchBytes / 4) * ranges.length);
  const additions = plans.reduce((sum, plan) => sum + plan.ids.length + plan.pairs.length / 2, 0);

  return {
    nodes,
    width,
    entries: 2 * interactions,
    additions,
    sums: plans.reduce((sum, plan) => sum + plan.pairs.length / 2, 0),
    apply(x: number, out: number): void {
      kernels.parallel.sumShared(header.ptr, x, width, out, scratch.ptr, scratchBytes, ranges);
    },
  };
}
