import { ConfigError } from "@llminit/core";
import type { EncodeItem } from "./types.js";

/**
 * Splits item positions into batches of at most `batchSize`, grouping texts of similar length
 * (sorted by length, stable): padded transformer graphs then waste little work on padding.
 * Each batch lists positions into `items`; every position appears exactly once.
 */
export function lengthSortedBatches(items: readonly EncodeItem[], batchSize: number): number[][] {
  const order = Array.from({ length: items.length }, (_, i) => i);
  order.sort((a, b) => items[a].text.length - items[b].text.length || a - b);
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += batchSize) batches.push(order.slice(start, start + batchSize));
  return batches;
}

/** Throws the signal's reason when aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("aborted");
}

/** Checks a batch size option: a positive integer. */
export function checkBatchSize(value: number | undefined, fallback: number): number {
  const size = value ?? fallback;
  if (!Number.isInteger(size) || size < 1)
    throw new ConfigError("batchSize", `must be a positive integer, got ${size}`);
  return size;
}
