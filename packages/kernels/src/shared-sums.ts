/**
 * Shared partial sums for the rows of a binary sparse matrix (each row a list of "leaf" ids):
 * when leaves a and b appear together in many rows, `a + b` is summed once and those rows add
 * the sum instead of a and b. Each sum may hold an earlier one. A row then costs fewer row
 * additions; the sums cost one addition each (the idea of HAG: Jia et al., KDD 2020,
 * "Redundancy-free computation for graph neural networks").
 */
export interface SharedSums {
  /** Leaves: ids `0 … leaves − 1`; sum n has id `leaves + n`. */
  readonly leaves: number;
  /** Sum n = id `pairs[2n]` + id `pairs[2n + 1]` (each a leaf or an earlier sum). */
  readonly pairs: Int32Array;
  /** The rewritten rows: row r adds ids `ids[indptr[r] … indptr[r + 1])`. */
  readonly indptr: Int32Array;
  readonly ids: Int32Array;
}

/** Options of {@link planSharedSums}. */
export interface SharedSumsOptions {
  /** Most sums to make (default: as many leaves as there are). */
  maxSums?: number;
  /** Pairs are counted among this many leaves of highest degree, and the sums (default 1024). */
  hotLeaves?: number;
  /** Rows that must hold a pair for it to become a sum (default 4). */
  minShared?: number;
}

/**
 * A pair becomes a sum when at least this many rows hold it: each of them then adds one row
 * fewer, and the sum costs about three row additions (two loads, an add and a store of a whole
 * row: ~9.5 ns against ~3.4 ns for an addition within a row, d = 64). On ml-100k any minimum
 * from 3 to 6 gave the same time within 1 %.
 */
const MIN_SHARED = 4;
/** Pair keys pack two slots below this bound. */
const MAX_SLOTS = 4096;
/** Most pair counts the first count may make; beyond it the plan makes no sums (it would take seconds). */
const MAX_PAIR_COUNTS = 40e6;

/** A max-heap of float64 keys. */
class MaxHeap {
  private keys: Float64Array;
  size: number;
  /** A heap of `keys` (taken over), built bottom-up in O(n). */
  constructor(keys: Float64Array = new Float64Array(1024), size = 0) {
    this.keys = keys.length > 0 ? keys : new Float64Array(1024);
    this.size = size;
    for (let n = (size >> 1) - 1; n >= 0; n--) this.siftDown(n, keys[n]);
  }
  push(key: number): void {
    if (this.size === this.keys.length) {
      const grown = new Float64Array(2 * this.keys.length);
      grown.set(this.keys);
      this.keys = grown;
    }
    const keys = this.keys;
    let n = this.size++;
    while (n > 0) {
      const parent = (n - 1) >> 1;
      if (keys[parent] >= key) break;
      keys[n] = keys[parent];
      n = parent;
    }
    keys[n] = key;
  }
  pop(): number {
    const top = this.keys[0];
    this.size--;
    if (this.size > 0) this.siftDown(0, this.keys[this.size]);
    return top;
  }
  /** Places `key` at n or below (the slot n is free). */
  private siftDown(start: number, key: number): void {
    const keys = this.keys;
    let n = start;
    for (;;) {
      let child = 2 * n + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && keys[child + 1] > keys[child]) child++;
      if (keys[child] <= key) break;
      keys[n] = keys[child];
      n = child;
    }
    keys[n] = key;
  }
}

/**
 * Plans shared sums for rows `indices[indptr[r] … indptr[r + 1])` of leaf ids in `[0, leaves)`.
 * Greedy, one pair at a time: the pair found together in the most rows becomes a sum, those rows
 * take it instead of the pair, and the pair counts are updated (a lazy max-heap finds the next
 * best). Pairs are counted among the `hotLeaves` leaves of highest degree and the sums. Rows
 * that hold an id twice are kept as they are. Deterministic.
 */
export function planSharedSums(
  indptr: Int32Array,
  indices: Int32Array,
  leaves: number,
  options: SharedSumsOptions = {},
): SharedSums {
  const rows = indptr.length - 1;
  const hot = Math.min(leaves, options.hotLeaves ?? 1024, MAX_SLOTS);
  const minShared = Math.max(2, options.minShared ?? MIN_SHARED);
  let maxSums = Math.max(0, Math.min(options.maxSums ?? leaves, 2 * leaves, MAX_SLOTS - hot));

  const degree = new Int32Array(leaves);
  for (let k = indptr[0]; k < indptr[rows]; k++) degree[indices[k]]++;
  // Slots 0 … hot − 1: the leaves of highest degree (ties: lower id); sums take the next slots.
  const byDegree = Array.from({ length: leaves }, (_, id) => id).sort((a, b) => degree[b] - degree[a] || a - b);
  const slotOf = new Int32Array(leaves + maxSums).fill(-1);
  const idOfSlot = new Int32Array(hot + maxSums);
  for (let s = 0; s < hot; s++) {
    slotOf[byDegree[s]] = s;
    idOfSlot[s] = byDegree[s];
  }

  // Rows as id sets (insertion order kept); rows with a repeated id take no part.
  const lists: Set<number>[] = [];
  const eligible = new Uint8Array(rows);
  const seenIn = new Int32Array(leaves).fill(-1);
  let pairCounts = 0;
  for (let r = 0; r < rows; r++) {
    const list = indices.subarray(indptr[r], indptr[r + 1]);
    let repeated = false;
    let hotIds = 0;
    for (const id of list) {
      if (seenIn[id] === r) repeated = true;
      seenIn[id] = r;
      if (slotOf[id] >= 0) hotIds++;
    }
    eligible[r] = repeated || list.length < 2 ? 0 : 1;
    if (eligible[r] === 1) pairCounts += (hotIds * (hotIds - 1)) / 2;
    lists.push(new Set(list));
  }
  if (pairCounts > MAX_PAIR_COUNTS) maxSums = 0;

  const stride = hot + maxSums;
  const pairs: number[] = [];
  if (maxSums > 0) {
    const counts = new Int32Array(stride * stride);
    const key = (a: number, b: number) => (a < b ? a * stride + b : b * stride + a);
    // Heap keys: count, then the lower pair key first (deterministic ties).
    const square = stride * stride;
    const heapKey = (count: number, pairKey: number) => count * square + (square - 1 - pairKey);
    // Rows holding each slot (for the rows of a pair).
    const holders: Set<number>[] = Array.from({ length: stride }, () => new Set<number>());
    const rowSlots: number[] = [];
    const candidates: number[] = []; // pairs whose count reached minShared
    for (let r = 0; r < rows; r++) {
      if (eligible[r] === 0) continue;
      rowSlots.length = 0;
      for (const id of lists[r]) {
        const s = slotOf[id];
        if (s >= 0) {
          rowSlots.push(s);
          holders[s].add(r);
        }
      }
      for (let i = 0; i < rowSlots.length; i++) {
        for (let j = i + 1; j < rowSlots.length; j++) {
          const k = key(rowSlots[i], rowSlots[j]);
          if (++counts[k] === minShared) candidates.push(k);
        }
      }
    }
    const heap = new MaxHeap(
      Float64Array.from(candidates, (k) => heapKey(counts[k], k)),
      candidates.length,
    );

    const touched = new Int32Array(stride).fill(-1);
    const touchedList: number[] = [];
    while (heap.size > 0 && pairs.length / 2 < maxSums) {
      const top = heap.pop();
      const count = Math.floor(top / square);
      const pairKey = square - 1 - (top - count * square);
      const current = counts[pairKey];
      if (current !== count) {
        if (current >= minShared) heap.push(heapKey(current, pairKey));
        continue;
      }
      const sa = Math.floor(pairKey / stride);
      const sb = pairKey % stride;
      const a = idOfSlot[sa];
      const b = idOfSlot[sb];
      const sum = leaves + pairs.length / 2;
      const slot = hot + pairs.length / 2;
      pairs.push(a, b);
      slotOf[sum] = slot;
      idOfSlot[slot] = sum;
      const [fewer, more] = holders[sa].size <= holders[sb].size ? [sa, sb] : [sb, sa];
      touchedList.length = 0;
      for (const r of [...holders[fewer]]) {
        if (!holders[more].has(r)) continue;
        const list = lists[r];
        list.delete(a);
        list.delete(b);
        holders[sa].delete(r);
        holders[sb].delete(r);
        counts[pairKey]--;
        for (const id of list) {
          const s = slotOf[id];
          if (s < 0) continue;
          counts[key(sa, s)]--;
          counts[key(sb, s)]--;
          counts[key(slot, s)]++;
          if (touched[s] !== slot) {
            touched[s] = slot;
            touchedList.push(s);
          }
        }
        list.add(sum);
        holders[slot].add(r);
      }
      for (const s of touchedList) {
        const c = counts[key(slot, s)];
        if (c >= minShared) heap.push(heapKey(c, key(slot, s)));
      }
    }
  }

  // Rows that took no part keep their ids as given (a set would drop repeats).
  const rowIds = (r: number) => (eligible[r] === 1 ? [...lists[r]] : indices.subarray(indptr[r], indptr[r + 1]));
  const outPtr = new Int32Array(rows + 1);
  for (let r = 0; r < rows; r++)
    outPtr[r + 1] = outPtr[r] + (eligible[r] === 1 ? lists[r].size : indptr[r + 1] - indptr[r]);
  const ids = new Int32Array(outPtr[rows]);
  for (let r = 0; r < rows; r++) ids.set(rowIds(r), outPtr[r]);
  return { leaves, pairs: Int32Array.from(pairs), indptr: outPtr, ids };
}

/** Expands id `id` of `plan` into its leaves (for checks). */
export function expandSharedSum(plan: SharedSums, id: number, into: number[] = []): number[] {
  if (id < plan.leaves) {
    into.push(id);
    return into;
  }
  const n = id - plan.leaves;
  expandSharedSum(plan, plan.pairs[2 * n], into);
  return expandSharedSum(plan, plan.pairs[2 * n + 1], into);
}
