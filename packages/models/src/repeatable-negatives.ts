import type { Rng } from "@llminit/core";

/**
 * Fills `out[b]` with an item drawn uniformly from all `numItems` items except `positives[b]`:
 * the negatives of RecBole's `RepeatableSampler` (`repeatable: True`, the official LLMInit
 * code), which rejects only the current positive, so another of the user's training items can be
 * drawn as a negative. The default sampler, {@link sampleNegatives}, rejects all of them.
 */
export function sampleRepeatableNegatives(
  numItems: number,
  positives: ArrayLike<number>,
  rng: Rng,
  out: Int32Array,
): Int32Array {
  if (!(Number.isInteger(numItems) && numItems >= 2))
    throw new RangeError(`repeatable negatives need at least 2 items, got ${numItems}`);
  for (let b = 0; b < positives.length; b++) {
    let j = rng.int(numItems);
    while (j === positives[b]) j = rng.int(numItems);
    out[b] = j;
  }
  return out;
}
