import { appendFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { writeFileAtomic, writeNpy, type Csr, type Matrix } from "@llminit/core";

/** `runs/<dataset>-<model>-<init>-<timestamp>`, the timestamp in UTC without separators that shells dislike. */
export function defaultRunDir(dataset: string, model: string, init: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return resolve("runs", `${basename(dataset)}-${model}-${init}-${stamp}`);
}

/**
 * A run's folder. Every file is written whole (temporary name + rename) except `log.jsonl`,
 * which grows by one complete line per epoch so that a crash keeps the epochs already done.
 */
export class RunFolder {
  constructor(readonly dir: string) {}

  /**
   * Creates the folder; a reused folder starts a fresh `log.jsonl` (its other files are replaced as the
   * run writes them).
   */
  async create(): Promise<void> {
    await mkdir(join(this.dir, "checkpoint"), { recursive: true });
    await rm(this.path("log.jsonl"), { force: true });
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  async writeJson(name: string, value: unknown): Promise<void> {
    await writeFileAtomic(this.path(name), `${JSON.stringify(value, null, 2)}\n`);
  }

  /** Synchronous on purpose: one short line, in order, on disk before training goes on. */
  appendLog(record: unknown): void {
    appendFileSync(this.path("log.jsonl"), `${JSON.stringify(record)}\n`);
  }

  /** Replaces `log.jsonl` whole with these records (a resumed run keeps only its checkpoint's epochs). */
  async rewriteLog(records: readonly unknown[]): Promise<void> {
    await writeFileAtomic(this.path("log.jsonl"), records.map((record) => `${JSON.stringify(record)}\n`).join(""));
  }

  async writeMatrix(name: string, matrix: Matrix): Promise<void> {
    await writeNpy(this.path(name), matrix.data, [matrix.rows, matrix.cols]);
  }

  async writeIds(name: string, ids: readonly string[]): Promise<void> {
    await writeFileAtomic(this.path(name), ids.length === 0 ? "" : `${ids.join("\n")}\n`);
  }

  /** The training graph, so that `recommend` can mask what a user already has. */
  async writeCsr(prefix: string, csr: Csr): Promise<void> {
    await writeNpy(this.path(`${prefix}-indptr.npy`), csr.indptr, [csr.indptr.length]);
    await writeNpy(this.path(`${prefix}-indices.npy`), csr.indices, [csr.indices.length]);
  }
}
