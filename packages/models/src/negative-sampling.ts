import { csrHas } from "@llminit/core";
import type { Csr, Rng } from "@llminit/core";

/**
 * Fills `out[b]` with an item drawn uniformly from the items user `users[b]` has no train
 * interaction with (rejection sampling against the train CSR). Every user must have at least
 * one non-interacted item; the trainer drops the pairs of users who have none.
 */
export function sampleNegatives(train: Csr, users: ArrayLike<number>, rng: Rng, out: Int32Array): Int32Array {
  const items = train.cols;
  for (let b = 0; b < users.length; b++) {
    const u = users[b];
    let j = rng.int(items);
    while (csrHas(train, u, j)) j = rng.int(items);
    out[b] = j;
  }
  return out;
}
