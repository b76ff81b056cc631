import { appendFileSync, existsSync, readdirSync, statSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { ConfigError, type Csr, type Logger, type Matrix } from "@llminit/core";
import { writeFileAtomic, writeNpy } from "@llminit/core/node";
import { acquireFolderLock, checkNotLocked, LOCK_FILE, readLock, type FolderLock } from "./folder-lock.js";
import { checkOutputPath, createFolders, removeFolders } from "./output-path.js";

/** `runs/<dataset>-<model>-<init>-<timestamp>`, the timestamp in UTC without separators that shells dislike. */
export function defaultRunDir(dataset: string, model: string, init: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return resolve("runs", `${basename(dataset)}-${model}-${init}-${stamp}`);
}

/** `dir`, or `dir-2`, `dir-3`, … : the first that does not exist (two runs started in one second). */
export function freshRunDir(dir: string): string {
  if (!existsSync(dir)) return dir;
  for (let n = 2; ; n++) if (!existsSync(`${dir}-${n}`)) return `${dir}-${n}`;
}

/** How a run may use a folder that already holds files. */
export interface RunFolderOptions {
  /** Replace a previous run's files (only once the new run has been validated, never before). */
  overwrite?: boolean;
  /** The caller continues the run already in the folder (`llminit run --resume DIR`): keep its files. */
  resume?: boolean;
  /** Written into the lock and named to a second writer (default "llminit run"). */
  command?: string;
  /** The option that chose the folder, named in errors (default "--out"). */
  option?: string;
  logger?: Logger;
}

/** The folder's entries other than lock files and empty folders (they hold nothing to lose). */
function contents(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return names.filter((name) => !name.startsWith(LOCK_FILE) && !isEmptyFolder(join(dir, name))).sort();
}

function isEmptyFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory() && readdirSync(path).length === 0;
  } catch {
    return false;
  }
}

function listed(names: readonly string[]): string {
  return `${names.slice(0, 4).join(", ")}${names.length > 4 ? `, … (${names.length} entries)` : ""}`;
}

/**
 * Checks, creating and changing nothing, that a run may write to `dir`: the path can be a folder;
 * no live process holds its lock; and it is new or empty, unless `overwrite` (a previous run's
 * folder: it holds config.json) or `resume`. Call it before any work, so that a refused run costs
 * nothing; {@link prepareRunFolder} checks again under the lock.
 */
export function checkRunFolder(dir: string, options: RunFolderOptions = {}): void {
  const option = options.option ?? "--out";
  checkOutputPath(option, dir, "folder");
  if (!existsSync(dir)) return;
  checkNotLocked(dir, option);
  const holder = readLock(dir);
  const stopped =
    holder === undefined || holder === "unreadable"
      ? ""
      : ` (the ${holder.command} that wrote them, pid ${holder.pid}, stopped before it finished)`;
  checkContents(dir, options, stopped);
}

/** Refuses a folder holding files unless overwrite (of a run folder) or resume allows them. */
function checkContents(dir: string, options: RunFolderOptions, note = ""): void {
  const option = options.option ?? "--out";
  const names = contents(dir);
  if (names.length === 0 || options.resume) return;
  if (!options.overwrite)
    throw new ConfigError(
      option,
      `${dir} is not empty (${listed(names)})${note}: give --overwrite to replace the run in it, ` +
        `--resume ${dir} to continue it, or another ${option}`,
    );
  if (!names.includes("config.json"))
    throw new ConfigError(
      option,
      `${dir} holds ${listed(names)} but no config.json, so it is not a run folder: ` +
        `--overwrite replaces only run folders; give a new or empty ${option}`,
    );
}

/**
 * Makes `dir` the run's folder, after the run's configuration and data have been validated:
 * creates it (and missing parents), takes its lock (a second writer is refused while this run
 * lives; a lock left by a killed run is taken over with a warning), checks again as
 * {@link checkRunFolder} does, and with `overwrite` removes the previous run's files.
 */
export async function prepareRunFolder(dir: string, options: RunFolderOptions = {}): Promise<RunFolder> {
  const option = options.option ?? "--out";
  const created = createFolders(option, dir);
  let lock: FolderLock | undefined;
  try {
    lock = acquireFolderLock(dir, { command: options.command ?? "llminit run", option, logger: options.logger });
    checkContents(dir, options);
    if (options.overwrite && !options.resume) {
      for (const name of contents(dir)) await rm(join(dir, name), { recursive: true, force: true });
    }
    await mkdir(join(dir, "checkpoint"), { recursive: true });
    return new RunFolder(dir, lock);
  } catch (error) {
    lock?.release();
    removeFolders(created);
    throw error;
  }
}

/**
 * A run's folder. Every file is written whole (temporary name + rename) except `log.jsonl`,
 * which grows by one complete line per epoch so that a crash keeps the epochs already done.
 */
export class RunFolder {
  constructor(
    readonly dir: string,
    private readonly lock?: FolderLock,
  ) {}

  /** Lets the next writer in (removes this run's lock file). */
  release(): void {
    this.lock?.release();
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
