/**
 * Top-K selection over one score row with a bounded binary min-heap: O(n + m log k) where m is
 * the number of times the running threshold is beaten (small for real score rows).
 *
 * Tie-breaking rule (used everywhere in this package): a higher score ranks first; among equal
 * scores the LOWER item index ranks first. The rule depends only on the row, never on how users
 * are chunked, so results are identical for any chunk size.
 */

/**
 * Reusable buffers for {@link selectTopK}, sized for `k`. One per evaluation, not shared
 * between concurrent evaluations.
 */
export interface TopKWorkspace {
  readonly k: number;
  readonly heapScores: Float64Array;
  readonly heapItems: Int32Array;
}

/** Allocates a workspace for selecting up to `k` items. */
export function createTopKWorkspace(k: number): TopKWorkspace {
  if (!Number.isInteger(k) || k <= 0) throw new RangeError(`top-K: k must be a positive integer, got ${k}`);
  return { k, heapScores: new Float64Array(k), heapItems: new Int32Array(k) };
}

/**
 * `a` ranks below `b`: lower score, or equal score and higher item index. The heap keeps the
 * lowest-ranked kept item at its root.
 */
function worse(scoreA: number, itemA: number, scoreB: number, itemB: number): boolean {
  return scoreA < scoreB || (scoreA === scoreB && itemA > itemB);
}

function siftDown(scores: Float64Array, items: Int32Array, size: number, start: number): void {
  let i = start;
  const s = scores[i];
  const it = items[i];
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    const right = left + 1;
    let child = left;
    if (right < size && worse(scores[right], items[right], scores[left], items[left])) child = right;
    if (!worse(scores[child], items[child], s, it)) break;
    scores[i] = scores[child];
    items[i] = items[child];
    i = child;
  }
  scores[i] = s;
  items[i] = it;
}

function siftUp(scores: Float64Array, items: Int32Array, start: number): void {
  let i = start;
  const s = scores[i];
  const it = items[i];
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!worse(s, it, scores[parent], items[parent])) break;
    scores[i] = scores[parent];
    items[i] = items[parent];
    i = parent;
  }
  scores[i] = s;
  items[i] = it;
}

/**
 * Writes the indices of the `workspace.k` best entries of `row` into `out` (best first) and
 * returns how many were written: fewer than k when fewer items are rankable. Items with
 * `masked[j] !== 0` are skipped. NaN scores throw a RangeError (a diverged model or a score
 * callback that left entries unfilled); ±Infinity are ordinary scores.
 */
export function selectTopK(
  row: Float32Array | Float64Array,
  workspace: TopKWorkspace,
  out: Int32Array,
  masked?: Uint8Array,
): number {
  const { k, heapScores, heapItems } = workspace;
  if (out.length < k) throw new RangeError(`top-K: output has room for ${out.length} items, need ${k}`);
  if (masked !== undefined && masked.length < row.length) {
    throw new RangeError(`top-K: mask has ${masked.length} entries for a row of ${row.length}`);
  }
  const n = row.length;
  let size = 0;
  let j = 0;
  // Fill phase: the first k rankable items.
  for (; j < n && size < k; j++) {
    if (masked !== undefined && masked[j] !== 0) continue;
    const s = row[j];
    if (s !== s) throw new RangeError(`top-K: score of item ${j} is NaN`);
    heapScores[size] = s;
    heapItems[size] = j;
    siftUp(heapScores, heapItems, size);
    size++;
  }
  // Scan phase: items come in ascending index order, so an item with a score equal to the
  // root's never displaces it (the root has the lower index) — a strict `>` is the full rule.
  let threshold = size === k ? heapScores[0] : Infinity;
  for (; j < n; j++) {
    const s = row[j];
    if (s > threshold) {
      if (masked !== undefined && masked[j] !== 0) continue;
      heapScores[0] = s;
      heapItems[0] = j;
      siftDown(heapScores, heapItems, size, 0);
      threshold = heapScores[0];
    } else if (s !== s && (masked === undefined || masked[j] === 0)) {
      throw new RangeError(`top-K: score of item ${j} is NaN`);
    }
  }
  // Pop worst-first into the back of `out`.
  for (let position = size - 1; position >= 0; position--) {
    out[position] = heapItems[0];
    const last = position;
    heapScores[0] = heapScores[last];
    heapItems[0] = heapItems[last];
    siftDown(heapScores, heapItems, last, 0);
  }
  return size;
}

/**
 * The indices of the `k` highest-scoring entries of `row`, best first (ties: lower index first),
 * skipping entries with `masked[j] !== 0`. The result is shorter than `k` when fewer entries are
 * rankable.
 *
 * @example topKIndices(Float32Array.of(0.1, 0.9, 0.5, 0.9), 3) // → Int32Array [1, 3, 2]
 */
export function topKIndices(row: Float32Array | Float64Array, k: number, masked?: Uint8Array): Int32Array {
  const workspace = createTopKWorkspace(k);
  const out = new Int32Array(k);
  const count = selectTopK(row, workspace, out, masked);
  return count === k ? out : out.slice(0, count);
}
