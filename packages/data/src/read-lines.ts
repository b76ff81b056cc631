import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
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

/**
 * Streams the lines of a text file, plain or gzip (detected by its magic bytes), without
 * holding the file in memory. Line ends `\n` and `\r\n` are both accepted; the line
 * number counts from 1. A corrupt gzip stream becomes a {@link DataFormatError}.
 */
export async function* readLines(file: string, encoding: TextEncoding = "utf8"): AsyncGenerator<NumberedLine> {
  const gzip = await isGzipFile(file);
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  let input: Readable = raw;
  if (gzip) {
    const gunzip = createGunzip();
    raw.on("error", (error) => gunzip.destroy(error));
    input = raw.pipe(gunzip);
  }
  input.setEncoding(encoding);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      yield { text, line };
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === "string" && code.startsWith("Z_")) {
      throw new DataFormatError({ file, line: line + 1 }, `corrupt gzip data (${(error as Error).message})`, { cause: error });
    }
    throw error;
  } finally {
    lines.close();
    raw.destroy();
    input.destroy();
  }
}
