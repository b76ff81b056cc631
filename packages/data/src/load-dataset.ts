import { existsSync, statSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { closestName, ConfigError, DataFormatError, NotAvailableError, silentLogger } from "@llminit/core";
import type { Logger, ProgressReporter } from "@llminit/core";
import { readAmazonMeta, readAmazonReviews } from "./amazon.js";
import { readAtomicInteractions, readAtomicItems } from "./atomic-file.js";
import { delimitedProblem, delimiterOf, detectDelimited, DELIMITED_FILE } from "./delimited-dataset.js";
import type { DelimitedLocation } from "./delimited-dataset.js";
import { readDelimitedInteractions, readDelimitedItems } from "./delimited-file.js";
import { downloadFile } from "./download.js";
import type { DataIssue, FileSummary } from "./data-issues.js";
import type { InteractionLog, ItemFeatures } from "./interaction-log.js";
import { readMovieLens100k, readMovieLens1m } from "./movielens.js";
import { DATASETS, defaultTextTemplate } from "./registry.js";
import type { DatasetEntry } from "./registry.js";
import { listZip, readZipEntry } from "./zip.js";

/** Where to look for datasets. */
export interface LocateOptions {
  /** Folder holding `<name>/` dataset folders (default: env LLMINIT_DATA_DIR). */
  dataDir?: string;
  /** Folder for downloads (default: env LLMINIT_CACHE_DIR, else ~/.cache/llminit/datasets). */
  cacheDir?: string;
  /** The registry to use (default {@link DATASETS}). */
  registry?: readonly DatasetEntry[];
}

/** Options of {@link loadDataset}. */
export interface LoadOptions extends LocateOptions {
  /** Download the original distribution when not found locally (default true). */
  download?: boolean;
  /** Passed to {@link downloadFile}. */
  fetch?: typeof fetch;
  /**
   * The numeric interaction column read as the log's `rating`, which `minRating` filters (default "rating": the
   * rating column when there is one; Amazon reviews: `overall`). A name given here must exist, else a
   * `ConfigError` names the file and the columns it has. E.g. "play_count" for a play-count threshold.
   */
  ratingField?: string;
  logger?: Logger;
  progress?: ProgressReporter;
  /** Called for every problem in the data that did not stop the read (also logged). */
  onIssue?: (issue: DataIssue) => void;
  /** Called once per file read, with its format and columns. */
  onFile?: (summary: FileSummary) => void;
}

/** Where a dataset was (or would be) found. */
export type DatasetLocation =
  | { kind: "atomic"; dir: string; inter: string; item?: string }
  | { kind: "movielens-100k" | "movielens-1m"; dir: string }
  | { kind: "amazon"; dir: string; reviews: string; meta?: string }
  | { kind: "zip"; dir: string; zip: string; format: "movielens-100k" | "movielens-1m" }
  | DelimitedLocation
  | { kind: "remote"; dir: string; urls: string[] };

/** A registry entry with where it is found. */
export interface DatasetListing extends DatasetEntry {
  location: DatasetLocation;
}

/** A loaded dataset before filtering. */
export interface LoadedDataset {
  name: string;
  log: InteractionLog;
  /** Item features by original item id. */
  itemFeatures: ItemFeatures;
  /** Suggested item-text template for these features. */
  textTemplate: string;
  location: DatasetLocation;
}

function dataDirOf(options: LocateOptions): string | undefined {
  const dir = options.dataDir ?? process.env.LLMINIT_DATA_DIR;
  return dir === undefined || dir === "" ? undefined : resolve(dir);
}

function cacheDirOf(options: LocateOptions): string {
  const dir = options.cacheDir ?? process.env.LLMINIT_CACHE_DIR;
  return resolve(dir === undefined || dir === "" ? join(homedir(), ".cache", "llminit", "datasets") : dir);
}

function firstExisting(dir: string, names: string[]): string | undefined {
  for (const name of names) if (existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/**
 * Recognises a folder's contents: RecBole atomic files (`<folder>.inter[.gz]` or a single
 * `*.inter[.gz]`), MovieLens raw files (also one folder down, as unzipped), their zip,
 * Amazon review + `meta_*` JSON(-lines) files, or a CSV/TSV interactions file with an optional
 * CSV/TSV item file (see `detectDelimited`).
 */
export async function detectFolder(dir: string): Promise<DatasetLocation | undefined> {
  if (!isDir(dir)) return undefined;
  const files = (await readdir(dir)).sort();
  const base = basename(dir);
  const inter =
    firstExisting(dir, [`${base}.inter`, `${base}.inter.gz`]) ??
    (() => {
      const found = files.filter((f) => /\.inter(\.gz)?$/.test(f));
      return found.length === 1 ? join(dir, found[0]) : undefined;
    })();
  if (inter !== undefined) {
    const stem = basename(inter).replace(/\.inter(\.gz)?$/, "");
    return { kind: "atomic", dir, inter, item: firstExisting(dir, [`${stem}.item`, `${stem}.item.gz`]) };
  }
  for (const sub of [dir, ...files.map((f) => join(dir, f)).filter(isDir)]) {
    if (existsSync(join(sub, "u.data")) && existsSync(join(sub, "u.item"))) return { kind: "movielens-100k", dir: sub };
    if (existsSync(join(sub, "ratings.dat")) && existsSync(join(sub, "movies.dat")))
      return { kind: "movielens-1m", dir: sub };
  }
  if (files.includes("ml-100k.zip"))
    return { kind: "zip", dir, zip: join(dir, "ml-100k.zip"), format: "movielens-100k" };
  if (files.includes("ml-1m.zip")) return { kind: "zip", dir, zip: join(dir, "ml-1m.zip"), format: "movielens-1m" };
  const json = files.filter((f) => /\.jsonl?(\.gz)?$/.test(f));
  const reviews = json.filter((f) => !f.startsWith("meta_"));
  if (reviews.length === 1) {
    const meta = json.filter((f) => f.startsWith("meta_"));
    return {
      kind: "amazon",
      dir,
      reviews: join(dir, reviews[0]),
      meta: meta.length === 1 ? join(dir, meta[0]) : undefined,
    };
  }
  return detectDelimited(dir, files);
}

function lookup(name: string, options: LocateOptions): DatasetEntry | undefined {
  return (options.registry ?? DATASETS).find((e) => e.name === name);
}

/** Where an entry is found: `<dataDir>/<name>/`, then `<cacheDir>/<name>/`, else its URLs. */
export async function locateDataset(entry: DatasetEntry, options: LocateOptions = {}): Promise<DatasetLocation> {
  const dataDir = dataDirOf(options);
  if (dataDir !== undefined) {
    const found = await detectFolder(join(dataDir, entry.name));
    if (found !== undefined) return found;
  }
  const cacheDir = join(cacheDirOf(options), entry.name);
  const cached = await detectFolder(cacheDir);
  if (
    cached !== undefined &&
    (cached.kind !== "amazon" || entry.remote.every((r) => existsSync(join(cacheDir, r.file))))
  )
    return cached;
  return { kind: "remote", dir: cacheDir, urls: entry.remote.map((r) => r.url) };
}

/** The registry entries with where each one is found now (nothing is downloaded). */
export async function listDatasets(options: LocateOptions = {}): Promise<DatasetListing[]> {
  const out: DatasetListing[] = [];
  for (const entry of options.registry ?? DATASETS)
    out.push({ ...entry, location: await locateDataset(entry, options) });
  return out;
}

async function extractZip(zip: string, dir: string, wanted: string[]): Promise<string> {
  const buffer = await readFile(zip);
  const entries = listZip(buffer, zip);
  for (const name of wanted) {
    const entry = entries.find((e) => e.name === name || e.name.endsWith(`/${name}`));
    if (entry === undefined)
      throw new NotAvailableError(zip, `the archive has no ${name}`, `Replace ${zip} with the original distribution.`);
    await writeFile(join(dir, name), readZipEntry(buffer, entry, zip));
  }
  return dir;
}

async function readLocation(
  location: DatasetLocation,
  options: LoadOptions,
): Promise<{ log: InteractionLog; items: ItemFeatures }> {
  const read = {
    logger: options.logger,
    progress: options.progress,
    onIssue: options.onIssue,
    onFile: options.onFile,
  };
  const ratingField = options.ratingField;
  switch (location.kind) {
    case "atomic": {
      const log = await readAtomicInteractions(location.inter, {
        ...read,
        fields: ratingField === undefined ? undefined : { rating: ratingField },
      });
      const items = location.item === undefined ? new Map() : await readAtomicItems(location.item, read);
      return { log, items };
    }
    case "movielens-100k": {
      const d = await readMovieLens100k(location.dir, { ...read, ratingField });
      return { log: d.log, items: d.items };
    }
    case "movielens-1m": {
      const d = await readMovieLens1m(location.dir, { ...read, ratingField });
      return { log: d.log, items: d.items };
    }
    case "zip": {
      const wanted = location.format === "movielens-100k" ? ["u.data", "u.item"] : ["ratings.dat", "movies.dat"];
      const target = join(cacheDirOf(options), basename(location.dir), "extracted");
      await mkdir(target, { recursive: true });
      await extractZip(location.zip, target, wanted);
      return readLocation({ kind: location.format, dir: target }, options);
    }
    case "delimited": {
      const { columns } = location;
      const log = await readDelimitedInteractions(location.inter, {
        ...read,
        delimiter: delimiterOf(location.inter),
        columns: { ...columns, rating: ratingField ?? columns.rating },
      });
      const items =
        location.item === undefined || location.itemColumn === undefined
          ? new Map()
          : await readDelimitedItems(location.item, {
              ...read,
              idColumn: location.itemColumn,
              delimiter: delimiterOf(location.item),
            });
      return { log, items };
    }
    case "amazon": {
      const log = await readAmazonReviews(location.reviews, { ...read, ratingField });
      const items = location.meta === undefined ? new Map() : await readAmazonMeta(location.meta, read);
      return { log, items };
    }
    case "remote":
      throw new Error("unreachable: remote locations are downloaded first");
  }
}

/**
 * A data dir (the `dataDir` option, else $LLMINIT_DATA_DIR) is where the user said datasets are:
 * a registry dataset missing there is a ConfigError naming `--data-dir` (or LLMINIT_DATA_DIR), never
 * a fall-back to the download cache, with a hint when the folder given is a dataset folder itself.
 */
async function checkDataDir(entry: DatasetEntry, options: LocateOptions): Promise<void> {
  const dataDir = dataDirOf(options);
  if (dataDir === undefined) return;
  const option = options.dataDir !== undefined && options.dataDir !== "" ? "--data-dir" : "LLMINIT_DATA_DIR";
  const folder = join(dataDir, entry.name);
  if ((await detectFolder(folder)) !== undefined) return;
  if (!isDir(dataDir))
    throw new ConfigError(option, `${dataDir} is not a folder (expected a folder holding ${entry.name}/)`);
  const why = isDir(folder) ? `${folder} holds no dataset files` : `${dataDir} has no ${entry.name}/ folder`;
  if ((await detectFolder(dataDir)) !== undefined)
    throw new ConfigError(
      option,
      `${why}: it is a dataset folder itself; ` +
        (basename(dataDir) === entry.name
          ? `give its parent, --data-dir ${dirname(dataDir)}`
          : `read it with --dataset ${dataDir}`),
    );
  const names = (await readdir(dataDir)).filter((name) => isDir(join(dataDir, name))).sort();
  throw new ConfigError(
    option,
    `${why} (its folders: ${names.slice(0, 8).join(", ") || "none"}); nothing is downloaded into a data ` +
      `dir: place the files there, or leave ${option} out to use the download cache`,
  );
}

/**
 * Loads a registry dataset by name, or any folder by path (see {@link detectFolder}).
 * A registry name is looked up in `<dataDir>/<name>/` when a data dir is given (missing there: a
 * ConfigError naming `--data-dir`); without one in `<cacheDir>/<name>/`, and else downloaded from
 * the original distribution into `<cacheDir>/<name>/` (unless `download: false`).
 * @throws NotAvailableError naming the URL and where to place the file when it cannot be fetched.
 */
export async function loadDataset(nameOrDir: string, options: LoadOptions = {}): Promise<LoadedDataset> {
  const logger = options.logger ?? silentLogger;
  const entry = lookup(nameOrDir, options);
  let location: DatasetLocation;
  let name = nameOrDir;
  if (entry === undefined) {
    const path = resolve(nameOrDir);
    const file = DELIMITED_FILE.test(path) && existsSync(path) && !isDir(path);
    const found = file
      ? await detectDelimited(dirname(path), await readdir(dirname(path)), path)
      : await detectFolder(path);
    if (found === undefined) {
      const names = (options.registry ?? DATASETS).map((e) => e.name);
      const known = names.join(", ");
      // A path that does not exist whose last part is close to a registry name is most likely a misspelt name.
      const hint = existsSync(path) ? undefined : closestName(basename(path), names);
      if (file)
        throw new DataFormatError(
          { file: path, line: 1 },
          `no user and item columns in the header: ${(await delimitedProblem([basename(path)], dirname(path))) ?? ""}`,
        );
      if (isDir(nameOrDir)) {
        const csv = await delimitedProblem((await readdir(path)).sort(), path);
        throw new NotAvailableError(
          nameOrDir,
          csv ?? "no dataset files recognised in this folder",
          "Expected RecBole atomic files (<folder>.inter[.gz], .item), a CSV/TSV interactions file with a header " +
            "(user_id, item_id[, rating][, timestamp]) and an optional item CSV/TSV (item_id + text columns), " +
            "MovieLens u.data+u.item or ratings.dat+movies.dat, or Amazon review + meta_*.json(.gz) files.",
        );
      }
      throw new ConfigError(
        "dataset",
        `"${nameOrDir}" is neither a known dataset (${known}) nor a folder or a .csv/.tsv file` +
          (hint === undefined ? "" : ` (did you mean ${hint}?)`),
      );
    }
    location = found;
    name = file ? basename(path).replace(DELIMITED_FILE, "") : basename(path);
  } else {
    await checkDataDir(entry, options);
    location = await locateDataset(entry, options);
    if (location.kind === "remote") {
      if (options.download === false) {
        throw new NotAvailableError(
          entry.name,
          "not found locally and downloads are off",
          `Place RecBole atomic files in ${join(dataDirOf(options) ?? "<dataDir>", entry.name)}/, or download ${entry.remote.map((r) => `${r.url} to ${join(location.dir, r.file)}`).join(" and ")}`,
        );
      }
      for (const remote of entry.remote) {
        const dest = join(location.dir, remote.file);
        if (!existsSync(dest))
          await downloadFile(remote.url, dest, {
            sha256: remote.sha256,
            fetch: options.fetch,
            logger,
            progress: options.progress,
          });
      }
      const found = await detectFolder(location.dir);
      if (found === undefined)
        throw new NotAvailableError(location.dir, "downloaded files not recognised", "Delete the folder and retry.");
      location = found;
    }
  }
  logger.log("info", `loading ${name} from ${location.dir} (${location.kind})`, {
    name,
    kind: location.kind,
    dir: location.dir,
  });
  const { log, items } = await readLocation(location, options);
  const fields = new Set<string>();
  for (const record of items.values()) for (const key of Object.keys(record)) fields.add(key);
  // A CSV/TSV item file's columns are all text, in their order (MovieLens' movies.csv: "{title}. {genres}").
  const textTemplate =
    location.kind === "delimited" && fields.size > 0
      ? [...fields].map((field) => `{${field}}`).join(". ")
      : location.kind === "atomic" || entry === undefined
        ? defaultTextTemplate(fields)
        : entry.textTemplate;
  return { name, log, itemFeatures: items, textTemplate, location };
}
