import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { isUtf8 } from "node:buffer";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { DataFormatError, NotAvailableError } from "@llminit/core";
import { decodeUtf8Escaped } from "./text-bytes.js";

/** Text encodings the readers accept (MovieLens files are latin1, everything else UTF-8). */
export type TextEncoding = "utf8" | "latin1";

/** One line of a text file with its 1-based line number. */
export interface NumberedLine {
  text: string;
  line: number;
  /** True when the line held bytes that are not valid UTF-8 (see {@link forEachLine}). */
  invalidUtf8?: boolean;
}

/** True when the file starts with the gzip magic bytes (1f 8b), whatever its name. */
export async function isGzipFile(file: string): Promise<boolean> {
  const handle = await openOrExplain(file);
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "EISDIR") throw new DataFormatError({ file }, "is a folder, not a file", { cause: error });
      throw error;
    });
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
      throw new NotAvailableError(
        file,
        "file not found",
        "Check the path (--dataset, or --data-dir: the dataDir option).",
        { cause: error },
      );
    throw error;
  }
}

/** Formats that are not text, recognised by their first bytes, with what to do instead. */
const SIGNATURES: ReadonlyArray<{ bytes: number[]; offset?: number; what: string; hint: string }> = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: "a zip archive", hint: "unzip it and use the files inside" },
  { bytes: [0x50, 0x4b, 0x05, 0x06], what: "an empty zip archive", hint: "unzip it and use the files inside" },
  { bytes: [0x42, 0x5a, 0x68], what: "bzip2 data", hint: "decompress it (bunzip2), or recompress it with gzip" },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: "xz data", hint: "decompress it (unxz), or use gzip" },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: "zstd data", hint: "decompress it (unzstd), or use gzip" },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: "a 7z archive", hint: "extract it and use the files inside" },
  { bytes: [0x75, 0x73, 0x74, 0x61, 0x72], offset: 257, what: "a tar archive", hint: "extract it (tar -xf)" },
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: "a PNG image", hint: "check the path" },
  { bytes: [0xff, 0xd8, 0xff], what: "a JPEG image", hint: "check the path" },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: "a GIF image", hint: "check the path" },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: "a PDF document", hint: "check the path" },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: "an ELF executable", hint: "check the path" },
  { bytes: [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], what: "a numpy .npy array", hint: "check the path" },
  { bytes: [0x50, 0x41, 0x52, 0x31], what: "a Parquet file", hint: "export it as TSV/CSV first" },
  { bytes: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20], what: "an SQLite database", hint: "export it as TSV/CSV first" },
  { bytes: [0xff, 0xfe], what: "UTF-16 text", hint: "convert it to UTF-8 (iconv -f UTF-16 -t UTF-8)" },
  { bytes: [0xfe, 0xff], what: "UTF-16 text", hint: "convert it to UTF-8 (iconv -f UTF-16 -t UTF-8)" },
];

/**
 * Refuses input that is not text, in one short line naming the file and never echoing its bytes: known binary
 * signatures (archives, images, executables, UTF-16) at the start of the (decompressed) content.
 */
function checkSignature(file: string, head: Uint8Array, gzip: boolean): void {
  for (const { bytes, offset = 0, what, hint } of SIGNATURES) {
    if (head.length >= offset + bytes.length && bytes.every((b, i) => head[offset + i] === b)) {
      throw new DataFormatError({ file }, `not a text file: ${gzip ? "gzip-compressed " : ""}${what}; ${hint}`);
    }
  }
}

async function* byteChunks(file: string): AsyncGenerator<{ chunk: Buffer; gzip: boolean }> {
  const gzip = await isGzipFile(file);
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  let input: Readable = raw;
  if (gzip) {
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    raw.on("error", (error) => gunzip.destroy(error));
    input = raw.pipe(gunzip);
  }
  try {
    for await (const chunk of input) yield { chunk: chunk as Buffer, gzip };
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

/** Receives one line: its text, 1-based number, and whether it held bytes that are not valid UTF-8. */
export type LineSink = (text: string, line: number, invalidUtf8: boolean) => void;

/**
 * Cuts raw bytes into numbered lines: keeps the partial last line for the next chunk, drops a leading UTF-8
 * byte-order mark, accepts `\n` and `\r\n`, refuses NUL bytes (binary data or UTF-16) with the line they are on.
 * A run of whole lines is checked for valid UTF-8 at once; only the lines of a run that fails the check are
 * decoded one by one, with their invalid bytes kept distinct (see {@link decodeUtf8Escaped}) and flagged.
 */
class LineDecoder {
  private carry: Buffer[] = [];
  private first = true;
  line = 0;

  constructor(
    private readonly file: string,
    private readonly encoding: TextEncoding,
  ) {}

  push(chunk: Buffer, gzip: boolean, emit: LineSink): void {
    if (this.first) {
      this.first = false;
      checkSignature(this.file, chunk, gzip);
      if (this.encoding === "utf8" && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        chunk = chunk.subarray(3);
      }
    }
    const nul = chunk.indexOf(0);
    if (nul >= 0) {
      let line = this.line + 1;
      for (let p = chunk.indexOf(0x0a); p >= 0 && p < nul; p = chunk.indexOf(0x0a, p + 1)) line++;
      throw new DataFormatError(
        { file: this.file, line },
        "not a text file: it holds NUL bytes (binary data, or UTF-16 text: convert that to UTF-8)",
      );
    }
    const last = chunk.lastIndexOf(0x0a);
    if (last < 0) {
      this.carry.push(chunk);
      return;
    }
    const head = chunk.subarray(0, last + 1);
    const lines = this.carry.length === 0 ? head : Buffer.concat([...this.carry, head]);
    this.carry = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
    this.decode(lines, emit);
  }

  /** The last line when the input does not end with a line break. */
  flush(emit: LineSink): void {
    if (this.carry.length > 0) this.decode(Buffer.concat(this.carry), emit);
    this.carry = [];
  }

  private decode(bytes: Buffer, emit: LineSink): void {
    if (this.encoding === "latin1" || isUtf8(bytes)) {
      this.split(bytes.toString(this.encoding), false, emit);
      return;
    }
    for (let start = 0; start < bytes.length;) {
      const end = bytes.indexOf(0x0a, start);
      const stop = end < 0 ? bytes.length : end + 1;
      const one = bytes.subarray(start, stop);
      if (isUtf8(one)) this.split(one.toString("utf8"), false, emit);
      else this.split(decodeUtf8Escaped(one), true, emit);
      start = stop;
    }
  }

  /** Emits every line of `text` (whole lines, the last one possibly without its line break). */
  private split(text: string, invalid: boolean, emit: LineSink): void {
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      emit(text.slice(start, stop), ++this.line, invalid);
      start = end + 1;
    }
  }
}

/**
 * Streams the lines of a text file, plain or gzip (detected by its magic bytes), without
 * holding the file in memory, calling `onLine` for each with its 1-based number. Line ends
 * `\n` and `\r\n` are both accepted. A corrupt gzip stream, a binary file (archive, image,
 * executable, NUL bytes) or UTF-16 text becomes a one-line {@link DataFormatError} naming the file.
 * With UTF-8, a line holding invalid bytes is passed with `invalidUtf8` true and those bytes as
 * lone surrogates U+DC80 + byte, so distinct byte strings stay distinct (see `hasInvalidBytes`).
 * Faster than {@link readLines} (no await per line); an exception from `onLine` stops the read.
 * @returns the number of lines.
 */
export async function forEachLine(file: string, onLine: LineSink, encoding: TextEncoding = "utf8"): Promise<number> {
  const decoder = new LineDecoder(file, encoding);
  for await (const { chunk, gzip } of byteChunks(file)) decoder.push(chunk, gzip, onLine);
  decoder.flush(onLine);
  return decoder.line;
}

/**
 * Streams the lines of a text file (plain or gzip) as an async iterable of numbered lines;
 * same rules as {@link forEachLine}, read a chunk at a time.
 */
export async function* readLines(file: string, encoding: TextEncoding = "utf8"): AsyncGenerator<NumberedLine> {
  const decoder = new LineDecoder(file, encoding);
  const batch: NumberedLine[] = [];
  const collect: LineSink = (text, line, invalidUtf8) =>
    batch.push(invalidUtf8 ? { text, line, invalidUtf8 } : { text, line });
  for await (const { chunk, gzip } of byteChunks(file)) {
    decoder.push(chunk, gzip, collect);
    yield* batch;
    batch.length = 0;
  }
  decoder.flush(collect);
  yield* batch;
}
