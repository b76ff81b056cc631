import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { DataFormatError, NotAvailableError } from "@llminit/core";

/** Text encodings the readers accept (MovieLens files are latin1, everything else UTF-8). */
export type TextEncoding = "utf8" | "latin1";

/** One line of a text file with its 1-based line number. */
export interface NumberedLine {
  text: string;
  line: number;
}

/** True when the file starts with the gzip magic bytes (1f 8b), whatever its name. */
export async function isGzipFile(file: string): Promise<boolean> {
  const handle = await openOrExplain(file);
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

async function openOrExplain(file: string) {
  try {
    return await open(file, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new NotAvailableError(file, "file not found", "Check the path or the dataDir option.", { cause: error });
    throw error;
  }
}

async function* chunksOf(file: string, encoding: TextEncoding): AsyncGenerator<string> {
  const gzip = await isGzipFile(file);
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  let input: Readable = raw;
  if (gzip) {
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    raw.on("error", (error) => gunzip.destroy(error));
    input = raw.pipe(gunzip);
  }
  input.setEncoding(encoding);
  try {
    for await (const chunk of input) yield chunk as string;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === "string" && code.startsWith("Z_")) {
      throw new DataFormatError({ file }, `corrupt gzip data (${(error as Error).message})`, { cause: error });
    }
    throw error;
  } finally {
    raw.destroy();
    input.destroy();
  }
}

/**
 * Streams the lines of a text file, plain or gzip (detected by its magic bytes), without
 * holding the file in memory, calling `onLine` for each with its 1-based number. Line ends
 * `\n` and `\r\n` are both accepted. A corrupt gzip stream becomes a {@link DataFormatError}.
 * Faster than {@link readLines} (no await per line); an exception from `onLine` stops the read.
 * @returns the number of lines.
 */
export async function forEachLine(file: string, onLine: (text: string, line: number) => void, encoding: TextEncoding = "utf8"): Promise<number> {
  let rest = "";
  let line = 0;
  let first = true;
  for await (let chunk of chunksOf(file, encoding)) {
    if (first) {
      first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    let start = 0;
    let end = chunk.indexOf("\n");
    if (end >= 0 && rest.length > 0) {
      const text = rest + chunk.slice(0, end);
      rest = "";
      onLine(text.endsWith("\r") ? text.slice(0, -1) : text, ++line);
      start = end + 1;
      end = chunk.indexOf("\n", start);
    }
    while (end >= 0) {
      const stop = end > start && chunk.charCodeAt(end - 1) === 13 ? end - 1 : end;
      onLine(chunk.slice(start, stop), ++line);
      start = end + 1;
      end = chunk.indexOf("\n", start);
    }
    rest += chunk.slice(start);
  }
  if (rest.length > 0) onLine(rest.endsWith("\r") ? rest.slice(0, -1) : rest, ++line);
  return line;
}

/**
 * Streams the lines of a text file (plain or gzip) as an async iterable of numbered lines;
 * same rules as {@link forEachLine}, read a chunk at a time.
 */
export async function* readLines(file: string, encoding: TextEncoding = "utf8"): AsyncGenerator<NumberedLine> {
  let rest = "";
  let line = 0;
  let first = true;
  for await (let chunk of chunksOf(file, encoding)) {
    if (first) {
      first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    for (const text of parts) yield { text: text.endsWith("\r") ? text.slice(0, -1) : text, line: ++line };
  }
  if (rest.length > 0) yield { text: rest.endsWith("\r") ? rest.slice(0, -1) : rest, line: ++line };
}
