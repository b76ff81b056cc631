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
    if (code === "ENOENT")
      throw new NotAvailableError(file, "file not found", "Check the path or the dataDir option.", { cause: error });
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

type LineSink = (text: string, line: number) => void;

/**
 * Cuts decoded chunks into numbered lines: keeps the partial last line for the next chunk,
 * drops a leading byte-order mark, accepts `\n` and `\r\n`.
 */
class LineSplitter {
  private rest = "";
  private first = true;
  line = 0;

  push(chunk: string, emit: LineSink): void {
    if (this.first) {
      this.first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    let start = 0;
    let end = chunk.indexOf("\n");
    if (end >= 0 && this.rest.length > 0) {
      const text = this.rest + chunk.slice(0, end);
      this.rest = "";
      emit(text.endsWith("\r") ? text.slice(0, -1) : text, ++this.line);
      start = end + 1;
      end = chunk.indexOf("\n", start);
    }
    while (end >= 0) {
      const stop = end > start && chunk.charCodeAt(end - 1) === 13 ? end - 1 : end;
      emit(chunk.slice(start, stop), ++this.line);
      start = end + 1;
      end = chunk.indexOf("\n", start);
    }
    this.rest += chunk.slice(start);
  }

  /** The last line when the file does not end with a line break. */
  flush(emit: LineSink): void {
    if (this.rest.length > 0) emit(this.rest.endsWith("\r") ? this.rest.slice(0, -1) : this.rest, ++this.line);
    this.rest = "";
  }
}

/**
 * Streams the lines of a text file, plain or gzip (detected by its magic bytes), without
 * holding the file in memory, calling `onLine` for each with its 1-based number. Line ends
 * `\n` and `\r\n` are both accepted. A corrupt gzip stream becomes a {@link DataFormatError}.
 * Faster than {@link readLines} (no await per line); an exception from `onLine` stops the read.
 * @returns the number of lines.
 */
export async function forEachLine(file: string, onLine: LineSink, encoding: TextEncoding = "utf8"): Promise<number> {
  const splitter = new LineSplitter();
  for await (const chunk of chunksOf(file, encoding)) splitter.push(chunk, onLine);
  splitter.flush(onLine);
  return splitter.line;
}

/**
 * Streams the lines of a text file (plain or gzip) as an async iterable of numbered lines;
 * same rules as {@link forEachLine}, read a chunk at a time.
 */
export async function* readLines(file: string, encoding: TextEncoding = "utf8"): AsyncGenerator<NumberedLine> {
  const splitter = new LineSplitter();
  const batch: NumberedLine[] = [];
  const collect: LineSink = (text, line) => batch.push({ text, line });
  for await (const chunk of chunksOf(file, encoding)) {
    splitter.push(chunk, collect);
    yield* batch;
    batch.length = 0;
  }
  splitter.flush(collect);
  yield* batch;
}
