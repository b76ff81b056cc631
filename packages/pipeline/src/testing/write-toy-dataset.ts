import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createRng, encodeNpy } from "@llminit/core";

export interface ToyDataset {
  /** Folder of RecBole atomic files, usable as `dataset`. */
  dir: string;
  /** `file:` encoder spec of item vectors that carry the cluster structure. */
  encoder: string;
  users: number;
  items: number;
}

/**
 * Writes a small planted-cluster dataset for tests and demos: `users` users in two halves,
 * each half rating 8 items of "its" half of the catalogue 5 and 2 items of the other half 2
 * (removed by rating ≥ 4). Item vectors (16-d) put each cluster's signal in a few columns of
 * high variance plus noise, so LLMInit's var selection has something to find.
 */
export async function writeToyDataset(
  root: string,
  options: { users?: number; items?: number; seed?: number } = {},
): Promise<ToyDataset> {
  const users = options.users ?? 60;
  const items = options.items ?? 40;
  const rng = createRng(options.seed ?? 7).child("toy");
  const dir = join(root, "toy");
  await mkdir(dir, { recursive: true });
  const half = items / 2;
  const lines = ["user_id:token\titem_id:token\trating:float\ttimestamp:float"];
  let time = 1_000_000;
  for (let u = 0; u < users; u++) {
    const own = u < users / 2 ? 0 : half;
    const other = half - own;
    const liked = rng.shuffle(Int32Array.from({ length: half }, (_, i) => own + i)).subarray(0, 8);
    const disliked = rng.shuffle(Int32Array.from({ length: half }, (_, i) => other + i)).subarray(0, 2);
    for (const i of liked) lines.push(`u${u}\ti${i}\t5\t${time++}`);
    for (const i of disliked) lines.push(`u${u}\ti${i}\t2\t${time++}`);
  }
  await writeFile(join(dir, "toy.inter"), `${lines.join("\n")}\n`);
  const itemLines = ["item_id:token\ttitle:token_seq"];
  for (let i = 0; i < items; i++) itemLines.push(`i${i}\t${i < half ? "red pen" : "blue chair"} number ${i}`);
  await writeFile(join(dir, "toy.item"), `${itemLines.join("\n")}\n`);

  const dim = 16;
  const vectors = new Float32Array(items * dim);
  for (let i = 0; i < items; i++) {
    const sign = i < half ? 1 : -1;
    for (let c = 0; c < dim; c++) vectors[i * dim + c] = 0.05 * rng.normal();
    for (const c of [3, 7, 11]) vectors[i * dim + c] += sign;
  }
  const npy = join(root, "toy-vectors.npy");
  await writeFile(npy, encodeNpy(vectors, [items, dim]));
  await writeFile(`${npy}.ids.txt`, `${Array.from({ length: items }, (_, i) => `i${i}`).join("\n")}\n`);
  return { dir, encoder: `file:${npy}`, users, items };
}
