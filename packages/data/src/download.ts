import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, rmdir } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { DataFormatError, NotAvailableError, silentLogger, silentProgress } from "@llminit/core";
import type { Logger, ProgressReporter } from "@llminit/core";

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  /** Expected sha256 (hex) of the file; checked when given. */
  sha256?: string;
  /** Abort after this many milliseconds without completing (default 10 minutes). */
  timeoutMs?: number;
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
  logger?: Logger;
  progress?: ProgressReporter;
}

/**
 * Downloads `url` to `dest` (via `dest.partial`, renamed when complete and verified).
 * Network failures and HTTP errors become a {@link NotAvailableError} that names the URL and
 * says where to place the file by hand; a sha256 mismatch is a {@link DataFormatError}.
 * @returns the sha256 of the downloaded file.
 */
export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<string> {
  const hint = `Without network access, download ${url} elsewhere and place it at ${dest}`;
  const partial = `${dest}.partial`;
  // The folders made for it are removed again when the download fails (no empty cache folders).
  const created = await mkdir(dirname(dest), { recursive: true });
  try {
    return await fetchTo(url, dest, partial, options, hint);
  } catch (error) {
    if (created !== undefined) await removeEmptyFolders(dirname(dest), created);
    throw error;
  }
}

/** Removes `dir` and its parents up to and including `outermost`, as long as they are empty. */
async function removeEmptyFolders(dir: string, outermost: string): Promise<void> {
  for (let folder = dir; ; folder = dirname(folder)) {
    try {
      await rmdir(folder);
    } catch {
      return; // not empty: something else is kept there
    }
    if (folder === outermost || dirname(folder) === folder) return;
  }
}

async function fetchTo(
  url: string,
  dest: string,
  partial: string,
  options: DownloadOptions,
  hint: string,
): Promise<string> {
  const logger = options.logger ?? silentLogger;
  const doFetch = options.fetch ?? fetch;
  logger.log("info", `downloading ${url}`, { url, dest });
  let response: Response;
  try {
    response = await doFetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 600_000), redirect: "follow" });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new NotAvailableError(
      url,
      `download failed (${cause?.code ?? cause?.message ?? (error as Error).message})`,
      hint,
      { cause: error },
    );
  }
  if (!response.ok || response.body === null) {
    throw new NotAvailableError(url, `download failed (HTTP ${response.status} ${response.statusText})`, hint);
  }
  const total = Number(response.headers.get("content-length")) || undefined;
  const task = (options.progress ?? silentProgress).begin(`download ${url}`, total);
  const hash = createHash("sha256");
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      task.tick(chunk.length);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), meter, createWriteStream(partial));
  } catch (error) {
    await rm(partial, { force: true });
    throw new NotAvailableError(url, `download interrupted (${(error as Error).message})`, hint, { cause: error });
  }
  task.end();
  const digest = hash.digest("hex");
  if (options.sha256 !== undefined && digest !== options.sha256.toLowerCase()) {
    await rm(partial, { force: true });
    throw new DataFormatError(
      { file: url },
      `sha256 ${digest} differs from the expected ${options.sha256}; the download is corrupt or the file changed`,
    );
  }
  await rename(partial, dest);
  logger.log("info", `downloaded ${url}`, { url, dest, sha256: digest, verified: options.sha256 !== undefined });
  return digest;
}
