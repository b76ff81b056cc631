import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { extname } from "node:path";
import { DataFormatError, NotAvailableError, createMatrix, decodeNpy } from "@llminit/core";
import type { Matrix } from "@llminit/core";
import { throwIfAborted } from "./batching.js";
import type { EncodeItem, EncodeOptions, TextEncoder } from "./types.js";

/** Vectors read from a file: `ids[i]` owns row `i` of `vectors`. */
export interface PrecomputedVectors {
  ids: string[];
  vectors: Matrix;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (cause) {
    throw new NotAvailableError(what, `cannot read ${path}`, "Check the path given after file:", { cause });
  }
}

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}

async function readIds(npyPath: string, rows: number): Promise<string[]> {
  const txt = `${npyPath}.ids.txt`;
  const json = `${npyPath}.ids.json`;
  let ids: string[];
  let file: string;
  if (existsSync(txt)) {
    file = txt;
    ids = splitLines(await readText(txt, "id list"));
    ids.forEach((id, i) => {
      if (id.trim() === "") throw new DataFormatError({ file, line: i + 1, field: "id" }, "empty id");
    });
  } else if (existsSync(json)) {
    file = json;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readText(json, "id list"));
    } catch (cause) {
      throw new DataFormatError({ file }, `not valid JSON: ${String(cause)}`, { cause });
    }
    if (!Array.isArray(parsed)) throw new DataFormatError({ file }, "must be a JSON array of id strings");
    parsed.forEach((id, i) => {
      if (typeof id !== "string" || id === "")
        throw new DataFormatError(
          { file, field: `[${i}]` },
          `id must be a non-empty string, got ${JSON.stringify(id)}`,
        );
    });
    ids = parsed as string[];
  } else {
    throw new DataFormatError(
      { file: npyPath },
      `no id list beside the vectors: expected ${txt} (one id per line) or ${json} (JSON array)`,
    );
  }
  if (ids.length !== rows) {
    throw new DataFormatError(
      { file, line: Math.min(ids.length, rows) + 1 },
      `${ids.length} ids for ${rows} vector rows in ${npyPath}`,
    );
  }
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    const previous = seen.get(id);
    if (previous !== undefined)
      throw new DataFormatError(
        { file, line: i + 1, field: "id" },
        `duplicate id "${id}" (first on line ${previous + 1})`,
      );
    seen.set(id, i);
  });
  return ids;
}

async function readNpyVectors(path: string): Promise<PrecomputedVectors> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new NotAvailableError("precomputed vectors", `cannot read ${path}`, "Check the path given after file:", {
      cause,
    });
  }
  const array = decodeNpy(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
  if (array.dtype !== "float32" && array.dtype !== "float64") {
    throw new DataFormatError(
      { file: path, field: "dtype" },
      `expected float32 (or float64) vectors, got ${array.dtype}`,
    );
  }
  if (array.shape.length !== 2)
    throw new DataFormatError(
      { file: path, field: "shape" },
      `expected a 2-d array [n × D], got shape [${array.shape.join(", ")}]`,
    );
  const [rows, cols] = array.shape;
  const data = array.data instanceof Float32Array ? array.data : Float32Array.from(array.data as Float64Array);
  const ids = await readIds(path, rows);
  for (let r = 0; r < rows; r++) {
    const row = data.subarray(r * cols, (r + 1) * cols);
    for (let j = 0; j < cols; j++) {
      if (!Number.isFinite(row[j])) {
        throw new DataFormatError(
          { file: path, field: `row ${r}` },
          `id "${ids[r]}" column ${j}: value ${row[j]} is not finite`,
        );
      }
    }
  }
  return { ids, vectors: createMatrix(rows, cols, data) };
}

async function readJsonlVectors(path: string): Promise<PrecomputedVectors> {
  const lines = splitLines(await readText(path, "precomputed vectors"));
  const ids: string[] = [];
  const rows: number[][] = [];
  const seen = new Map<string, number>();
  let dim = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i].trim() === "") continue;
    let record: unknown;
    try {
      record = JSON.parse(lines[i]);
    } catch (cause) {
      throw new DataFormatError({ file: path, line }, `not valid JSON: ${String(cause)}`, { cause });
    }
    if (record === null || typeof record !== "object")
      throw new DataFormatError({ file: path, line }, "expected an object {id, embedding}");
    const { id, embedding } = record as { id?: unknown; embedding?: unknown };
    if (typeof id !== "string" || id === "")
      throw new DataFormatError(
        { file: path, line, field: "id" },
        `must be a non-empty string, got ${JSON.stringify(id)}`,
      );
    if (!Array.isArray(embedding))
      throw new DataFormatError({ file: path, line, field: "embedding" }, "must be an array of numbers");
    if (dim === -1) dim = embedding.length;
    if (embedding.length !== dim || dim === 0) {
      throw new DataFormatError(
        { file: path, line, field: "embedding" },
        `has ${embedding.length} values, expected ${dim} like the first row (ragged rows)`,
      );
    }
    for (let j = 0; j < embedding.length; j++) {
      const v: unknown = embedding[j];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new DataFormatError(
          { file: path, line, field: "embedding" },
          `value ${j} is ${JSON.stringify(v)}, not a finite number`,
        );
      }
    }
    const previous = seen.get(id);
    if (previous !== undefined)
      throw new DataFormatError({ file: path, line, field: "id" }, `duplicate id "${id}" (first on line ${previous})`);
    seen.set(id, line);
    ids.push(id);
    rows.push(embedding as number[]);
  }
  if (ids.length === 0) throw new DataFormatError({ file: path }, "no vectors in the file");
  const data = new Float32Array(ids.length * dim);
  rows.forEach((row, r) => data.set(row, r * dim));
  return { ids, vectors: createMatrix(ids.length, dim, data) };
}

/**
 * Reads precomputed vectors: `.npy` (float32 `[n × D]`) with ids in `<path>.ids.txt` (one per
 * line) or `<path>.ids.json` (JSON array), or JSON Lines (`.jsonl`/`.json`) with one
 * `{"id": …, "embedding": [...]}` per line. Bad data throws a {@link DataFormatError} naming
 * the file and line or row.
 */
export async function readPrecomputedVectors(path: string): Promise<PrecomputedVectors> {
  return extname(path).toLowerCase() === ".npy" ? readNpyVectors(path) : readJsonlVectors(path);
}

/** Encoder over precomputed vectors: `encode` looks each item up by id. Id: `file:<path>`. */
export async function createFileEncoder(path: string): Promise<TextEncoder> {
  const { ids, vectors } = await readPrecomputedVectors(path);
  const index = new Map<string, number>();
  ids.forEach((id, i) => index.set(id, i));
  const dim = vectors.cols;
  const check = (items: readonly EncodeItem[]) => {
    const missing = items.filter((item) => !index.has(item.id)).map((item) => item.id);
    if (missing.length === 0) return;
    const shown = missing
      .slice(0, 5)
      .map((id) => `"${id}"`)
      .join(", ");
    throw new DataFormatError(
      { file: path, field: "id" },
      `no vector for ${missing.length} item(s): ${shown}${missing.length > 5 ? ", …" : ""}`,
    );
  };
  return {
    id: `file:${path}`,
    dimension: () => dim,
    check,
    async encode(items: readonly EncodeItem[], options: EncodeOptions = {}): Promise<Matrix> {
      throwIfAborted(options.signal);
      check(items);
      const out = createMatrix(items.length, dim);
      items.forEach((item, i) => {
        const row = index.get(item.id)!;
        out.data.set(vectors.data.subarray(row * dim, (row + 1) * dim), i * dim);
      });
      options.onProgress?.(items.length, items.length);
      return out;
    },
    async dispose() {},
  };
}
