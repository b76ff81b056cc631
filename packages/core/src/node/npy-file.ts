import { readFile } from "node:fs/promises";
import { decodeNpy, encodeNpy } from "../npy.js";
import type { NpyArray, NpyData } from "../npy.js";
import { writeFileAtomic } from "./atomic-write.js";

/** Reads a .npy file. */
export async function readNpy(path: string): Promise<NpyArray> {
  return decodeNpy(await readFile(path), path);
}

/** Writes a .npy file atomically (temporary name, then rename). */
export async function writeNpy(path: string, data: NpyData, shape: readonly number[]): Promise<void> {
  await writeFileAtomic(path, encodeNpy(data, shape));
}
