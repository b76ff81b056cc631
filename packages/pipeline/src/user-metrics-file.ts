import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DataFormatError, NotAvailableError } from "@llminit/core";
import { readNpy, writeFileAtomic, writeNpy } from "@llminit/core/node";
import type { PerUserMetrics } from "@llminit/metrics";

/** Folder of the per-user metrics inside a run folder. */
export const USER_METRICS_DIR = "user-metrics";

/** One split's per-user metrics as stored in a run folder. */
export interface UserMetricsTable {
  /** Result keys of the columns, e.g. "recall@10". */
  columns: string[];
  /** Original user id of each row. */
  users: string[];
  /** Training interactions of each row's user (for degree buckets). */
  trainDegrees: Int32Array;
  /** Row-major users × columns, float64; NaN where a metric is undefined for the user. */
  values: Float64Array;
}

/**
 * Writes `user-metrics/<split>.npy` (float64, evaluated users × per-user metrics, numpy-readable)
 * with `<split>.columns.txt` (one metric key per line), `<split>.users.txt` (original user id of
 * each row) and `<split>.train-degrees.npy` (int32, training interactions of each row's user), so
 * that significance tests between runs need no retraining.
 */
export async function writeUserMetrics(
  runDir: string,
  split: string,
  table: PerUserMetrics,
  userIds: readonly string[],
  trainDegrees: Int32Array,
): Promise<void> {
  const base = join(runDir, USER_METRICS_DIR, split);
  const rows = table.users.length;
  await writeNpy(`${base}.npy`, table.values, [rows, table.columns.length]);
  await writeFileAtomic(`${base}.columns.txt`, table.columns.map((c) => `${c}\n`).join(""));
  await writeFileAtomic(`${base}.users.txt`, Array.from(table.users, (u) => `${userIds[u]}\n`).join(""));
  await writeNpy(
    `${base}.train-degrees.npy`,
    Int32Array.from(table.users, (u) => trainDegrees[u]),
    [rows],
  );
}

/**
 * Reads what {@link writeUserMetrics} wrote; NotAvailableError when the run folder has none,
 * DataFormatError naming the file when the parts disagree.
 */
export async function readUserMetrics(runDir: string, split: string): Promise<UserMetricsTable> {
  const base = join(runDir, USER_METRICS_DIR, split);
  if (!existsSync(`${base}.npy`))
    throw new NotAvailableError(
      `per-user ${split} metrics of ${runDir}`,
      `${base}.npy does not exist`,
      "Run folders written before per-user metrics existed have none: rerun the cell",
    );
  const lines = async (file: string) =>
    (await readFile(file, "utf8")).split("\n").filter((line, i, all) => line !== "" || i < all.length - 1);
  const columns = await lines(`${base}.columns.txt`);
  const users = await lines(`${base}.users.txt`);
  const matrix = await readNpy(`${base}.npy`);
  const degrees = await readNpy(`${base}.train-degrees.npy`);
  if (!(matrix.data instanceof Float64Array) || matrix.shape.length !== 2)
    throw new DataFormatError(
      { file: `${base}.npy` },
      `expected a 2-d float64 array, got ${matrix.dtype} ${matrix.shape.join(" × ")}`,
    );
  if (matrix.shape[0] !== users.length || matrix.shape[1] !== columns.length)
    throw new DataFormatError(
      { file: `${base}.npy` },
      `shape ${matrix.shape.join(" × ")} does not match ${users.length} users × ${columns.length} columns beside it`,
    );
  if (!(degrees.data instanceof Int32Array) || degrees.data.length !== users.length)
    throw new DataFormatError({ file: `${base}.train-degrees.npy` }, `expected ${users.length} int32 values`);
  return { columns, users, trainDegrees: degrees.data, values: matrix.data };
}
