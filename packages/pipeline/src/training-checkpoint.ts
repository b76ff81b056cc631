import { createHash, randomBytes, webcrypto } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError, DataFormatError, decodeNpy, encodeNpy, silentLogger, type Csr, type Logger } from "@llminit/core";
import type { EpochRecord, TrainingCheckpoint } from "@llminit/models";

/**
 * What a checkpoint was trained on. Resuming recomputes it from the data and refuses a mismatch:
 * a checkpoint continues only the training graph it started on.
 */
export interface CheckpointFingerprint {
  model: string;
  users: number;
  items: number;
  dim: number;
  /** sha256 of the train CSR (indptr and indices, little-endian int32). */
  train: string;
}

/** The fingerprint of a run's training graph and model shape. */
export function checkpointFingerprint(model: string, train: Csr, dim: number): CheckpointFingerprint {
  const hash = createHash("sha256");
  hash.update(new Uint8Array(train.indptr.buffer, train.indptr.byteOffset, train.indptr.byteLength));
  hash.update(new Uint8Array(train.indices.buffer, train.indices.byteOffset, train.indices.byteLength));
  return { model, users: train.rows, items: train.cols, dim, train: hash.digest("hex") };
}

const FORMAT = "llminit-training-checkpoint";
const VERSION = 1;
/** Complete checkpoints kept: the newest, and the one before in case the newest is found damaged. */
const KEEP = 2;
const MANIFEST = /^epoch-(\d+)\.json$/;
const TABLES = ["ego", "moment1", "moment2", "bestEgo"] as const;
type Table = (typeof TABLES)[number];

interface FileEntry {
  file: string;
  bytes: number;
  sha256: string;
}

/** `epoch-<n>.json`: everything but the tables, which it names with their sizes and sha256 sums. */
interface Manifest {
  format: typeof FORMAT;
  version: number;
  epoch: number;
  engine: TrainingCheckpoint["engine"];
  step: number;
  bestEpoch: number;
  bestValid?: number;
  sinceBest: number;
  /** The early-stopping rule that counted bestValid and sinceBest. */
  earlyStopping: TrainingCheckpoint["earlyStopping"];
  fingerprint: CheckpointFingerprint;
  history: EpochRecord[];
  files: Record<Table, FileEntry>;
}

/**
 * The steps of a checkpoint write, in order; a test can stop the write before any of them to see
 * what a kill at that moment leaves.
 */
export type CheckpointStep = "write" | "sync" | "rename" | "sync-folder" | "remove";

export interface CheckpointWriteOptions {
  /** Called before every file-system step; throwing stops the write there (crash tests). */
  beforeStep?: (step: CheckpointStep, path: string) => void;
}

const pad = (epoch: number) => String(epoch).padStart(6, "0");
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
/** Like Promise.all, but rejects only once every promise has settled: no write is left running after a failure. */
async function settled<T extends readonly unknown[]>(
  promises: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure !== undefined) throw failure.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

/** sha256 off the main thread (WebCrypto digests run on libuv's thread pool). */
async function digest(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest("SHA-256", bytes)).toString("hex");
}

/**
 * Writes `bytes` to `path` durably and atomically: a temporary sibling is written and fsync'd,
 * then renamed over `path`. A kill at any moment leaves the old file or the new one, never half.
 */
async function writeDurable(path: string, bytes: Uint8Array, options: CheckpointWriteOptions): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  options.beforeStep?.("write", temporary);
  const handle = await open(temporary, "wx");
  try {
    await handle.writeFile(bytes);
    options.beforeStep?.("sync", temporary);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  options.beforeStep?.("rename", path);
  await rename(temporary, path);
}

/** fsync a folder, so that the renames in it survive a crash of the machine (not only of the process). */
async function syncFolder(dir: string, options: CheckpointWriteOptions): Promise<void> {
  options.beforeStep?.("sync-folder", dir);
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems cannot fsync a folder (EINVAL/EISDIR); the files themselves are synced.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EINVAL" && code !== "EISDIR" && code !== "EPERM") throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Writes training checkpoints into one folder (a run's `checkpoint/training/`), one per call:
 * the tables as numpy-readable `.npy` files (`epoch-<n>-ego.npy`, `-adam-m.npy`, `-adam-v.npy`,
 * and `best-ego-<epoch>.npy`, written once per best epoch), then the manifest `epoch-<n>.json`
 * naming them with their sizes and sha256 sums. Every file is fsync'd and renamed into place, and
 * the manifest comes last, so a kill at any moment leaves the previous complete checkpoint or the
 * new one. The two newest checkpoints are kept; older files are removed after the new manifest
 * is on disk.
 */
export class CheckpointWriter {
  /** The best-ego file this writer wrote last (reused while the best epoch does not change). */
  private best: { epoch: number; entry: FileEntry } | undefined;

  constructor(
    readonly dir: string,
    private readonly fingerprint: CheckpointFingerprint,
    private readonly options: CheckpointWriteOptions = {},
  ) {}

  async save(checkpoint: TrainingCheckpoint): Promise<void> {
    const { dim, users, items } = this.fingerprint;
    const shape = [users + items, dim];
    await mkdir(this.dir, { recursive: true });
    const stem = `epoch-${pad(checkpoint.epoch)}`;
    // The tables are written, hashed and fsync'd concurrently (the fsyncs dominate); the manifest only after all.
    const table = async (file: string, data: Float32Array): Promise<FileEntry> => {
      const bytes = encodeNpy(data, shape);
      const [sum] = await Promise.all([digest(bytes), writeDurable(join(this.dir, file), bytes, this.options)]);
      return { file, bytes: bytes.length, sha256: sum };
    };
    const reuseBest = this.best?.epoch === checkpoint.bestEpoch;
    const [ego, moment1, moment2, bestEntry] = await settled([
      table(`${stem}-ego.npy`, checkpoint.state.ego),
      table(`${stem}-adam-m.npy`, checkpoint.state.moment1),
      table(`${stem}-adam-v.npy`, checkpoint.state.moment2),
      reuseBest ? undefined : table(`best-ego-${pad(checkpoint.bestEpoch)}.npy`, checkpoint.bestEgo),
    ]);
    const best = bestEntry === undefined && this.best !== undefined ? this.best : undefined;
    this.best = best ?? { epoch: checkpoint.bestEpoch, entry: bestEntry as FileEntry };
    const manifest: Manifest = {
      format: FORMAT,
      version: VERSION,
      epoch: checkpoint.epoch,
      engine: checkpoint.engine,
      step: checkpoint.state.step,
      bestEpoch: checkpoint.bestEpoch,
      bestValid: checkpoint.bestValid,
      sinceBest: checkpoint.sinceBest,
      earlyStopping: checkpoint.earlyStopping,
      fingerprint: this.fingerprint,
      history: checkpoint.history,
      files: { ego, moment1, moment2, bestEgo: this.best.entry },
    };
    await writeDurable(join(this.dir, `${stem}.json`), Buffer.from(`${JSON.stringify(manifest)}\n`), this.options);
    await syncFolder(this.dir, this.options);
    await this.prune();
  }

  /** Removes manifests beyond the newest KEEP, then every file no kept manifest names (and stray temporaries). */
  private async prune(): Promise<void> {
    const names = await readdir(this.dir);
    const manifests = names
      .map((name) => ({ name, epoch: Number(MANIFEST.exec(name)?.[1] ?? NaN) }))
      .filter((m) => Number.isFinite(m.epoch))
      .sort((a, b) => b.epoch - a.epoch);
    const kept = new Set<string>();
    for (const { name } of manifests.slice(0, KEEP)) {
      kept.add(name);
      const manifest = await readManifest(join(this.dir, name)).catch(() => undefined);
      if (manifest !== undefined) for (const key of TABLES) kept.add(manifest.files[key].file);
    }
    // Old manifests first: no kept manifest ever names a file that is gone.
    const doomed = [
      ...manifests.slice(KEEP).map((m) => m.name),
      ...names.filter((name) => !kept.has(name) && !MANIFEST.test(name)),
    ];
    for (const name of doomed) {
      this.options.beforeStep?.("remove", join(this.dir, name));
      await rm(join(this.dir, name), { force: true });
    }
  }
}

async function readManifest(path: string): Promise<Manifest> {
  const fail = (reason: string): never => {
    throw new DataFormatError({ file: path }, reason);
  };
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    return fail(`not a readable checkpoint manifest (${(error as Error).message})`);
  }
  const manifest = value as Partial<Manifest>;
  if (manifest?.format !== FORMAT) fail(`not an llminit training checkpoint (format ${String(manifest?.format)})`);
  if (manifest.version !== VERSION)
    fail(`checkpoint version ${String(manifest.version)}, this llminit reads ${VERSION}`);
  const integers = ["epoch", "step", "bestEpoch", "sinceBest"] as const;
  for (const key of integers)
    if (!Number.isSafeInteger(manifest[key]) || (manifest[key] as number) < 0)
      fail(`field "${key}" must be a non-negative integer, got ${JSON.stringify(manifest[key])}`);
  if (manifest.earlyStopping !== "strict" && manifest.earlyStopping !== "recbole")
    fail(`field "earlyStopping" must be "strict" or "recbole", got ${JSON.stringify(manifest.earlyStopping)}`);
  if (!Array.isArray(manifest.history) || manifest.history.length !== manifest.epoch)
    fail(`field "history" must hold one record per epoch (${String(manifest.epoch)})`);
  for (const key of TABLES) {
    const entry = manifest.files?.[key];
    if (typeof entry?.file !== "string" || typeof entry.sha256 !== "string" || !Number.isSafeInteger(entry.bytes))
      fail(`field "files.${key}" must name a file with its bytes and sha256`);
  }
  return manifest as Manifest;
}

/** Reads and checks the tables a manifest names; throws a DataFormatError naming the first bad file. */
async function readTables(
  dir: string,
  manifest: Manifest,
  shape: readonly number[],
): Promise<Record<Table, Float32Array>> {
  const tables = {} as Record<Table, Float32Array>;
  for (const key of TABLES) {
    const { file, bytes, sha256: sum } = manifest.files[key];
    const path = join(dir, file);
    const content = await readFile(path).catch((error: unknown) => {
      throw new DataFormatError({ file: path }, `cannot read (${(error as Error).message})`);
    });
    if (content.length !== bytes)
      throw new DataFormatError({ file: path }, `${content.length} bytes, expected ${bytes}`);
    if (sha256(content) !== sum) throw new DataFormatError({ file: path }, "sha256 differs from the manifest's");
    const array = decodeNpy(content, path);
    if (array.dtype !== "float32" || array.shape.join() !== shape.join())
      throw new DataFormatError(
        { file: path },
        `expected float32 [${shape.join(", ")}], found ${array.dtype} [${array.shape.join(", ")}]`,
      );
    tables[key] = array.data as Float32Array;
  }
  return tables;
}

/**
 * The newest complete checkpoint in `dir`, or undefined when `dir` holds none (training never
 * finished an epoch). A damaged newest checkpoint is reported and the one before it used; when
 * every checkpoint is damaged, a DataFormatError names each. A checkpoint of other data or
 * another model shape is a ConfigError.
 */
export async function loadTrainingCheckpoint(
  dir: string,
  fingerprint: CheckpointFingerprint,
  logger: Logger = silentLogger,
): Promise<TrainingCheckpoint | undefined> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw error;
  });
  const manifests = names
    .map((name) => ({ name, epoch: Number(MANIFEST.exec(name)?.[1] ?? NaN) }))
    .filter((m) => Number.isFinite(m.epoch))
    .sort((a, b) => b.epoch - a.epoch);
  if (manifests.length === 0) return undefined;
  const problems: string[] = [];
  for (const { name } of manifests) {
    const path = join(dir, name);
    try {
      const manifest = await readManifest(path);
      checkFingerprint(path, manifest.fingerprint, fingerprint);
      const tables = await readTables(dir, manifest, [fingerprint.users + fingerprint.items, fingerprint.dim]);
      if (problems.length > 0)
        logger.log("warn", `using the checkpoint of epoch ${manifest.epoch}: newer ones are damaged`, { problems });
      return {
        epoch: manifest.epoch,
        engine: manifest.engine,
        state: { ego: tables.ego, moment1: tables.moment1, moment2: tables.moment2, step: manifest.step },
        bestEgo: tables.bestEgo,
        bestEpoch: manifest.bestEpoch,
        bestValid: manifest.bestValid ?? undefined,
        sinceBest: manifest.sinceBest,
        earlyStopping: manifest.earlyStopping,
        history: manifest.history,
      };
    } catch (error) {
      if (!(error instanceof DataFormatError)) throw error;
      problems.push(error.message);
    }
  }
  throw new DataFormatError(
    { file: dir },
    `no usable training checkpoint: ${problems.join("; ")}. Delete ${dir} to train again from the first epoch`,
  );
}

function checkFingerprint(path: string, found: CheckpointFingerprint, expected: CheckpointFingerprint): void {
  const keys = ["model", "users", "items", "dim", "train"] as const;
  const differ = keys.filter((key) => found?.[key] !== expected[key]);
  if (differ.length === 0) return;
  const what = differ.map((key) =>
    key === "train"
      ? "the training interactions differ"
      : `${key} ${JSON.stringify(found?.[key])} (now ${JSON.stringify(expected[key])})`,
  );
  throw new ConfigError(
    "resume",
    `${path} was written for other data or another model: ${what.join(", ")}. Resume with the data the run started on`,
  );
}
