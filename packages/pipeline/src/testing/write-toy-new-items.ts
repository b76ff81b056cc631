import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readNpy, writeNpy } from "@llminit/core/node";
import type { ToyDataset } from "./write-toy-dataset.js";

/**
 * For cold-start tests and demos: the toy's item vectors plus vectors of two items the dataset
 * does not have, `new-red` with the signal of the first cluster ("red pen", liked by the first
 * half of the users) and `new-blue` with the second's. Returns a `file:` encoder spec over all of
 * them, to train the run with, so that the run's encoder can embed the new items later.
 */
export async function writeToyVectorsWithNewItems(toy: ToyDataset, dir: string): Promise<string> {
  const path = toy.encoder.slice("file:".length);
  const vectors = await readNpy(path);
  const [rows, dim] = vectors.shape;
  const data = new Float32Array((rows + 2) * dim);
  data.set(vectors.data as Float32Array);
  for (const c of [3, 7, 11]) {
    data[rows * dim + c] = 1;
    data[(rows + 1) * dim + c] = -1;
  }
  const out = join(dir, "toy-vectors-with-new-items.npy");
  await writeNpy(out, data, [rows + 2, dim]);
  const ids = (await readFile(`${path}.ids.txt`, "utf8")).trim().split("\n");
  await writeFile(`${out}.ids.txt`, `${[...ids, "new-red", "new-blue"].join("\n")}\n`);
  return `file:${out}`;
}
