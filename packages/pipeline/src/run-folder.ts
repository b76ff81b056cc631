import { appendFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { ConfigError, optionKey, silentLogger, type Csr, type Logger, type Matrix } from "@llminit/core";
import { writeFileAtomic, writeNpy } from "@llminit/core/node";
import { acquireFolderLock, checkNotLocked, LOCK_FILE, lockAt, readLock, type FolderLock } from "./folder-lock.js";
import { checkOutputPath, createFolders, removeFolders } from "./output-path.js";
import { RUN_OPTIONS } from "./run-config.js";

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
  /**
   * Replace a previous run (only a run folder: see {@link runFolderProblem}). The new run is written
   * in a sibling staging folder (`<dir>.llminit-new`) and swapped in once complete, so that the
   * previous run survives a crash or kill until then.
   */
  overwrite?: boolean;
  /** The caller continues the run already in the folder (`llminit run --resume DIR`): keep its files. */
  resume?: boolean;
  /** Written into the lock and named to a second writer (default "llminit run"). */
  command?: string;
  /** The option that chose the folder, named in errors (default "--out"). */
  option?: string;
  logger?: Logger;
}

/** What a run writes in its folder, and all that `--overwrite` removes from one. */
export const RUN_ENTRIES: readonly string[] = [
  "config.json",
  "log.jsonl",
  "metrics.json",
  "user.npy",
  "item.npy",
  "users.txt",
  "items.txt",
  "checkpoint",
  "cold-start",
  "user-metrics",
];
/** The sibling folder an overwriting run is written to before it replaces the previous one. */
const STAGING_SUFFIX = ".llminit-new";
/** In a staging folder: `{"replaces": "<dir>"}`, the run folder it replaces once complete. */
const STAGING_MARKER = ".llminit-replaces.json";
/** What writeFileAtomic leaves of a file when killed mid-write: `<name>.tmp-<pid>-<hex>`. */
const PARTIAL_WRITE = /\.tmp-\d+-[0-9a-f]+$/;

/** The staging folder of a run that replaces the one in `dir` (see {@link RunFolderOptions.overwrite}). */
export function stagingDir(dir: string): string {
  return `${resolve(dir)}${STAGING_SUFFIX}`;
}

/** The folder's entries other than lock files, llminit's markers and empty folders (they hold nothing to lose). */
function contents(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return names.filter((name) => !name.startsWith(".llminit") && !isEmptyFolder(join(dir, name))).sort();
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

function isRunEntry(name: string): boolean {
  return RUN_ENTRIES.includes(name.replace(PARTIAL_WRITE, ""));
}

/**
 * Why `dir` is not a folder written by an llminit run, or undefined when it is one: every entry is
 * one a run writes ({@link RUN_ENTRIES}, or a half-written temporary of one), and its config.json is
 * a JSON object of run options that names a dataset. Lock files and empty folders are ignored.
 */
export function runFolderProblem(dir: string): string | undefined {
  const names = contents(dir);
  const unexpected = names.filter((name) => !isRunEntry(name));
  if (unexpected.length > 0) return `it holds ${listed(unexpected)}, which no llminit run writes`;
  if (!names.includes("config.json")) return "it has no config.json";
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
  } catch {
    return "its config.json is not JSON";
  }
  if (config === null || typeof config !== "object" || Array.isArray(config))
    return "its config.json is not a JSON object of run options";
  const options = new Set(RUN_OPTIONS.map((spec) => spec.key as string));
  const unknown = Object.keys(config).filter((key) => !options.has(optionKey(key)));
  if (unknown.length > 0) return `its config.json has keys that are no run option (${listed(unknown)})`;
  if (typeof (config as Record<string, unknown>).dataset !== "string") return "its config.json names no dataset";
  return undefined;
}

/** The run folder a staging folder replaces once complete (see {@link RunFolderOptions.overwrite}). */
export function replacedBy(dir: string): string | undefined {
  try {
    const marker = JSON.parse(readFileSync(join(dir, STAGING_MARKER), "utf8")) as { replaces?: unknown };
    return typeof marker.replaces === "string" && marker.replaces !== dir ? marker.replaces : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks, creating and changing nothing, that a run may write to `dir`: the path can be a folder;
 * no live process holds its lock; and it is new or empty, unless `overwrite` (a previous run's
 * folder, see {@link runFolderProblem}) or `resume`. Call it before any work, so that a refused run
 * costs nothing; {@link prepareRunFolder} checks again under the lock.
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
  if (checkContents(dir, options, stopped) === "replace") checkStaging(dir, option);
}

/**
 * Refuses a folder holding files unless overwrite (of a run folder) or resume allows them.
 * Returns "replace" when `overwrite` is to replace a previous run in it.
 */
function checkContents(dir: string, options: RunFolderOptions, note = ""): "new" | "replace" | "resume" {
  const option = options.option ?? "--out";
  const names = contents(dir);
  if (options.resume) return "resume";
  if (names.length === 0) return "new";
  if (!options.overwrite)
    throw new ConfigError(
      option,
      `${dir} is not empty (${listed(names)})${note}: give --overwrite to replace the run in it, ` +
        `--resume ${dir} to continue it, or another ${option}`,
    );
  const problem = runFolderProblem(dir);
  if (problem !== undefined)
    throw new ConfigError(
      option,
      `${dir} is not an llminit run folder: ${problem}; --overwrite replaces only run folders ` +
        `(move those files away, or give a new or empty ${option})`,
    );
  return "replace";
}

/** A staging folder left by an interrupted overwrite may be replaced, unless a live run writes it. */
function checkStaging(dir: string, option: string): void {
  const staging = stagingDir(dir);
  if (!existsSync(staging)) return;
  checkNotLocked(staging, option);
  if (replacedBy(staging) !== resolve(dir) || runFolderProblem(staging) !== undefined)
    throw new ConfigError(
      option,
      `${staging} is in the way: --overwrite writes the new run there before it replaces ${dir}, ` +
        `and it is not the unfinished run of an earlier --overwrite; move it away`,
    );
}

/**
 * Makes `dir` the run's folder, after the run's configuration and data have been validated:
 * creates it (and missing parents), takes its lock (a second writer is refused while this run
 * lives; a lock left by a killed run is taken over with a warning) and checks again as
 * {@link checkRunFolder} does. With `overwrite` over a previous run, the new run's files go to a
 * staging folder beside it (locked too; an unfinished one of an interrupted overwrite is replaced,
 * with a warning) until {@link RunFolder.commit} swaps it in; `resume` of a staging folder
 * continues that run and commits it the same way.
 */
export async function prepareRunFolder(dir: string, options: RunFolderOptions = {}): Promise<RunFolder> {
  const target = resolve(dir);
  const option = options.option ?? "--out";
  const command = options.command ?? "llminit run";
  const logger = options.logger ?? silentLogger;
  const created = createFolders(option, target);
  const locks: FolderLock[] = [];
  const createdStaging: string[] = [];
  try {
    locks.push(acquireFolderLock(target, { command, option, logger }));
    const use = checkContents(target, options);
    let folder: RunFolder;
    if (use === "replace") {
      checkStaging(target, option);
      const staging = stagingDir(target);
      createdStaging.push(...createFolders(option, staging));
      locks.push(acquireFolderLock(staging, { command, option, logger }));
      const unfinished = contents(staging);
      if (unfinished.length > 0) {
        logger.log("warn", `replacing the unfinished run of an interrupted --overwrite in ${staging}`, {
          dir: staging,
        });
        for (const name of unfinished) await rm(join(staging, name), { recursive: true, force: true });
      }
      await writeFileAtomic(join(staging, STAGING_MARKER), `${JSON.stringify({ replaces: target })}\n`);
      folder = new RunFolder(staging, locks, target, logger);
    } else {
      const replaces = use === "resume" ? replacedBy(target) : undefined;
      if (replaces !== undefined) locks.push(acquireFolderLock(replaces, { command, option, logger }));
      folder = new RunFolder(target, locks, replaces ?? target, logger);
    }
    await mkdir(folder.path("checkpoint"), { recursive: true });
    return folder;
  } catch (error) {
    for (const lock of locks) lock.release();
    if (createdStaging.length > 0) rmSync(stagingDir(target), { recursive: true, force: true });
    removeFolders(created);
    throw error;
  }
}

/**
 * A run's folder. Every file is written whole (temporary name + rename) except `log.jsonl`,
 * which grows by one complete line per epoch so that a crash keeps the epochs already done.
 */
export class RunFolder {
  private locks: FolderLock[];
  private current: string;

  constructor(
    dir: string,
    locks: FolderLock | readonly FolderLock[] = [],
    /** Where the run is once complete (and named in its summary). */
    readonly finalDir: string = dir,
    private readonly logger: Logger = silentLogger,
  ) {
    this.current = dir;
    this.locks = Array.isArray(locks) ? [...locks] : [locks as FolderLock];
  }

  /** Where the run's files are written: `finalDir`, or its staging folder while it replaces a run. */
  get dir(): string {
    return this.current;
  }

  /** True while the run is written beside the run it replaces (see {@link RunFolderOptions.overwrite}). */
  get staged(): boolean {
    return this.dir !== this.finalDir;
  }

  /** Lets the next writer in (removes this run's lock files); synchronous, so a signal handler may call it. */
  release(): void {
    for (const lock of this.locks) lock.release();
  }

  /**
   * Called once the run is complete: a staged run replaces the previous one. The previous folder is
   * renamed aside, the staging folder renamed into its place, and then only the previous run's own
   * entries are removed (anything else found there is kept, with a warning). Nothing to do otherwise.
   */
  async commit(): Promise<void> {
    if (!this.staged) return;
    const target = this.finalDir;
    const aside = `${target}.llminit-old-${process.pid}`;
    await rm(aside, { recursive: true, force: true });
    // The previous folder may be gone meanwhile (moved away by hand): then there is nothing to keep.
    const previous = existsSync(target);
    if (previous) renameSync(target, aside);
    try {
      renameSync(this.dir, target);
    } catch (error) {
      if (previous) renameSync(aside, target);
      throw error;
    }
    // The staging folder's lock moved with it: it now locks the target; the previous one went aside.
    const moved = this.locks.find((lock) => dirname(lock.file) === this.current);
    for (const lock of this.locks) lock.release();
    this.locks = moved === undefined ? [] : [lockAt(target, moved.holder)];
    await rm(join(target, STAGING_MARKER), { force: true });
    const staging = this.current;
    this.current = target;
    this.logger.log("info", "replaced the previous run", { dir: target, from: staging });
    if (!previous) return;
    for (const name of readdirSync(aside))
      if (isRunEntry(name) || name.startsWith(LOCK_FILE)) await rm(join(aside, name), { recursive: true, force: true });
    const kept = contents(aside);
    if (kept.length === 0) await rm(aside, { recursive: true, force: true });
    else
      this.logger.log("warn", `kept ${listed(kept)} of the replaced run's folder in ${aside}: no run writes them`, {
        dir: aside,
      });
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
