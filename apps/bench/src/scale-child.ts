#!/usr/bin/env node
// One size of `bench scale`, our side, in a process of its own: its peak RSS is this graph's
// alone (not the generator's nor another size's). Reads the graph that scale-command wrote.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readNpy } from "@llminit/core/node";
import type { Csr } from "@llminit/core";
import { measureScaleOurs } from "./scale-ours.js";
import type { ScaleSettings } from "./scale-ours.js";

/** Reads `<dir>/<name>_indptr.npy` and `_indices.npy` as a rows × cols CSR. */
export async function readCsrFiles(dir: string, name: string, rows: number, cols: number): Promise<Csr> {
  const indptr = (await readNpy(join(dir, `${name}_indptr.npy`))).data as Int32Array;
  const indices = (await readNpy(join(dir, `${name}_indices.npy`))).data as Int32Array;
  return { rows, cols, indptr, indices };
}

async function child(argv: readonly string[]): Promise<void> {
  const dir = argv[argv.indexOf("--dir") + 1];
  const graph = JSON.parse(await readFile(join(dir, "graph.json"), "utf8")) as { users: number; items: number };
  const settings = JSON.parse(await readFile(join(dir, "settings.json"), "utf8")) as ScaleSettings;
  const train = await readCsrFiles(dir, "train", graph.users, graph.items);
  const sample = await readCsrFiles(dir, "sample", graph.users, graph.items);
  const result = await measureScaleOurs(train, sample, settings);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv.includes("--dir")) await child(process.argv.slice(2));
