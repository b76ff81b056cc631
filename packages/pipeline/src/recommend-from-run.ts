import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ConfigError, DataFormatError, NotAvailableError, type Matrix } from "@llminit/core";
import { readNpy } from "@llminit/core/node";
import { kernelDotProductScorer, topKIndices } from "@llminit/metrics";

export interface Recommendation {
  user: string;
  /** Best first; `new` marks items added at run time (see `openRecommender`). */
  items: Array<{ item: string; score: number; new?: boolean }>;
}

/**
 * Checks that `runDir` is a folder holding a run's `users.txt`, before anything else is read (so
 * that the error names what is wrong, whatever the order the files would be read in): a path that
 * does not exist or is a file is a ConfigError naming `--run`.
 */
export async function checkRunDir(runDir: string): Promise<void> {
  const path = resolve(runDir);
  const stats = await stat(path).catch(() => undefined);
  if (stats === undefined)
    throw new ConfigError("--run", `${path} does not exist (expected a run folder written by \`llminit run\`)`);
  if (!stats.isDirectory())
    throw new ConfigError("--run", `${path} is a file, not a run folder written by \`llminit run\``);
  await readIdList(join(runDir, "users.txt"));
}

export async function readIdList(path: string): Promise<string[]> {
  const text = await readFile(path, "utf8").catch((error: unknown) => {
    throw new NotAvailableError(
      path,
      `cannot read (${(error as Error).message})`,
      "Is this a run folder written by `llminit run`?",
    );
  });
  return text.split("\n").filter((line) => line.length > 0);
}

function readRunNpy(path: string): ReturnType<typeof readNpy> {
  return readNpy(path).catch((error: unknown) => {
    if (error instanceof DataFormatError) throw error;
    throw new NotAvailableError(
      path,
      `cannot read (${(error as Error).message})`,
      "Is this a run folder written by `llminit run`?",
    );
  });
}

export async function readMatrix(path: string): Promise<Matrix> {
  const array = await readRunNpy(path);
  if (array.dtype !== "float32" || array.shape.length !== 2) {
    throw new DataFormatError(
      { file: path },
      `expected a 2-D float32 array, found ${array.dtype} [${array.shape.join(", ")}]`,
    );
  }
  return { rows: array.shape[0], cols: array.shape[1], data: array.data as Float32Array };
}

export async function readTrainMask(runDir: string): Promise<{ indptr: Int32Array; indices: Int32Array }> {
  const indptr = await readRunNpy(join(runDir, "checkpoint", "train-indptr.npy"));
  const indices = await readRunNpy(join(runDir, "checkpoint", "train-indices.npy"));
  return { indptr: indptr.data as Int32Array, indices: indices.data as Int32Array };
}

/**
 * Top-k items for the given users (original ids) from a saved run's final embeddings, with the
 * items each user trained on left out. Unknown users are an error naming them.
 */
export async function recommendFromRun(runDir: string, users: readonly string[], k = 10): Promise<Recommendation[]> {
  if (!Number.isSafeInteger(k) || k <= 0) throw new ConfigError("k", `must be a positive integer, got ${k}`);
  if (users.length === 0) throw new ConfigError("users", "lists no user ids");
  await checkRunDir(runDir);
  const [userIds, itemIds, userMatrix, itemMatrix, train] = await Promise.all([
    readIdList(join(runDir, "users.txt")),
    readIdList(join(runDir, "items.txt")),
    readMatrix(join(runDir, "user.npy")),
    readMatrix(join(runDir, "item.npy")),
    readTrainMask(runDir),
  ]);
  if (userMatrix.rows !== userIds.length || itemMatrix.rows !== itemIds.length) {
    throw new DataFormatError(
      { file: join(runDir, "user.npy") },
      `embeddings (${userMatrix.rows} users, ${itemMatrix.rows} items) do not match users.txt/items.txt (${userIds.length}, ${itemIds.length})`,
    );
  }
  if (k > itemIds.length) throw new ConfigError("k", `must be ≤ the ${itemIds.length} items of this run, got ${k}`);
  const index = new Map(userIds.map((id, i) => [id, i]));
  const unknown = users.filter((u) => !index.has(u));
  if (unknown.length > 0) {
    throw new ConfigError(
      "users",
      `not in this run: ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ""}`,
    );
  }
  const rows = Int32Array.from(users, (u) => index.get(u)!);
  const numItems = itemIds.length;
  const scores = new Float32Array(rows.length * numItems);
  await kernelDotProductScorer(userMatrix, itemMatrix)(rows, scores);
  const mask = new Uint8Array(numItems);
  return users.map((user, i) => {
    const u = rows[i];
    mask.fill(0);
    for (let p = train.indptr[u]; p < train.indptr[u + 1]; p++) mask[train.indices[p]] = 1;
    const row = scores.subarray(i * numItems, (i + 1) * numItems);
    const top = topKIndices(row, k, mask);
    return { user, items: Array.from(top, (j) => ({ item: itemIds[j], score: row[j] })) };
  });
}
