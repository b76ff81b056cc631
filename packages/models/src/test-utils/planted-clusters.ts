import { createRng, csrFromPairs } from "@llminit/core";
import type { Csr } from "@llminit/core";
import type { Embeddings } from "../types.js";

/**
 * Two planted communities: users 0–29 interact with items 0–19, users 30–59 with items 20–39.
 * Each user has 7 train items and one held-out item, all inside its community.
 */
export function plantedClusters(seed: number): { train: Csr; heldOut: Int32Array } {
  const rng = createRng(seed).child("clusters");
  const rows: number[] = [];
  const cols: number[] = [];
  const heldOut = new Int32Array(60);
  for (let u = 0; u < 60; u++) {
    const offset = u < 30 ? 0 : 20;
    const items = rng.shuffle(Array.from({ length: 20 }, (_, i) => offset + i)).slice(0, 8);
    heldOut[u] = items[7];
    for (const i of items.slice(0, 7)) {
      rows.push(u);
      cols.push(i);
    }
  }
  return { train: csrFromPairs(60, 40, rows, cols), heldOut };
}

function score(e: Embeddings, u: number, i: number): number {
  let s = 0;
  for (let c = 0; c < e.user.cols; c++) s += e.user.data[u * e.user.cols + c] * e.item.data[i * e.item.cols + c];
  return s;
}

/** Share of (held-out in-community item, out-of-community item) pairs ranked correctly. */
export function clusterAuc(e: Embeddings, heldOut: Int32Array): number {
  let correct = 0;
  let total = 0;
  for (let u = 0; u < 60; u++) {
    const positive = score(e, u, heldOut[u]);
    const outside = u < 30 ? 20 : 0;
    for (let i = outside; i < outside + 20; i++) {
      correct += positive > score(e, u, i) ? 1 : 0;
      total++;
    }
  }
  return correct / total;
}
